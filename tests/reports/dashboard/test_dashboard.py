"""The dashboard page through the test client: who sees which administration, in which language."""

from __future__ import annotations

from elearn.accounts.models import Role
from tests.reports.dashboard.seed import seed


def test_a_contact_point_sees_their_administration_with_the_summary_figures(app, client, actors):
    seed(app)
    headers = actors["contact_point"].headers

    page = client.get("/dashboard", headers=headers)
    summary = client.get("/api/v1/reports/administrations/AZ", headers=headers).get_json()

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Training dashboard" in html
    assert f'data-figure="completed"><b>{summary["completed"]}</b>' in html
    for course in summary["courses"]:
        assert f'<tr data-course-id="{course["course_id"]}">' in html
        assert f'data-kind="completed" data-value="{course["completed"]}"' in html
    assert "/api/v1/reports/administrations/AZ/enrolments.csv" in html
    assert "<script" not in html
    assert "http://" not in html.replace("http://localhost", "")


def test_the_page_speaks_the_language_asked_for(app, client, actors):
    headers = actors["contact_point"].headers

    russian = client.get("/dashboard?lang=ru", headers=headers).get_data(as_text=True)
    french = client.get("/dashboard", headers={**headers, "Accept-Language": "fr"})

    assert "Панель обучения" in russian
    assert "Tableau de bord de la formation" in french.get_data(as_text=True)


def test_admins_choose_an_administration_and_others_get_404(app, client, make, actors):
    admin = actors["admin"].headers

    chooser = client.get("/dashboard", headers=admin)
    chosen = client.get("/dashboard?administration=GE", headers=admin)
    other = client.get("/dashboard?administration=GE", headers=actors["contact_point"].headers)
    trainee = client.get("/dashboard", headers=actors["trainee"].headers)
    anonymous = client.get("/dashboard")
    stranger = client.get(
        "/dashboard", headers=make.user(Role.TRAINER, administration=None).headers
    )

    assert chooser.status_code == 200
    assert '<option value="GE"' in chooser.get_data(as_text=True)
    assert "Customs of GE" in chosen.get_data(as_text=True)
    assert other.status_code == 404
    assert trainee.status_code == 404
    assert anonymous.status_code == 401
    assert stranger.status_code == 403
