"""Reminders over a course's whole life, under a controlled clock and a beat that ticks twice.

Each scenario counts the mail every person received, by kind: expected equals sent, and no
Message-ID arrives twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from elearn import clock
from elearn.accounts.models import Administration, Role, User
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.infra.outbox import OutboxMessage
from elearn.notifications.models import Notification, NotificationStatus
from elearn.notifications.service import SEND_TASK
from tests.mailserver import body
from tests.notifications.conftest import set_time_zone

MONDAY_8 = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
SIX_HOURS = timedelta(hours=6)


def kinds(make, user_id: int) -> list[str]:
    return [n.kind for n in make.all(Notification, user_id=user_id, status="sent")]


def test_a_trainee_and_their_contact_point_over_a_30_day_course(app, make, learning, beat, mails):
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ", full_name="Nigar Aliyeva")
    officer = make.user(administration="AZ", full_name="Rashad Mammadov")
    course = learning.course(due_days=30)
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)

    beat.every(MONDAY_8, MONDAY_8 + timedelta(days=31), SIX_HOURS)

    assert kinds(make, officer.id) == ["enrolled", "idle", "due_soon", "due_soon", "overdue"]
    subjects = mails.subjects(officer.email)
    assert len(subjects) == 5
    assert subjects[0].startswith("You are enrolled: Valuation")
    assert [s.split(":")[0] for s in subjects[1:]] == [
        "Pick up where you left off",
        "Due soon",
        "Due soon",
        "Past due",
    ]
    # Contact point: a copy of the overdue mail and three digests (Mondays 18, 25 March, 1 April).
    assert kinds(make, contact_point.id) == [
        "weekly_digest",
        "weekly_digest",
        "weekly_digest",
        "overdue_copy",
    ]
    assert len(mails.to(contact_point.email)) == 4
    assert mails.duplicates() == 0
    [first_soon, last_soon] = [m for m in mails.to(officer.email) if "Due soon" in m["Subject"]]
    assert "April 3, 2030, 8:00\u202fAM (UTC)" in body(first_soon, "plain")
    assert last_soon["Subject"] == first_soon["Subject"]


def test_due_soon_mail_names_progress_and_what_is_left(app, make, learning, beat, mails):
    officer = make.user(administration="AZ")
    course = learning.course("text", "text", "text", due_days=10, reminder_offsets_days=[3])
    clock.freeze(MONDAY_8)
    enrolment = learning.enrol(officer, course)
    learning.complete(officer, enrolment["id"], course.lessons[0])

    beat.at(MONDAY_8 + timedelta(days=7))

    [reminder] = [m for m in mails.to(officer.email) if "Due soon" in m["Subject"]]
    text = body(reminder, "plain")
    assert "You have done 33%; 2 lesson(s) left." in text
    assert "March 14, 2030" in text
    assert "<strong>33%</strong>" in body(reminder, "html")


def test_no_reminder_after_completing_withdrawing_or_with_offsets_turned_off(
    app, make, learning, beat, client, mails
):
    finished, withdrawn, silenced = (make.user(administration="AZ") for _ in range(3))
    course = learning.course("text", due_days=30)
    quiet_course = learning.course(due_days=30, reminder_offsets_days=[])
    clock.freeze(MONDAY_8)
    done = learning.enrol(finished, course)
    learning.complete(finished, done["id"], course.lessons[0])
    gone = learning.enrol(withdrawn, course)
    client.patch(
        f"/api/v1/enrolments/{gone['id']}", json={"status": "withdrawn"}, headers=withdrawn.headers
    )
    learning.enrol(silenced, quiet_course)

    beat.every(MONDAY_8 + timedelta(days=22), MONDAY_8 + timedelta(days=29), SIX_HOURS)

    for person in (finished, withdrawn, silenced):
        assert "due_soon" not in kinds(make, person.id)
    assert make.count(Notification, kind="due_soon") == 0
    assert mails.duplicates() == 0


def test_an_extension_cancels_the_old_dates_reminders_and_the_new_date_gets_its_own(
    app, make, learning, beat, client, mails
):
    trainer = make.user(Role.TRAINER, administration=None)
    officer = make.user(administration="AZ")
    set_time_zone(app, Administration, "AZ", "Asia/Baku")
    course = learning.course(owners=(trainer,), due_days=30, reminder_offsets_days=[1])
    # Enrolled in the evening in Baku (UTC+4): the 1-day reminder falls at 22:00 local, held.
    evening = datetime(2030, 3, 4, 18, 0, tzinfo=UTC)
    clock.freeze(evening)
    enrolment = learning.enrol(officer, course)
    beat.at(evening + timedelta(days=29))
    [held] = make.all(Notification, kind="due_soon")
    assert (held.status, held.next_try_at) == ("pending", datetime(2030, 4, 3, 4, 0, tzinfo=UTC))

    new_due = datetime(2030, 4, 20, 18, 0, tzinfo=UTC)
    response = client.patch(
        f"/api/v1/enrolments/{enrolment['id']}",
        json={"due_at": new_due.isoformat()},
        headers=trainer.headers,
    )
    beat.every(datetime(2030, 4, 3, 4, 0, tzinfo=UTC), new_due, SIX_HOURS)

    assert response.status_code == 200, response.json
    cancelled = make.get(Notification, held.id)
    assert (cancelled.status, cancelled.last_error) == ("cancelled", "the due date changed")
    sent = make.all(Notification, kind="due_soon", status="sent")
    assert [n.context["due_at"] for n in sent] == [new_due.isoformat()]
    assert len([s for s in mails.subjects(officer.email) if s.startswith("Due soon")]) == 1
    assert mails.duplicates() == 0


def test_quiet_hours_hold_reminders_until_the_local_morning_across_a_dst_change(
    app, make, learning, beat, mails
):
    officer = make.user(administration="AZ")
    set_time_zone(app, User, officer.id, "Europe/Paris")
    # Due on the morning Paris moves to summer time (31 March 2030, 01:00 UTC).
    due = datetime(2030, 3, 31, 5, 30, tzinfo=UTC)
    course = learning.course(reminder_offsets_days=[1])
    run = learning.run(course, due_at=due)
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course, run_id=run)

    # 05:30 UTC on 30 March is 06:30 in Paris (still winter time): held until 08:00 CET.
    beat.at(datetime(2030, 3, 30, 5, 30, tzinfo=UTC))
    [held] = make.all(Notification, kind="due_soon")
    beat.at(datetime(2030, 3, 30, 6, 59, tzinfo=UTC))
    before_eight = len(mails.to(officer.email))
    beat.at(datetime(2030, 3, 30, 7, 0, tzinfo=UTC))

    assert held.next_try_at == datetime(2030, 3, 30, 7, 0, tzinfo=UTC)
    assert before_eight == 1  # the enrolled mail only
    assert [s.split(":")[0] for s in mails.subjects(officer.email)] == [
        "You are enrolled",
        "Due soon",
    ]
    # The due date is written in summer time, which it is on the day.
    assert "March 31, 2030, 7:30\u202fAM (Europe/Paris)" in body(
        mails.to(officer.email)[1], "plain"
    )


def test_a_due_date_at_local_midnight_is_written_as_that_day_in_russian(
    app, make, learning, beat, client, mails
):
    officer = make.user(administration="AZ")
    client.patch("/api/v1/me", json={"language": "ru"}, headers=officer.headers)
    set_time_zone(app, Administration, "AZ", "Asia/Baku")
    due = datetime(2030, 3, 20, 20, 0, tzinfo=UTC)  # 21 March, 00:00 in Baku
    course = learning.course(reminder_offsets_days=[7])
    run = learning.run(course, due_at=due)
    clock.freeze(MONDAY_8)

    learning.enrol(officer, course, run_id=run)

    [enrolled] = mails.to(officer.email)
    assert enrolled["Subject"].startswith("Вы зачислены на курс")
    assert "21 марта 2030\u202fг., 00:00 (Asia/Baku)" in body(enrolled, "plain")


def test_a_contact_point_at_utc_plus_12_gets_the_digest_on_their_monday_morning(
    app, make, learning, beat, mails
):
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ")
    set_time_zone(app, User, contact_point.id, "Asia/Kamchatka")
    officer = make.user(administration="AZ", full_name="Leyla Hasanova")
    course = learning.course(due_days=5)
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)

    # Monday 08:00 in Kamchatka is Sunday 20:00 UTC.
    beat.at(datetime(2030, 3, 10, 19, 0, tzinfo=UTC))
    before = list(mails.subjects(contact_point.email))
    beat.at(datetime(2030, 3, 10, 20, 0, tzinfo=UTC))
    beat.at(datetime(2030, 3, 10, 20, 30, tzinfo=UTC))
    beat.at(datetime(2030, 3, 11, 8, 0, tzinfo=UTC))

    digests = [m for m in mails.to(contact_point.email) if "week" in m["Subject"]]
    assert before == [s for s in before if "week" not in s]
    assert len(digests) == 1
    text = body(digests[0], "plain")
    assert "- Past their due date: 1 (Leyla)" in text
    assert "http://elearn.test/reports/administrations/AZ" in text
    assert "March 11, 2030" in text


def test_no_digest_when_there_is_nothing_to_say(app, make, beat, mails):
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ")
    make.user(administration="AZ")

    beat.at(MONDAY_8)

    assert mails.to(contact_point.email) == []
    assert make.count(Notification, kind="weekly_digest") == 0


def test_a_contact_point_may_see_overdue_officers_only_in_the_digest(
    app, make, learning, beat, client, mails
):
    copied = make.user(Role.CONTACT_POINT, administration="AZ")
    digest_only = make.user(Role.CONTACT_POINT, administration="AZ")
    client.patch(
        "/api/v1/me/notification-preferences",
        json={"overdue_copies": False},
        headers=digest_only.headers,
    )
    officer = make.user(administration="AZ")
    course = learning.course(due_days=2, reminder_offsets_days=[])
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)

    beat.every(MONDAY_8, MONDAY_8 + timedelta(days=7), SIX_HOURS)

    # Day 0: due within 7 days; day 2: overdue; day 7: overdue, in the digest.
    assert kinds(make, copied.id) == ["weekly_digest", "overdue_copy", "weekly_digest"]
    assert kinds(make, digest_only.id) == ["weekly_digest", "weekly_digest"]
    assert mails.duplicates() == 0


def test_idle_nudges_one_per_idle_period_never_two_within_a_week(app, make, learning, beat, mails):
    officer = make.user(administration="AZ")
    course = learning.course("text", "text", "text", "text", idle_after_days=2)
    clock.freeze(MONDAY_8)
    enrolment = learning.enrol(officer, course)

    beat.every(MONDAY_8, MONDAY_8 + timedelta(days=3), SIX_HOURS)  # nudged on day 2
    clock.freeze(MONDAY_8 + timedelta(days=3, hours=1))
    learning.complete(officer, enrolment["id"], course.lessons[0])
    beat.every(MONDAY_8 + timedelta(days=3, hours=2), MONDAY_8 + timedelta(days=8), SIX_HOURS)
    clock.freeze(MONDAY_8 + timedelta(days=9))
    learning.complete(officer, enrolment["id"], course.lessons[1])
    beat.every(MONDAY_8 + timedelta(days=9), MONDAY_8 + timedelta(days=12), SIX_HOURS)

    # Day 2: nudged. Idle again on day 5: within a week of the last nudge, so not nudged.
    # Active on day 9, idle again on day 11: nudged.
    nudges = make.all(Notification, kind="idle")
    assert [n.created_at - MONDAY_8 for n in nudges] == [timedelta(days=2), timedelta(days=11)]
    assert len([s for s in mails.subjects(officer.email) if s.startswith("Pick up")]) == 2
    assert mails.duplicates() == 0


def test_bulk_enrolment_tells_every_person_once(app, make, learning, client, mails):
    contact_point = make.user(Role.CONTACT_POINT, administration="AZ")
    people = [make.user(administration="AZ") for _ in range(3)]
    course = learning.course(due_days=30)
    clock.freeze(MONDAY_8)

    try:
        response = client.post(
            "/api/v1/enrolments/bulk",
            json={"course_id": course.id, "user_ids": [p.id for p in people] + [people[0].id]},
            headers=contact_point.headers,
        )
    finally:
        clock.freeze(None)

    assert response.status_code == 200, response.json
    for person in people:
        assert [s.split(":")[0] for s in mails.subjects(person.email)] == ["You are enrolled"]
    assert make.count(Notification, kind="enrolled") == 3
    assert mails.duplicates() == 0


def test_a_temporary_refusal_is_retried_and_sent_once_a_permanent_one_fails_and_is_resent(
    app, make, learning, beat, client, mails
):
    admin = make.user(Role.ADMIN, administration=None)
    flaky = make.user(administration="AZ", email="flaky-officer@customs.test")
    refused = make.user(administration="AZ", email="refused-officer@customs.test")
    course = learning.course(due_days=30)
    clock.freeze(MONDAY_8)
    learning.enrol(flaky, course)
    learning.enrol(refused, course)

    beat.every(MONDAY_8, MONDAY_8 + timedelta(hours=1), timedelta(minutes=10))
    [failed] = make.all(Notification, user_id=refused.id, status="failed")
    client.patch(
        f"/api/v1/users/{refused.id}",
        json={"email": "officer-fixed@customs.test"},
        headers=admin.headers,
    )
    resent = client.post(f"/api/v1/notifications/{failed.id}/resend", headers=admin.headers)
    again = client.post(f"/api/v1/notifications/{failed.id}/resend", headers=admin.headers)

    [retried] = make.all(Notification, user_id=flaky.id)
    assert (retried.status, retried.attempts) == (NotificationStatus.SENT, 2)
    assert len(mails.to("flaky-officer@customs.test")) == 1
    assert failed.last_error == "recipient refused: 550 5.1.1 Mailbox unavailable"
    assert resent.status_code == 200, resent.json
    assert resent.json["status"] == "pending"  # queued; sent once the request commits
    assert make.get(Notification, failed.id).status == NotificationStatus.SENT
    assert again.status_code == 409
    assert len(mails.to("officer-fixed@customs.test")) == 1
    assert mails.duplicates() == 0


def test_expiry_without_a_due_date_change_sends_one_overdue_mail(app, make, learning, beat):
    officer = make.user(administration="AZ")
    course = learning.course(due_days=1, reminder_offsets_days=[])
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)

    beat.every(MONDAY_8 + timedelta(days=1, hours=1), MONDAY_8 + timedelta(days=3), SIX_HOURS)

    [enrolment] = make.all(Enrolment, user_id=officer.id)
    assert enrolment.status == EnrolmentStatus.EXPIRED
    assert kinds(make, officer.id) == ["enrolled", "overdue"]


def test_a_runs_offsets_and_idle_period_replace_the_courses(app, make, learning, beat):
    in_run, in_silent_run, inheriting = (make.user(administration="AZ") for _ in range(3))
    course = learning.course(reminder_offsets_days=[7], idle_after_days=14)
    due = MONDAY_8 + timedelta(days=10)
    run = learning.run(course, due_at=due, reminder_offsets_days=[3], idle_after_days=2)
    silent_run = learning.run(course, name="Quiet", due_at=due, reminder_offsets_days=[])
    plain_run = learning.run(course, name="Plain", due_at=due)
    clock.freeze(MONDAY_8)
    learning.enrol(in_run, course, run_id=run)
    learning.enrol(in_silent_run, course, run_id=silent_run)
    learning.enrol(inheriting, course, run_id=plain_run)

    beat.every(MONDAY_8, due - timedelta(hours=1), SIX_HOURS)

    def reminded(person) -> list[tuple[str, timedelta]]:
        rows = make.all(Notification, user_id=person.id)
        return [(n.kind, n.created_at - MONDAY_8) for n in rows if n.kind != "enrolled"]

    assert reminded(in_run) == [("idle", timedelta(days=2)), ("due_soon", timedelta(days=7))]
    assert reminded(in_silent_run) == []
    assert reminded(inheriting) == [("due_soon", timedelta(days=3))]


def test_keys_and_context_written_by_the_sweep_read_as_python_writes_them(
    app, make, learning, beat
):
    """The sweep writes its rows in SQL: its timestamps must read exactly as ``isoformat()``
    (microseconds or not), so keys written before and after agree and dedupe holds."""
    whole, fractional = make.user(administration="AZ"), make.user(administration="AZ")
    course = learning.course(due_days=7, reminder_offsets_days=[7], idle_after_days=1)
    clock.freeze(MONDAY_8)
    learning.enrol(whole, course)
    clock.freeze(MONDAY_8 + timedelta(microseconds=123_450))
    learning.enrol(fractional, course)

    # Enrolled exactly at the 7-day reminder's moment: reminded (only later is too late).
    beat.at(MONDAY_8 + timedelta(hours=1))
    beat.at(MONDAY_8 + timedelta(days=1, hours=1))

    for person in (whole, fractional):
        [enrolment] = make.all(Enrolment, user_id=person.id)
        enrolled = enrolment.enrolled_at.isoformat()
        due = enrolment.due_at.isoformat()
        by_kind = {n.kind: n for n in make.all(Notification, user_id=person.id)}
        assert by_kind["due_soon"].dedupe_key == f"due_soon:{enrolment.id}:{due}:7"
        assert by_kind["due_soon"].context == {
            "course_id": course.id,
            "due_at": due,
            "offset_days": 7,
        }
        assert by_kind["idle"].dedupe_key == f"idle:{enrolment.id}:{enrolled}"
        assert by_kind["idle"].context == {
            "course_id": course.id,
            "due_at": due,
            "activity_at": enrolled,
        }
    assert (
        ".123450+00:00" in make.all(Notification, user_id=fractional.id, kind="idle")[0].dedupe_key
    )


def test_a_trainee_enrolled_a_microsecond_after_the_reminders_moment_gets_no_reminder(
    app, make, learning, beat
):
    on_time, late = make.user(administration="AZ"), make.user(administration="AZ")
    course = learning.course(reminder_offsets_days=[7])
    due = MONDAY_8 + timedelta(days=7, microseconds=500_000)
    run = learning.run(course, due_at=due)
    clock.freeze(MONDAY_8 + timedelta(microseconds=500_000))
    learning.enrol(on_time, course, run_id=run)
    clock.freeze(MONDAY_8 + timedelta(microseconds=500_001))
    learning.enrol(late, course, run_id=run)

    beat.at(MONDAY_8 + timedelta(hours=1))

    assert make.count(Notification, user_id=on_time.id, kind="due_soon") == 1
    assert make.count(Notification, user_id=late.id, kind="due_soon") == 0


def test_sending_a_reminder_takes_five_statements(app, make, learning, beat, mails, queries):
    """Claim the outbox row; lock the notification, read with it the recipient, their
    preferences, the enrolment and its course; the course's titles; the lessons left; and write
    the outcome. Sending is what bounds the mail rate of a worker, so this is kept small."""
    officer = make.user(administration="AZ")
    course = learning.course("text", "text", "text", due_days=10, reminder_offsets_days=[3])
    clock.freeze(MONDAY_8)
    learning.enrol(officer, course)
    beat.at(MONDAY_8 + timedelta(days=7))
    [reminder] = make.all(Notification, kind="due_soon")
    with app.app_context():
        db.session.get(Notification, reminder.id).status = NotificationStatus.PENDING
        message = OutboxMessage(
            task=SEND_TASK, queue="mail", kwargs={"notification_id": reminder.id}
        )
        db.session.add(message)
        db.session.commit()
        send = {"notification_id": reminder.id, "outbox_id": message.id}
    queries.reset()
    with app.app_context():
        app.extensions["celery"].tasks[SEND_TASK].apply(kwargs=send)

    assert queries.count == 5
    assert make.all(Notification, kind="due_soon")[0].status == NotificationStatus.SENT
    assert len([s for s in mails.subjects(officer.email) if "Due soon" in s]) == 2
