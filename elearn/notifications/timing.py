"""When mail may go out in the recipient's own day, and how its dates read there.

Non-urgent mail (enrolled, reminders, digests) is sent only between
``ELEARN_MAIL_WINDOW_OPENS_HOUR`` and ``ELEARN_MAIL_WINDOW_CLOSES_HOUR`` local time; outside that
window it waits for the next opening, computed with zoneinfo so that a DST change is honoured.
Dates are written with Babel in the recipient's language.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from elearn.config import Settings


def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (names are validated when stored)."""
    return ZoneInfo(name)


def sending_time(now: datetime, zone_name: str, settings: Settings) -> datetime:
    """``now`` when it falls inside the recipient's sending window, else the window's next
    opening (today's if the morning has not come yet, else tomorrow's), as a UTC moment."""
    local_now = now.astimezone(zone(zone_name))
    opens = settings.mail_window_opens_hour
    if opens <= local_now.hour < settings.mail_window_closes_hour:
        return now
    day = local_now.date() if local_now.hour < opens else local_now.date() + timedelta(days=1)
    opening = datetime.combine(day, time(opens), tzinfo=local_now.tzinfo)
    # A wall time skipped by a DST change reads as the same instant zoneinfo gives it.
    return opening.astimezone(now.tzinfo)


def local_moment(moment: datetime, zone_name: str, language: str) -> str:
    """A date and time as the recipient reads it: "8 March 2030, 23:59 (Asia/Baku)"."""
    local = moment.astimezone(zone(zone_name))
    day = format_date(local, "long", locale=language)
    hour = format_time(local, "short", locale=language)
    return f"{day}, {hour} ({zone_name})"


def local_day(moment: datetime, zone_name: str, language: str) -> str:
    """The recipient's calendar day of ``moment``, long form."""
    return format_date(moment.astimezone(zone(zone_name)), "long", locale=language)
