"""The per-officer report: who stands where, with grades, certificates and flags."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import orjson
import pytest

from elearn import clock
from elearn.accounts import headcounts
from elearn.accounts.administrations import get_administration
from elearn.accounts.models import Role, User
from elearn.certificates.models import Certificate
from elearn.enrolments.models import EnrolmentStatus
from elearn.pagination import PageRequest
from elearn.reports import officers
from elearn.reports.documents import encoded
from elearn.reports.schemas import OfficerRowSchema
from elearn.reports.standing import Flag
from tests.http import assert_problem, links
from tests.quizzes.builders import QuizBuilder, QuizClient, correct_response

REPORT = "/api/v1/reports/administrations/AZ/trainees"


@pytest.fixture
def quizzes(app, client):
    return QuizBuilder(app, client)


@pytest.fixture
def taking(client):
    return QuizClient(client)


def attempt(quizzes, taking, person, quiz_id, *, correct):
    started = taking.start(person, quiz_id)
    assert started.status_code == 201, started.get_json()
    attempt_id = started.get_json()["id"]
    if correct:
        frozen = quizzes.frozen(attempt_id)
        answers = {question["key"]: correct_response(question) for question in frozen}
        assert taking.save(person, attempt_id, answers).status_code == 200
    assert taking.submit(person, attempt_id).status_code == 200


@pytest.fixture
def office(make, actors, learning, quizzes, taking):
    """AZ: a graduate (failed once, then passed), one who used both attempts and failed, one
    enrolled in a text course long ago and idle; GE: an officer who must never show."""
    quiz = quizzes.build(max_attempts=2)
    graduate = make.user(Role.TRAINEE, full_name="Aliyev", personnel_number="003", unit="Port")
    failed = make.user(Role.TRAINEE, full_name="Babayev", personnel_number="001", unit="Airport")
    quizzes.enrol(graduate, quiz.course_id)
    attempt(quizzes, taking, graduate, quiz.quiz_id, correct=False)
    attempt(quizzes, taking, graduate, quiz.quiz_id, correct=True)
    quizzes.enrol(failed, quiz.course_id)
    attempt(quizzes, taking, failed, quiz.quiz_id, correct=False)
    attempt(quizzes, taking, failed, quiz.quiz_id, correct=False)
    text_course = learning.course("text", due_days=10)
    idle = make.user(Role.TRAINEE, full_name="Cavadov", personnel_number="002")
    learning.enrol(idle, text_course)
    learning.enrol(make.user(Role.TRAINEE, administration="GE"), text_course)
    return {
        "quiz": quiz,
        "text_course": text_course,
        "graduate": graduate,
        "failed": failed,
        "idle": idle,
        "trainee": actors["trainee"],
    }


def later(days):
    return clock.now() + timedelta(days=days)


def test_one_row_per_officer_with_grades_certificates_and_flags(client, make, actors, office):
    clock.freeze(later(40))
    try:
        response = client.get(REPORT, headers=actors["contact_point"].headers)
    finally:
        clock.freeze(None)

    assert response.status_code == 200, response.get_json()
    rows = {row["full_name"]: row for row in response.get_json()}
    assert set(rows) == {"Aliyev", "Babayev", "Cavadov", make_name(actors["trainee"], make)}
    assert response.headers["X-Total-Count"] == "4"
    graduate, failed, idle = rows["Aliyev"], rows["Babayev"], rows["Cavadov"]
    assert (graduate["personnel_number"], graduate["unit"]) == ("003", "Port")
    assert (graduate["completed"], graduate["active"], graduate["flags"]) == (1, 0, [])
    [course] = graduate["courses"]
    assert (course["best_grade"], course["last_grade"], course["attempts_used"]) == (100, 100, 2)
    [certificate] = make.all(Certificate, enrolment_id=course["enrolment_id"])
    assert course["certificate_code"] == certificate.verification_code
    assert course["verification_url"].endswith(f"/verify/{certificate.verification_code}")
    assert failed["flags"] == ["idle", "failed_final_attempt"]
    [course] = failed["courses"]
    assert (course["best_grade"], course["last_grade"], course["attempts_used"]) == (0, 0, 2)
    assert course["certificate_code"] is None
    assert course["flags"] == ["idle", "failed_final_attempt"]
    assert (idle["overdue"], idle["expired"], idle["flags"]) == (1, 0, ["overdue", "idle"])
    assert idle["courses"][0]["attempts_used"] == 0


def make_name(person, make):
    return make.get(User, person.id).full_name


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("flag=failed_final_attempt", ["Babayev"]),
        ("flag=overdue", ["Cavadov"]),
        ("status=completed", ["Aliyev"]),
        ("sort=personnel_number", ["Babayev", "Cavadov", "Aliyev"]),
        ("sort=-personnel_number", ["Aliyev", "Cavadov", "Babayev"]),
        ("sort=-completed&status=active", ["Babayev", "Cavadov"]),
        ("sort=unit", ["Babayev", "Aliyev", "Cavadov"]),
    ],
)
def test_filters_and_sorting(client, actors, office, query, names):
    clock.freeze(later(40))
    try:
        response = client.get(f"{REPORT}?{query}", headers=actors["contact_point"].headers)
    finally:
        clock.freeze(None)
    assert response.status_code == 200, response.get_json()
    listed = [row["full_name"] for row in response.get_json() if row["personnel_number"]]
    assert listed == names


def test_overdue_counts_late_enrolments_in_the_sort_and_the_export(
    app, client, make, actors, learning, office
):
    """Regression: the overdue flag's column replaced the overdue count, so sorting and the
    export said whether an officer was late, not how many of their enrolments were."""
    late_twice = make.user(Role.TRAINEE, full_name="Zeynalov", personnel_number="004")
    for _ in range(2):
        learning.enrol(late_twice, learning.course("text", due_days=10))
    clock.freeze(later(40))
    try:
        response = client.get(
            f"{REPORT}?flag=overdue&sort=-overdue", headers=actors["contact_point"].headers
        )
        with app.app_context():
            where = get_administration("AZ")
            exported = {
                row.full_name: row.overdue
                for row in officers.officer_rows(where, officers.OfficerFilter(), "name")
            }
    finally:
        clock.freeze(None)

    assert response.status_code == 200, response.get_json()
    assert [(row["full_name"], row["overdue"]) for row in response.get_json()] == [
        ("Zeynalov", 2),
        ("Cavadov", 1),
    ]
    assert (exported["Zeynalov"], exported["Cavadov"], exported["Aliyev"]) == (2, 1, 0)
    assert all(type(overdue) is int for overdue in exported.values())


def test_filtered_by_course_the_rows_count_that_course_only(client, actors, office):
    course_id = office["text_course"].id
    response = client.get(f"{REPORT}?course_id={course_id}", headers=actors["admin"].headers)
    [row] = response.get_json()
    assert row["full_name"] == "Cavadov"
    assert [course["course_id"] for course in row["courses"]] == [course_id]


def test_pages(client, actors, office):
    first = client.get(f"{REPORT}?per_page=2&sort=name", headers=actors["contact_point"].headers)
    assert [row["full_name"] for row in first.get_json()] == ["Aliyev", "Babayev"]
    assert "next" in links(first)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=password_hash", "sort"),
        ("sort=-", "sort"),
        ("status=stuck", "status"),
        ("flag=lazy", "flag"),
        ("course_id=abc", "course_id"),
    ],
)
def test_bad_filters_and_sort_columns_are_named(client, actors, office, query, field):
    response = client.get(f"{REPORT}?{query}", headers=actors["contact_point"].headers)
    assert_problem(response, 422, fields=[field])


def test_a_page_costs_the_same_queries_for_few_or_many_officers(
    client, make, actors, learning, queries
):
    course = learning.course("text")
    learning.enrol(make.user(Role.TRAINEE), course)
    client.get(REPORT, headers=actors["admin"].headers)  # the token's first use is recorded
    queries.reset()
    client.get(REPORT, headers=actors["admin"].headers)
    few = queries.count
    for _ in range(6):
        person = make.user(Role.TRAINEE)
        learning.enrol(person, course)
        learning.enrol(person, learning.course("text"))
    queries.reset()
    response = client.get(REPORT, headers=actors["admin"].headers)

    assert len(response.get_json()) == 8
    # The token, the administration with its headcount, the page's officers, their
    # enrolments with grades.
    assert queries.count == few == 4


@pytest.mark.parametrize("days", [0, 11, 40])
@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"status": EnrolmentStatus.ACTIVE},
        {"flag": Flag.OVERDUE},
        {"flag": Flag.FAILED_FINAL_ATTEMPT},
    ],
)
def test_a_page_sums_the_same_figures_and_flags_as_the_whole_report_counts(
    app, office, days, criteria
):
    """A page sums its officers' figures from their enrolments; the export and the sort count
    them in SQL over every officer. Both apply the same rules: the same numbers on any day."""
    clock.freeze(later(days))
    try:
        with app.app_context():
            where = get_administration("AZ")
            chosen = officers.OfficerFilter(**criteria)
            page = officers.officer_page(
                where, headcounts.of(where.id), chosen, "name", "en", PageRequest(1, 100)
            )
            summed = [dataclasses.replace(row, courses=[]) for row in page.items]
            counted = list(officers.officer_rows(where, chosen, "name"))
    finally:
        clock.freeze(None)
    assert summed == counted


def test_the_page_document_is_what_its_schema_documents(app, office):
    clock.freeze(later(40))
    try:
        with app.app_context():
            where = get_administration("AZ")
            page = officers.officer_page(
                where,
                headcounts.of(where.id),
                officers.OfficerFilter(),
                "name",
                "en",
                PageRequest(),
            )
    finally:
        clock.freeze(None)

    assert {course.certificate_code is None for row in page.items for course in row.courses} == {
        True,
        False,
    }
    assert orjson.loads(encoded(list(page.items))) == OfficerRowSchema(many=True).dump(page.items)
