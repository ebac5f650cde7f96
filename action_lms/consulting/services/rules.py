"""What every consulting use case shares: the role table, the settings, the limits and the
input checks (times, dates, milestones, zones)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import current_app

from ...core.errors import Invalid
from ...core.i18n import _, _l
from ...core.policy import ADMIN, ANY_USER, CONSULTANT, COORDINATOR, Policy
from ...core.time import format_local
from ...core.validators import column_length, date_in_range, http_url, single_line
from ...extensions import db
from ...plans.template import is_milestone_key
from ..models import AvailabilityRule, Booking, Slot

policy = Policy(
    "consulting",
    {
        "consultant.list": ANY_USER,
        "profile.edit": {CONSULTANT, ADMIN},
        "slot.list": ANY_USER,
        "slot.manage": {CONSULTANT, ADMIN},
        "booking.create": {COORDINATOR, ADMIN},
        "booking.list": {COORDINATOR, CONSULTANT, ADMIN},
        "booking.view": {COORDINATOR, CONSULTANT, ADMIN},
        "booking.cancel": {COORDINATOR, CONSULTANT, ADMIN},
        "booking.reschedule": {COORDINATOR, ADMIN},
        "booking.notes": {CONSULTANT, ADMIN},
        "booking.meeting_link": {CONSULTANT, ADMIN},
        "overview.view": {ADMIN},
    },
)

DEFAULTS = {
    "CONSULTING_MIN_NOTICE_HOURS": 24,
    "CONSULTING_MONTHLY_QUOTA": 4,
    "CONSULTING_CANCEL_DEADLINE_HOURS": 24,
}
REMINDER_BEFORE = timedelta(hours=24)
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = Slot.MIN_MINUTES, Slot.MAX_MINUTES
MAX_BUFFER_MINUTES = AvailabilityRule.MAX_BUFFER_MINUTES
MAX_RANGE_DAYS = 366
MAX_GENERATED = 2000

TAKEN_MESSAGE = _l("This slot has just been booked by another city. Please choose another time.")
NO_SLOT_MESSAGE = _l("No slot with this id.")
#: How a slot's or a booking's status reads on the pages (the values stay the keys).
STATUS_LABELS = {
    Slot.OPEN: _l("open"),
    Booking.BOOKED: _l("booked"),
    Slot.REMOVED: _l("removed"),
    Booking.HELD: _l("held"),
    Booking.NO_SHOW: _l("no show"),
    Booking.CANCELLED: _l("cancelled"),
}
_TIME_RE = re.compile(AvailabilityRule.TIME_OF_DAY)
# "https://…", "javascript:…", "mailto:…", "www.…": text that is meant as a link (a scheme and
# a colon with no space after it), as opposed to a place such as "Town hall, room 2: 3rd floor".
_LOOKS_LIKE_URL = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:(?!\s)|www\.)", re.IGNORECASE)


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def when(value: datetime, tz_name: str | None) -> str:
    """A session's time as people read it in messages: in their zone, with its abbreviation."""
    return format_local(value, tz_name)


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def calendar_date(value, field_name: str) -> date:
    """A calendar date (not a time) within the service's years."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Invalid.field(field_name, _("Use a date such as 2027-03-31."))
    date_in_range(value, field_name)
    return value


def milestone(key: str | None, field_name: str = "milestone_key") -> str | None:
    key = (key or "").strip() or None
    if key is not None and not is_milestone_key(key):
        raise Invalid.field(field_name, _("Unknown milestone: use one of the keys of the milestone template."))
    return key


def meeting_place(value: str | None, field_name: str = "meeting_link") -> str | None:
    """Where a session happens: a video link (http or https only) or a place, on one line;
    None when empty (no place yet)."""
    text = single_line(value, field_name, column_length(Booking.meeting_link), required=False)
    if text is not None and _LOOKS_LIKE_URL.match(text):
        if text.lower().startswith("www."):
            raise Invalid.field(field_name, _("Start the link with https://, or write the place in words."))
        if any(ch.isspace() for ch in text):
            raise Invalid.field(field_name, _("A link has no spaces: give only the address."))
        return http_url(text, field_name, column_length(Booking.meeting_link))
    return text


def time_of_day(value: str, field_name: str) -> time:
    match = _TIME_RE.match((value or "").strip())
    if not match:
        raise Invalid.field(field_name, _("Use the 24-hour format HH:MM, e.g. 09:00."))
    return time(int(match.group(1)), int(match.group(2)))


def slot_minutes(value: int, field_name: str) -> int:
    if not MIN_SLOT_MINUTES <= int(value) <= MAX_SLOT_MINUTES:
        raise Invalid.field(
            field_name,
            _(
                "A slot lasts between %(min)d and %(max)d minutes.",
                min=MIN_SLOT_MINUTES,
                max=MAX_SLOT_MINUTES,
            ),
        )
    return int(value)


def status_label(status: str) -> str:
    """A slot's or a booking's status as people read it ("no show"), in the current language."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status.replace("_", " ")
