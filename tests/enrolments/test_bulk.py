"""Bulk enrolment by contact points and trainers: JSON lists and CSV uploads."""

from __future__ import annotations

import io

import pytest

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.enrolments.models import Enrolment


def bulk(client, person, **body):
    return client.post("/api/v1/enrolments/bulk", json=body, headers=person.headers)


def upload(client, person, data: bytes, **form):
    return client.post(
        "/api/v1/enrolments/bulk",
        data={"file": (io.BytesIO(data), "people.csv"), **form},
        headers=person.headers,
        content_type="multipart/form-data",
    )


def outcomes(response):
    return [row["outcome"] for row in response.get_json()["rows"]]


def test_a_contact_point_enrols_their_people_by_email(client, make, actors, learning):
    course = learning.course()
    az = [make.user(Role.TRAINEE, administration="AZ") for _ in range(2)]
    georgian = make.user(Role.TRAINEE, administration="GE")
    inactive = make.user(Role.TRAINEE, administration="AZ", active=False)
    learning.enrol(actors["trainee"], course)
    emails = [
        az[0].email,
        az[1].email.upper(),
        georgian.email,
        "nobody@customs.test",
        actors["trainee"].email,
        az[0].email,
        inactive.email,
    ]

    response = bulk(client, actors["contact_point"], course_id=course.id, emails=emails)

    assert response.status_code == 200
    body = response.get_json()
    assert outcomes(response) == [
        "enrolled",
        "enrolled",
        "unknown_person",
        "unknown_person",
        "already_enrolled",
        "already_enrolled",
        "not_allowed",
    ]
    assert body["counts"] == {
        "enrolled": 2,
        "already_enrolled": 2,
        "unknown_person": 2,
        "not_allowed": 1,
        "run_full": 0,
    }
    rows = body["rows"]
    assert rows[2] == {
        "row": 3,
        "email": georgian.email,
        "user_id": None,
        "outcome": "unknown_person",
        "enrolment_id": None,
    }
    assert rows[5]["enrolment_id"] == rows[0]["enrolment_id"]
    stored = make.get(Enrolment, rows[0]["enrolment_id"])
    assert (stored.user_id, stored.source, stored.status) == (az[0].id, "bulk", "active")
    assert make.count(Enrolment, course_id=course.id) == 3
    assert (
        make.count(AuditEvent, action="enrolment.created", actor_id=actors["contact_point"].id) == 2
    )
    assert make.count(AuditEvent, action="enrolment.bulk") == 1


def test_a_trainer_enrols_any_trainee_by_id_in_their_course(client, make, actors, learning):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    georgian = make.user(Role.TRAINEE, administration="GE")

    response = bulk(
        client, trainer, course_id=course.id, user_ids=[actors["trainee"].id, georgian.id, 999_999]
    )

    assert response.status_code == 200
    assert outcomes(response) == ["enrolled", "enrolled", "unknown_person"]
    assert response.get_json()["rows"][1]["user_id"] == georgian.id


@pytest.mark.parametrize("by", ["user_ids", "emails"])
def test_staff_are_unknown_people_to_a_trainer(client, make, actors, learning, by):
    """Regression: a trainer enrolled admins and contact points in bulk, then read their emails
    from the course's enrolments; enrolling by email told which addresses exist."""
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    staff = [actors["admin"], actors["contact_point"], make.user(Role.TRAINER, administration="AZ")]
    names = [person.id for person in staff] if by == "user_ids" else [p.email for p in staff]

    response = bulk(client, trainer, course_id=course.id, **{by: names})

    assert outcomes(response) == ["unknown_person"] * 3
    assert make.count(Enrolment) == 0


def test_trainees_of_administrations_the_course_does_not_admit_are_unknown_to_a_trainer(
    client, make, actors, learning
):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,), administrations=("AZ",))
    georgian = make.user(Role.TRAINEE, administration="GE")

    response = bulk(client, trainer, course_id=course.id, emails=[georgian.email])

    assert outcomes(response) == ["unknown_person"]
    assert make.count(Enrolment) == 0


def test_a_trainer_sees_only_the_trainees_enrolled_in_their_course(client, make, actors, learning):
    trainer = actors["trainer"]
    course = learning.course(owners=(trainer,))
    learning.enrol(actors["trainee"], course)
    staff_enrolment = learning.enrol(actors["contact_point"], course)

    listed = client.get(f"/api/v1/courses/{course.id}/enrolments", headers=trainer.headers)
    one = client.get(f"/api/v1/enrolments/{staff_enrolment['id']}", headers=trainer.headers)

    assert [row["trainee"]["id"] for row in listed.get_json()] == [actors["trainee"].id]
    assert one.status_code == 404
    admin_view = client.get(
        f"/api/v1/courses/{course.id}/enrolments", headers=actors["admin"].headers
    )
    assert len(admin_view.get_json()) == 2


def test_a_trainer_cannot_bulk_enrol_in_another_trainers_course(client, make, actors, learning):
    response = bulk(client, actors["trainer"], course_id=learning.course().id, user_ids=[1])
    assert response.status_code == 403
    assert make.count(Enrolment) == 0


def test_rows_beyond_the_capacity_are_run_full(client, make, actors, learning):
    course = learning.course()
    run_id = learning.run(course, capacity=2)
    people = [make.user(Role.TRAINEE, administration="AZ") for _ in range(3)]

    response = bulk(
        client,
        actors["admin"],
        course_id=course.id,
        run_id=run_id,
        user_ids=[p.id for p in people],
    )

    assert outcomes(response) == ["enrolled", "enrolled", "run_full"]
    assert make.count(Enrolment, run_id=run_id) == 2


