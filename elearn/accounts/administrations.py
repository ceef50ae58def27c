"""Member administrations: listing, reading, creating and editing them (admins; audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from elearn.accounts.headcounts import Headcount
from elearn.accounts.models import (
    DEFAULT_TIME_ZONE,
    Administration,
    AdministrationHeadcount,
    User,
)
from elearn.audit import service as audit_log
from elearn.config import DEFAULT_LANGUAGES
from elearn.database import changed_since, contains_text, values_of
from elearn.errors import Conflict, NotFound
from elearn.extensions import db
from elearn.pagination import Page, PageRequest, fetch_page


@dataclass(frozen=True)
class AdministrationFilter:
    region: str | None = None
    active: bool | None = None
    search: str | None = None


def list_administrations(criteria: AdministrationFilter, page: PageRequest) -> Page[Administration]:
    """Administrations ordered by code; ``search`` matches the code or a name in any language."""
    statement = select(Administration).order_by(Administration.code)
    if criteria.region:
        statement = statement.where(Administration.region == criteria.region)
    if criteria.active is not None:
        statement = statement.where(Administration.active == criteria.active)
    if criteria.search:
        names = (Administration.names[lang].as_string() for lang in DEFAULT_LANGUAGES)
        columns = (Administration.code, *names)
        statement = statement.where(or_(*(contains_text(c, criteria.search) for c in columns)))
    return fetch_page(statement, page)


def get_administration(code: str) -> Administration:
    administration = db.session.scalar(
        select(Administration).where(Administration.code == code.upper())
    )
    if administration is None:
        raise _unknown(code)
    return administration


def get_administration_with_headcount(code: str) -> tuple[Administration, Headcount]:
    """The administration of ``code`` and its headcount, in one statement."""
    headcount = AdministrationHeadcount
    row = db.session.execute(
        select(
            Administration,
            func.coalesce(headcount.trainees, 0),
            func.coalesce(headcount.active_trainees, 0),
        )
        .outerjoin(headcount, headcount.administration_id == Administration.id)
        .where(Administration.code == code.upper())
    ).one_or_none()
    if row is None:
        raise _unknown(code)
    administration, trainees, active_trainees = row
    return administration, Headcount(trainees, active_trainees)


def _unknown(code: str) -> NotFound:
    return NotFound(f"No administration with code {code!r}.")


def create_administration(actor: User, values: Mapping[str, Any]) -> Administration:
    """A new administration; its code is unique."""
    code = values["code"].upper()
    if db.session.scalar(select(Administration.id).where(Administration.code == code)):
        raise Conflict(f"An administration with code {code} already exists.")
    administration = Administration(
        code=code,
        names=dict(values["names"]),
        region=values["region"],
        time_zone=values.get("time_zone", DEFAULT_TIME_ZONE),
        active=values.get("active", True),
    )
    db.session.add(administration)
    db.session.flush()
    audit_log.record(
        actor, "administration.created", "administration", code, administration_id=administration.id
    )
    return administration


def update_administration(
    actor: User, administration: Administration, changes: Mapping[str, Any]
) -> Administration:
    before = values_of(administration, changes)
    for name, value in changes.items():
        setattr(administration, name, dict(value) if name == "names" else value)
    if changed := changed_since(administration, before):
        audit_log.record(
            actor,
            "administration.updated",
            "administration",
            administration.code,
            administration_id=administration.id,
            fields=changed,
        )
    db.session.flush()
    return administration
