"""A contact point's view of how their administration's officers are doing."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import orjson
import pytest

from elearn import clock
from elearn.accounts import headcounts
from elearn.accounts.administrations import get_administration
from elearn.accounts.models import Role
from elearn.reports import service
from elearn.reports.documents import encoded
from elearn.reports.exports import MEDIA_TYPES, Format
from elearn.reports.schemas import AdministrationSummarySchema
from tests.http import assert_problem

SUMMARY = "/api/v1/reports/administrations/AZ"


def arrange(make, actors, learning):
    """AZ: one officer completed course A, one is overdue in course B; GE: one in course A."""
    course_a = learning.course("text", "text")
    course_b = learning.course("text", "text", due_days=10)
    finished = learning.enrol(actors["trainee"], course_a)
    for lesson_id in course_a.lessons:
        assert learning.complete(actors["trainee"], finished["id"], lesson_id).status_code == 200
    late = make.user(Role.TRAINEE, administration="AZ", full_name='=HYPERLINK("http://x")')
    learning.enrol(late, course_b)
    learning.enrol(make.user(Role.TRAINEE, administration="GE"), course_a)
    return course_a, course_b


def test_summary_counts_the_administrations_officers_only(client, make, actors, learning):
    course_a, course_b = arrange(make, actors, learning)
    clock.freeze(clock.now() + timedelta(days=11))
    try:
        response = client.get(SUMMARY, headers=actors["contact_point"].headers)
    finally:
        clock.freeze(None)

    assert response.status_code == 200
    body = response.json
    assert (body["code"], body["trainees"], body["active_trainees"]) == ("AZ", 2, 2)
    assert (body["enrolments"], body["completed"], body["overdue"]) == (2, 1, 1)
    rows = {row["course_id"]: row for row in body["courses"]}
    assert set(rows) == {course_a.id, course_b.id}
    assert (rows[course_a.id]["completed"], rows[course_a.id]["average_progress"]) == (1, 100)
    assert (rows[course_b.id]["overdue"], rows[course_b.id]["active"]) == (1, 1)


def test_csv_lists_every_enrolment_and_neutralises_formulas(client, make, actors, learning):
    arrange(make, actors, learning)

    response = client.get(f"{SUMMARY}/enrolments.csv", headers=actors["contact_point"].headers)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=enrolments-AZ.csv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2
    assert {row["email"] for row in rows} == {
        actors["trainee"].email,
        next(row["email"] for row in rows if row["trainee"].startswith("'=")),
    }
    assert all(not row["trainee"].startswith(("=", "+", "-", "@")) for row in rows)
    assert {row["status"] for row in rows} == {"completed", "active"}


def test_summary_costs_the_same_queries_for_few_or_many_enrolments(
    client, make, actors, learning, queries
):
    course = learning.course("text")
    learning.enrol(make.user(Role.TRAINEE, administration="AZ"), course)
    client.get(SUMMARY, headers=actors["admin"].headers)  # the token's first use is recorded
    queries.reset()
    client.get(SUMMARY, headers=actors["admin"].headers)
    few = queries.count
    for _ in range(5):
        learning.enrol(make.user(Role.TRAINEE, administration="AZ"), learning.course("text"))
    queries.reset()
    client.get(SUMMARY, headers=actors["admin"].headers)

    # The token, the administration with its headcount, the courses' tallies with late ones.
    assert queries.count == few == 3


def test_an_unknown_administration_is_404(client, actors):
    assert (
        client.get(
            "/api/v1/reports/administrations/XX", headers=actors["admin"].headers
        ).status_code
        == 404
    )


def test_csv_on_request_uses_semicolons(client, make, actors, learning):
    arrange(make, actors, learning)

    response = client.get(
        f"{SUMMARY}/enrolments.csv?delimiter=semicolon", headers=actors["contact_point"].headers
    )

    assert response.status_code == 200
    header = response.get_data(as_text=True).lstrip("\ufeff").split("\r\n")[0]
    assert header.startswith("personnel_number;trainee;email;unit;course_code;")


def test_the_enrolment_list_as_a_workbook(client, make, actors, learning):
    arrange(make, actors, learning)

    response = client.get(f"{SUMMARY}/enrolments.xlsx", headers=actors["contact_point"].headers)

    assert response.status_code == 200
    assert response.mimetype == MEDIA_TYPES[Format.XLSX]
    assert "enrolments-AZ.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 3
    by_name = {row[header.index("trainee")]: row for row in rows[1:]}
    late = by_name['=HYPERLINK("http://x")']
    assert late[header.index("status")] == "active"
    assert late[header.index("progress_percent")] == 0
    assert isinstance(late[header.index("enrolled_at (UTC)")], datetime)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_per_officer_report_exports_with_its_filters(client, make, actors, learning, suffix):
    arrange(make, actors, learning)

    response = client.get(
        f"{SUMMARY}/trainees.{suffix}?status=completed", headers=actors["contact_point"].headers
    )

    assert response.status_code == 200
    if suffix == "csv":
        text = response.get_data(as_text=True).lstrip("\ufeff")
        rows = [tuple(row.values()) for row in csv.DictReader(io.StringIO(text))]
        header = tuple(csv.DictReader(io.StringIO(text)).fieldnames or ())
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
        header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("personnel_number", "full_name", "email", "unit")
    [row] = rows
    assert row[header.index("email")] == actors["trainee"].email
    assert str(row[header.index("completed")]) == "1"


def test_an_unknown_delimiter_is_named(client, actors):
    response = client.get(
        f"{SUMMARY}/enrolments.csv?delimiter=tab", headers=actors["contact_point"].headers
    )
    assert_problem(response, 422, fields=["delimiter"])


def test_the_summary_document_is_what_its_schema_documents(app, make, actors, learning):
    arrange(make, actors, learning)
    with app.app_context():
        where = get_administration("AZ")
        summary = service.administration_summary(where, headcounts.of(where.id), "en")

    assert len(summary.courses) == 2
    assert orjson.loads(encoded(summary)) == AdministrationSummarySchema().dump(summary)


def test_the_enrolment_export_reads_officers_a_batch_at_a_time_in_name_order(
    app, make, actors, learning, monkeypatch
):
    arrange(make, actors, learning)
    second = learning.course("text")
    learning.enrol(actors["trainee"], second)
    with app.app_context():
        whole = list(service.enrolment_rows(get_administration("AZ"), "en"))
        monkeypatch.setattr(service, "EXPORT_OFFICERS", 1)
        batched = list(service.enrolment_rows(get_administration("AZ"), "en"))

    assert batched == whole
    assert len(whole) == 3
    keys = [(row.trainee, row.course_code) for row in whole]
    assert keys == sorted(keys)


@pytest.mark.committed
@pytest.mark.parametrize("export", ["enrolments.csv", "enrolments.xlsx", "trainees.csv"])
def test_exports_stream_in_a_transaction_of_their_own(client, make, actors, learning, export):
    # A safe request runs each statement on its own (autocommit), but a server-side cursor,
    # which streams an export's rows, needs a transaction: the export views ask for one.
    arrange(make, actors, learning)
    response = client.get(f"{SUMMARY}/{export}", headers=actors["contact_point"].headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(response.get_data()) > 100
