"""The admins' mail log: filters, pages, and resending failed mail from the API and the shell."""

from __future__ import annotations

from datetime import timedelta

from elearn import clock
from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.cli import main
from elearn.notifications.models import Notification, NotificationStatus
from tests.notifications.test_reminders import MONDAY_8


def _arrange(make, learning, beat):
    """Two officers of AZ and one of GE enrolled; the GE one's address is refused (550)."""
    admin = make.user(Role.ADMIN, administration=None)
    az = [make.user(administration="AZ") for _ in range(2)]
    ge = make.user(administration="GE", email="refused-ge@customs.test")
    course = learning.course(due_days=30)
    clock.freeze(MONDAY_8)
    for person in (*az, ge):
        learning.enrol(person, course)
    return admin, az, ge


def test_admins_list_mail_by_kind_status_recipient_administration_and_period(
    app, make, learning, beat, client, mails
):
    admin, az, ge = _arrange(make, learning, beat)
    headers = admin.headers

    everything = client.get("/api/v1/notifications", headers=headers)
    failed = client.get("/api/v1/notifications?status=failed", headers=headers)
    of_az = client.get("/api/v1/notifications?administration=az&kind=enrolled", headers=headers)
    of_one = client.get(f"/api/v1/notifications?recipient={az[0].id}", headers=headers)
    paged = client.get("/api/v1/notifications?per_page=2&page=2", headers=headers)
    later = (MONDAY_8 + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    none_since = client.get(f"/api/v1/notifications?since={later}", headers=headers)
    bad = client.get("/api/v1/notifications?kind=spam", headers=headers)

    assert everything.status_code == 200
    assert everything.headers["X-Total-Count"] == "3"
    assert [n["recipient"]["id"] for n in failed.json] == [ge.id]
    assert failed.json[0]["last_error"] == "recipient refused: 550 5.1.1 Mailbox unavailable"
    assert sorted(n["recipient"]["id"] for n in of_az.json) == sorted(p.id for p in az)
    assert {n["recipient"]["administration"] for n in of_az.json} == {"AZ"}
    assert [n["kind"] for n in of_one.json] == ["enrolled"]
    assert (len(paged.json), paged.headers["X-Total-Count"]) == (1, "3")
    assert 'rel="prev"' in paged.headers["Link"]
    assert none_since.json == []
    assert bad.status_code == 422


def test_resending_anything_but_failed_mail_is_409_and_changes_nothing(
    app, make, learning, beat, client, mails
):
    admin, az, _ge = _arrange(make, learning, beat)
    [sent] = make.all(Notification, user_id=az[0].id)

    response = client.post(f"/api/v1/notifications/{sent.id}/resend", headers=admin.headers)
    missing = client.post("/api/v1/notifications/999999/resend", headers=admin.headers)

    assert response.status_code == 409
    assert missing.status_code == 404
    assert make.get(Notification, sent.id).attempts == 1
    assert len(mails.to(az[0].email)) == 1


def test_the_shell_resends_every_failed_mail_since_a_date(app, make, learning, beat, mails):
    _admin, _az, ge = _arrange(make, learning, beat)
    [failed] = make.all(Notification, user_id=ge.id)
    runner = app.test_cli_runner()

    result = runner.invoke(
        main, ["notifications", "resend", "--failed", "--since", MONDAY_8.strftime("%Y-%m-%d")]
    )
    later = runner.invoke(main, ["notifications", "resend", "--failed", "--since", "2031-01-01"])

    assert result.exit_code == 0, result.output
    assert "1 failed mail(s) queued again" in result.output
    assert "0 failed mail(s)" in later.output
    again = make.get(Notification, failed.id)
    # Still refused by the server: failed again, after one more attempt.
    assert (again.status, again.attempts) == (NotificationStatus.FAILED, 2)
    assert make.count(AuditEvent, action="notification.resent") == 1
