"""Who may read and change mail preferences, the mail log and resending."""

from __future__ import annotations

from typing import Any

import pytest

from elearn.extensions import db
from elearn.notifications.models import Notification, NotificationStatus
from tests.authorization import Case, check, expect

CASES = [
    Case("GET", "/api/v1/me/notification-preferences", expect(401, 200, 200, 200, 200, 200)),
    Case(
        "PATCH",
        "/api/v1/me/notification-preferences",
        expect(401, 200, 200, 200, 200, 200),
        json={"digests": False},
    ),
    Case("GET", "/api/v1/notifications", expect(401, 403, 403, 403, 403, 200)),
    Case(
        "POST",
        "/api/v1/notifications/{failed}/resend",
        expect(401, 403, 403, 403, 403, 200),
    ),
]


@pytest.fixture
def world(app, actors) -> dict[str, Any]:
    with app.app_context():
        notification = Notification(
            user_id=actors["trainee"].id,
            kind="set_password",
            dedupe_key="authorization:failed",
            language="en",
            context={"purpose": "welcome"},
            status=NotificationStatus.FAILED,
            last_error="recipient refused: 550",
        )
        db.session.add(notification)
        db.session.commit()
        return {"failed": notification.id}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_authorization(case, client, actors, world):
    check(case, client, actors, world)
