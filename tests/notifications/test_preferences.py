"""Mail preferences, and the one-click unsubscribe link every non-transactional mail carries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from itsdangerous.encoding import base64_encode

from elearn import clock
from elearn.accounts.models import Role
from elearn.notifications.models import Notification, NotificationPreference
from tests.mailserver import body
from tests.notifications.test_reminders import MONDAY_8

DEFAULTS = {
    "reminders": True,
    "digests": True,
    "transactional": True,
    "digest_day": "monday",
    "digest_hour": 8,
    "overdue_copies": True,
}


def test_preferences_start_at_the_defaults_and_change_per_category(client, make):
    person = make.user(Role.CONTACT_POINT, administration="AZ")

    shown = client.get("/api/v1/me/notification-preferences", headers=person.headers)
    changed = client.patch(
        "/api/v1/me/notification-preferences",
        json={"digests": False, "digest_day": "friday", "digest_hour": 16},
        headers=person.headers,
    )

    assert shown.json == DEFAULTS
    assert changed.json == {
        **DEFAULTS,
        "digests": False,
        "digest_day": "friday",
        "digest_hour": 16,
    }
    stored = make.get(NotificationPreference, person.id)
    assert (stored.reminders, stored.digests, stored.digest_weekday) == (True, False, 4)


@pytest.mark.parametrize(
    "changes",
    [
        {"transactional": False},
        {"digest_hour": 24},
        {"digest_day": "someday"},
        {"reminders": "maybe"},
    ],
)
def test_transactional_mail_cannot_be_switched_off_and_bad_input_changes_nothing(
    client, make, changes
):
    person = make.user()

    response = client.patch(
        "/api/v1/me/notification-preferences", json=changes, headers=person.headers
    )

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert make.count(NotificationPreference) == 0


def _reminder_with_link(app, make, learning, beat, mails):
    """An officer who received one "due soon" mail; (officer, that mail)."""
    officer = make.user(administration="AZ")
    course = learning.course(due_days=10, reminder_offsets_days=[3])
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)
    beat.at(MONDAY_8 + timedelta(days=7))
    [reminder] = [m for m in mails.to(officer.email) if "Due soon" in m["Subject"]]
    return officer, reminder


def _path(header: str) -> str:
    return header.strip("<>").removeprefix("http://elearn.test")


def test_reminders_carry_one_click_unsubscribe_and_transactional_mail_does_not(
    app, make, learning, beat, mails
):
    officer, reminder = _reminder_with_link(app, make, learning, beat, mails)
    [enrolled] = [m for m in mails.to(officer.email) if "enrolled" in m["Subject"]]

    assert reminder["List-Unsubscribe"].startswith("<http://elearn.test/unsubscribe/")
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = reminder["List-Unsubscribe"].strip("<>")
    assert f'href="{link}"' in body(reminder, "html")
    assert link in body(reminder, "plain")
    assert enrolled["List-Unsubscribe"] is None


def test_one_click_switches_off_reminders_only_without_login(
    app, make, learning, beat, client, mails
):
    officer, reminder = _reminder_with_link(app, make, learning, beat, mails)
    path = _path(reminder["List-Unsubscribe"])

    page = client.get(path)
    untouched = make.get(NotificationPreference, officer.id)
    clicked = client.post(path, data={"List-Unsubscribe": "One-Click"})
    clicked_again = client.post(path, data={"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert 'method="post"' in page.text
    assert untouched is None  # opening the link changes nothing
    assert clicked.status_code == 200
    assert "no longer receive course reminders" in clicked.text
    assert clicked_again.status_code == 200
    stored = make.get(NotificationPreference, officer.id)
    assert (stored.reminders, stored.digests) == (False, True)
    assert [n.status for n in make.all(Notification, kind="enrolled")] == ["sent"]


@pytest.mark.parametrize("damage", ["tampered", "truncated", "expired", "another person"])
def test_a_bad_unsubscribe_link_is_a_plain_400_page_and_changes_nothing(
    app, make, learning, beat, client, mails, damage
):
    officer, reminder = _reminder_with_link(app, make, learning, beat, mails)
    other = make.user(administration="AZ")
    path = _path(reminder["List-Unsubscribe"])
    token = path.split("/")[-1]
    if damage == "tampered":
        path = path.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    elif damage == "truncated":
        path = path[:-10]
    elif damage == "expired":
        clock.freeze(MONDAY_8 + timedelta(days=7 + 91))
    else:
        # The payload names the recipient: naming another person breaks the signature.
        _payload, rest = token.split(".", 1)
        other_payload = base64_encode(json.dumps([other.id, "reminders"], separators=(",", ":")))
        path = path.replace(token, f"{other_payload.decode()}.{rest}")

    response = client.post(path, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "invalid or has expired" in response.text
    assert make.count(NotificationPreference) == 0
    assert other.id != officer.id


def test_a_reminder_to_someone_who_opted_out_is_suppressed(
    app, make, learning, beat, client, mails
):
    officer = make.user(administration="AZ")
    client.patch(
        "/api/v1/me/notification-preferences", json={"reminders": False}, headers=officer.headers
    )
    course = learning.course(due_days=10, reminder_offsets_days=[3])
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)

    beat.at(MONDAY_8 + timedelta(days=7))

    [due_soon] = make.all(Notification, kind="due_soon")
    assert due_soon.status == "suppressed"
    assert [s.split(":")[0] for s in mails.subjects(officer.email)] == ["You are enrolled"]