def test_people_a_run_does_not_admit_are_not_allowed(client, make, actors, learning):
    course = learning.course()
    run_id = learning.run(course, administrations=("GE",))
    georgian = make.user(Role.TRAINEE, administration="GE")

    response = bulk(
        client,
        actors["admin"],
        course_id=course.id,
        run_id=run_id,
        user_ids=[actors["trainee"].id, georgian.id],
    )

    assert outcomes(response) == ["not_allowed", "enrolled"]


def test_a_withdrawn_person_is_enrolled_again(client, make, actors, learning):
    course = learning.course()
    enrolment = learning.enrol(actors["trainee"], course)
    client.patch(
        f"/api/v1/enrolments/{enrolment['id']}",
        json={"status": "withdrawn"},
        headers=actors["trainee"].headers,
    )

    response = bulk(
        client, actors["contact_point"], course_id=course.id, user_ids=[actors["trainee"].id]
    )

    assert outcomes(response) == ["enrolled"]
    assert response.get_json()["rows"][0]["enrolment_id"] == enrolment["id"]
    assert make.get(Enrolment, enrolment["id"]).source == "bulk"


def test_a_csv_upload_with_a_bom_and_extra_columns(client, make, actors, learning):
    course = learning.course()
    person = make.user(Role.TRAINEE, administration="AZ")
    data = f"Name,EMAIL\r\nA,{person.email}\r\n\r\nB,missing@customs.test\r\n".encode("utf-8-sig")

    response = upload(client, actors["contact_point"], data, course_id=str(course.id))

    assert response.status_code == 200, response.get_json()
    assert outcomes(response) == ["enrolled", "unknown_person"]
    assert make.count(Enrolment, user_id=person.id) == 1


@pytest.mark.parametrize(
    "header_and_rows",
    [
        "Nom;E-mail\r\nA;{email}\r\n",
        "ФИО;Адрес электронной почты\r\nА;{email}\r\n",
        "Courriel\tNom\n{email}\tA\n",
        "MAIL,Name\n{email},A\n",
    ],
)
def test_csv_from_spreadsheets_in_any_locale(client, make, actors, learning, header_and_rows):
    course = learning.course()
    person = make.user(Role.TRAINEE, administration="AZ")
    data = header_and_rows.format(email=person.email).encode("utf-8-sig")

    response = upload(client, actors["contact_point"], data, course_id=str(course.id))

    assert response.status_code == 200, response.get_json()
    assert outcomes(response) == ["enrolled"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("email\nné@customs.test\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"address,name\nx@customs.test,X\n", "The file has no header line naming 'email'."),
        (b"", "The file has no header line naming 'email'."),
        (b"email\nx\x00y@customs.test\n", "The file is not text: it contains NUL characters."),
    ],
)
def test_an_unreadable_csv_is_refused(client, make, actors, learning, data, message):
    course = learning.course()
    response = upload(client, actors["admin"], data, course_id=str(course.id))
    assert response.status_code == 422
    assert response.get_json()["detail"] == message
    assert "file" in response.get_json()["errors"]
    assert make.count(Enrolment) == 0


@pytest.mark.parametrize("rows", [5_001, 100_000])
def test_a_csv_over_the_row_limit_is_refused(client, make, actors, learning, rows):
    course = learning.course()
    data = ("email\n" + "".join(f"p{n}@x.tt\n" for n in range(rows))).encode()

    response = upload(client, actors["admin"], data, course_id=str(course.id))

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "at most 5,000" in response.get_json()["detail"]
    assert make.count(Enrolment) == 0


def test_a_csv_larger_than_the_request_limit_is_refused_before_reading(
    client, make, actors, learning
):
    data = ("email\n" + "".join(f"person{n:07d}@customs.test\n" for n in range(100_000))).encode()
    response = upload(client, actors["admin"], data, course_id=str(learning.course().id))
    assert response.status_code == 413
    assert "at most 5,000 rows" in response.get_json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"user_ids": [1]},
        {"course_id": 1},
        {"course_id": 1, "user_ids": [1], "emails": ["a@b.cd"]},
        {"course_id": 1, "user_ids": []},
        {"course_id": 1, "emails": ["x@customs.test"] * 5_001},
    ],
)
def test_bad_json_requests_are_refused(client, make, actors, learning, body):
    course = learning.course()
    body = {**body, "course_id": course.id} if "course_id" in body else body
    response = bulk(client, actors["admin"], **body)
    assert response.status_code == 422
    assert make.count(Enrolment) == 0


def test_a_csv_upload_without_a_file_or_course(client, make, actors, learning):
    response = client.post(
        "/api/v1/enrolments/bulk",
        data={"course_id": str(learning.course().id)},
        headers=actors["admin"].headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["Missing data for required field."]}
    response = upload(client, actors["admin"], b"email\n")
    assert response.status_code == 422
    assert "course_id" in response.get_json()["errors"]


def test_a_closed_run_refuses_the_whole_call(client, make, actors, learning, frozen):
    course = learning.course()
    run_id = learning.run(course, enrolment_closes_at=frozen)

    response = bulk(
        client, actors["admin"], course_id=course.id, run_id=run_id, user_ids=[actors["trainee"].id]
    )

    assert response.status_code == 409
    assert make.count(Enrolment) == 0


def test_a_draft_course_takes_no_bulk_enrolment(client, make, actors, learning):
    course = learning.course(status="draft")
    user_ids = [actors["trainee"].id]
    assert (
        bulk(client, actors["contact_point"], course_id=course.id, user_ids=user_ids).status_code
        == 404
    )
    assert bulk(client, actors["admin"], course_id=course.id, user_ids=user_ids).status_code == 409
    assert make.count(Enrolment) == 0
