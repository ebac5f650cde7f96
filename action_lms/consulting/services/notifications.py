"""Messages to both sides of a session, each in their own zone and language of time:
confirmation, cancellation, move, a new place to meet, reminder and the notes. Each is an outbox row with a
unique key, so nothing is sent twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from ...accounts.models import User
from ...core import outbox
from ...core.calendar import build_calendar
from ...core.db import transactional
from ...core.i18n import _, _l, in_language, user_language
from ...core.policy import COORDINATOR
from ...core.time import format_local, utcnow
from ...extensions import db
from ...plans.template import BY_KEY
from ..models import Booking, Slot
from .calendar import booking_event, booking_url
from .consultants import consultant_zone
from .rules import REMINDER_BEFORE, when

#: Each kind's subject, given the session's time as the recipient reads it; lazy, so the
#: outbox writes it in the recipient's language.
SUBJECTS: dict[str, Callable[[str], Any]] = {
    "confirmed": lambda when: _l("Consulting session booked: %(when)s", when=when),
    "cancelled": lambda when: _l("Consulting session cancelled: %(when)s", when=when),
    "rescheduled": lambda when: _l("Consulting session moved to %(when)s", when=when),
    "reminder": lambda when: _l("Reminder: consulting session %(when)s", when=when),
    "notes": lambda when: _l("Notes from your consulting session of %(when)s", when=when),
    "meeting_link": lambda when: _l("Where to meet for your consulting session %(when)s", when=when),
}
WITH_CALENDAR = ("confirmed", "rescheduled", "cancelled", "meeting_link")


def city_side(booking: Booking) -> list[User]:
    """The city's active coordinators, and whoever booked (an admin, for instance)."""
    people = list(
        db.session.scalars(
            select(User)
            .where(
                User.city_id == booking.city_id,
                User.role == COORDINATOR,
                User.active.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(User.id)
        )
    )
    if (
        booking.booked_by is not None
        and booking.booked_by.is_active
        and all(p.id != booking.booked_by_id for p in people)
    ):
        people.append(booking.booked_by)
    return people


def notify(
    booking: Booking,
    kind: str,
    actor=None,
    previous_start: datetime | None = None,
    previous_place: str | None = None,
) -> int:
    """Queue one message per person on each side, each in their own zone and language (the
    times in the text, the subject and the calendar file too). Returns how many."""
    slot = booking.slot
    consultant = slot.consultant
    consultant_tz = consultant_zone(consultant)
    recipients = [(p, "city") for p in city_side(booking)]
    if kind != "notes":
        recipients.append((consultant, "consultant"))
    attachment = None
    if kind in WITH_CALENDAR:
        attachment = (
            f"consulting-{booking.id}.ics",
            "text/calendar",
            lambda: build_calendar([booking_event(booking)], _("ACTION consulting")).decode("utf-8"),
        )
    queued = 0
    for person, side in recipients:
        tz_name = consultant_tz if side == "consultant" else person.timezone
        with in_language(user_language(person)):  # times spelled as the recipient reads them
            local = when(slot.starts_at, tz_name)
            context = {
                "booking": booking,
                "side": side,
                "when": local,
                "until": format_local(slot.ends_at, tz_name, "%H:%M"),
                "when_city": when(slot.starts_at, booking.city.timezone),
                "when_consultant": when(slot.starts_at, consultant_tz),
                "previous": when(previous_start, tz_name) if previous_start else None,
                "consultant": consultant,
                "city": booking.city,
                "url": booking_url(booking),
                "actor": actor,
                "milestone": BY_KEY.get(booking.milestone_key) if booking.milestone_key else None,
                "meeting_link": booking.meeting_link,
                "previous_place": previous_place,
            }
        key = f"consulting:{kind}:{booking.id}:{booking.sequence}:{person.id}"
        if outbox.queue(
            person,
            f"consulting_{kind}",
            SUBJECTS[kind](local),
            f"consulting/booking_{kind}.txt",
            context,
            key,
            attachment=attachment,
        ):
            queued += 1
    return queued


@transactional()
def send_booking_reminders(now: datetime | None = None) -> int:
    """Scheduler job: a reminder to both sides 24 hours before each booked session.

    Exactly once (the booking is claimed with a conditional UPDATE, and the outbox key is
    unique); none for cancelled bookings; none once the session has started. A job that
    was down catches up for sessions still ahead. Returns how many bookings were reminded.
    """
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == Booking.BOOKED,
                Booking.reminded_at.is_(None),
                Slot.starts_at > now,
                Slot.starts_at <= now + REMINDER_BEFORE,
            )
            .order_by(Slot.starts_at)
        )
    )
    sent = 0
    for booking in due:
        claimed = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.reminded_at.is_(None), Booking.status == Booking.BOOKED)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if not isinstance(claimed, CursorResult) or claimed.rowcount != 1:
            continue
        notify(booking, "reminder")
        sent += 1
    return sent
