from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from elearn.accounts.models import Administration, Role, User
from elearn.cli import main
from elearn.courses.models import Course, CourseStatus
from elearn.demo import (
    DEMO_PASSWORD,
    DEMO_TRAINER,
    DEMO_USERS,
    shipped_course_folders,
    wco_europe_administrations,
)
from tests.mailserver import free_port


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input)

    return invoke


PASSPHRASE = "a long passphrase"


def create_trainer(cli, **options):
    args = ["users", "create", "--role", "trainer", "--administration", "AZ"]
    for name, value in options.items():
        args += [f"--{name}", value]
    return cli(*args, input=f"{PASSPHRASE}\n{PASSPHRASE}\n")


def test_users_create_prompts_for_the_password_and_the_account_logs_in(cli, client, make):
    make.administration("AZ")

    result = create_trainer(cli, email=" Nigar.Huseynova@Customs.GOV.az", name="Nigar Huseynova")

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert "a long passphrase" not in result.output
    [user] = make.all(User, email="nigar.huseynova@customs.gov.az")
    assert (user.full_name, user.roles, user.administration.code) == (
        "Nigar Huseynova",
        {Role.TRAINER},
        "AZ",
    )
    assert f"Created user {user.id} <nigar.huseynova@customs.gov.az>" in result.output
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "nigar.huseynova@customs.gov.az", "password": "a long passphrase"},
    )
    assert login.status_code == 200


def test_users_create_prompts_for_missing_email_and_name(cli, make):
    make.administration("AZ")

    result = cli(
        "users",
        "create",
        input="prompted@customs.az\nPrompted Person\nlong enough!\nlong enough!\n",
    )

    assert result.exit_code == 0, result.output
    assert make.all(User, email="prompted@customs.az")[0].roles == {Role.TRAINEE}


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        ({"administration": "ZZ"}, "a long passphrase", "administration: No administration"),
        ({"email": "not-an-email"}, "a long passphrase", "email: Not a valid email address."),
        ({}, "short", "password: Length must be between 10 and 200."),
        ({"name": "N" * 201}, "a long passphrase", "full_name: Length must be between 1 and 200."),
    ],
)
def test_users_create_refuses_bad_input_in_one_line_and_stores_nothing(
    cli, make, options, password, message
):
    make.administration("AZ")
    before = make.count(User)
    options = {"email": "new@customs.az", "name": "New Person", **options}
    administration = options.pop("administration", "AZ")

    result = cli(
        "users",
        "create",
        "--administration",
        administration,
        *[item for name, value in options.items() for item in (f"--{name}", value)],
        input=f"{password}\n{password}\n",
    )

    assert result.exit_code == 1
    last_line = result.output.strip().splitlines()[-1]
    assert last_line.startswith("Error: ")
    assert message in last_line
    assert make.count(User) == before


def test_users_create_refuses_a_taken_email(cli, make):
    taken = make.user(email="taken@customs.az")
    before = make.count(User)

    result = create_trainer(cli, email=taken.email.upper(), name="Someone Else")

    assert result.exit_code == 1
    assert "Error: A user with this email already exists." in result.output
    assert make.count(User) == before


def test_demo_loads_every_wco_europe_administration_and_one_login_per_role(cli, make):
    result = cli("demo")

    assert result.exit_code == 0, result.output
    codes = {row.code for row in make.all(Administration)}
    assert codes == {record["code"] for record in wco_europe_administrations()}
    demo_users = [make.all(User, email=email)[0] for _, email, _, _ in DEMO_USERS]
    assert sorted(role for user in demo_users for role in user.roles) == sorted(Role)
    for role, email, _, _ in DEMO_USERS:
        assert f"{role.value:<14} {email}" in result.output
    assert f"password: {DEMO_PASSWORD}" in result.output


def test_demo_publishes_the_shipped_courses_owned_by_the_demo_trainer(cli, client, make):
    assert cli("demo").exit_code == 0

    courses = make.all(Course)
    assert sorted(course.slug for course in courses) == sorted(
        folder.name for folder in shipped_course_folders()
    )
    assert {course.status for course in courses} == {CourseStatus.PUBLISHED}
    trainee = client.post(
        "/api/v1/auth/login", json={"email": "trainee.az@elearn.demo", "password": DEMO_PASSWORD}
    )
    assert trainee.status_code == 200
    catalogue = client.get("/api/v1/courses", headers={"Accept-Language": "ru"})
    assert catalogue.status_code == 200
    assert len(catalogue.json) == len(courses)
    trainer = make.all(User, email=DEMO_TRAINER)[0]
    assert all(trainer.id in course.owner_ids for course in courses)


def test_demo_twice_changes_nothing_and_prints_the_same_logins(cli, make):
    first = cli("demo")
    counts = (make.count(Administration), make.count(User), make.count(Course))

    second = cli("demo")

    assert second.exit_code == 0
    assert (make.count(Administration), make.count(User), make.count(Course)) == counts
    assert second.output == first.output


def test_demo_keeps_edits_made_since_it_last_ran(cli, client, make):
    cli("demo")
    admin = client.post(
        "/api/v1/auth/login", json={"email": "admin@elearn.demo", "password": DEMO_PASSWORD}
    )
    assert admin.status_code == 200
    client.patch("/api/v1/administrations/AZ", json={"active": False})

    cli("demo")

    assert make.all(Administration, code="AZ")[0].active is False


def test_demo_refuses_production(other_app, make):
    production = other_app(env="production")

    result = production.test_cli_runner().invoke(main, ["demo"])

    assert result.exit_code == 1
    assert result.output == "Error: Demo data is not loaded in production.\n"
    assert make.count(User) == 0


def test_periodic_runs_every_beat_task_once(cli, app):
    result = cli("periodic")

    assert result.exit_code == 0, result.output
    for name in app.extensions["celery"].conf.beat_schedule:
        assert f"{name}: done" in result.output


def test_serve_answers_http(tmp_path):
    """Regression: ``elearn serve`` used app.run(), which Flask ignores inside a CLI command."""
    port = free_port()
    environment = {**os.environ, "ELEARN_INSTANCE_PATH": str(tmp_path)}
    environment.pop("ELEARN_PUBLIC_BASE_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "elearn"), "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == f"Data in {tmp_path} (ELEARN_INSTANCE_PATH)"
        # Served on another port with no public URL set, links follow the port.
        assert server.stdout.readline().strip() == (
            f"Links in mails and certificates: http://127.0.0.1:{port}"
        )
        status = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live") as reply:
                    status = reply.status
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
