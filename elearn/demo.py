"""Demo data for the embedded mode: WCO Europe administrations, one user per role and the
four shipped courses of ``course_content/``, published and owned by the demo trainer."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from elearn.accounts import service as accounts
from elearn.accounts.models import Administration, Role, User
from elearn.config import current_settings
from elearn.content import files
from elearn.content.files import PackageLimits
from elearn.content.service import importing
from elearn.courses.service import authoring
from elearn.errors import Forbidden
from elearn.extensions import db

DEMO_PASSWORD = "elearn-demo-password"  # noqa: S105 - documented demo credential, refused in production
DEMO_ADMINISTRATION = "AZ"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_TRAINER = "trainer@elearn.demo"
COURSE_CONTENT = Path(__file__).resolve().parent.parent / "course_content"
DEMO_USERS = (
    (Role.ADMIN, "admin@elearn.demo", "Regional Office Administrator", None),
    (Role.TRAINER, DEMO_TRAINER, "Course Trainer", None),
    (Role.CONTACT_POINT, "contact.az@elearn.demo", "National Contact Point AZ", "AZ"),
    (Role.TRAINEE, "trainee.az@elearn.demo", "Customs Officer AZ", "AZ"),
)


def wco_europe_administrations() -> list[dict[str, Any]]:
    text = resources.files("elearn.accounts.data").joinpath("wco_europe.yaml").read_text("utf-8")
    records: list[dict[str, Any]] = yaml.safe_load(text)["administrations"]
    return records


def load_demo() -> list[DemoLogin]:
    """Create what is missing (never duplicates, never overwrites edits); return the logins."""
    if current_settings().is_production:
        raise Forbidden("Demo data is not loaded in production.")
    existing = set(db.session.scalars(select(Administration.code)))
    for record in wco_europe_administrations():
        if record["code"] not in existing:
            db.session.add(
                Administration(
                    code=record["code"],
                    names=record["names"],
                    region=record["region"],
                    time_zone=record["time_zone"],
                )
            )
    db.session.flush()
    for role, email, full_name, administration in DEMO_USERS:
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(
                None,
                accounts.NewUser(
                    email=email,
                    full_name=full_name,
                    administration_code=administration,
                    roles=frozenset({role}),
                    password=DEMO_PASSWORD,
                ),
            )
    _import_shipped_courses(trainer=accounts.find_user_by_email(DEMO_TRAINER))
    return [DemoLogin(role.value, email, DEMO_PASSWORD) for role, email, _, _ in DEMO_USERS]


def shipped_course_folders() -> list[Path]:
    return sorted(path for path in COURSE_CONTENT.iterdir() if (path / "course.yaml").is_file())


def _import_shipped_courses(trainer: User | None) -> None:
    """Import and publish each shipped course not yet present (a course edited since stays)."""
    limits = PackageLimits.from_settings(current_settings())
    for folder in shipped_course_folders():
        slug = yaml.safe_load((folder / "course.yaml").read_text("utf-8"))["slug"]
        if authoring.find_course_by_slug(slug) is None:
            package = files.read_folder(folder, files.folder_paths(folder, limits), limits)
            importing.import_package(trainer, package, publish=True)
