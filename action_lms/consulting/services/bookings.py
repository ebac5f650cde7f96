"""Bookings: who sees which, the rules for taking a slot (notice, monthly quota), booking,
cancelling and moving, each one transaction.

Concurrency: booking locks the city row (monthly quota) and then the slot row (`FOR UPDATE`
on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE); the partial unique index
`uq_bookings_active_slot` is the last line of defence, its refusal a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ...accounts.models import City
from ...core.calendar import CalendarEvent
from ...core.db import flush_or_conflict, transactional
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import _, _l, format_pattern
from ...core.policy import OPERATOR
from ...core.time import UTC, utcnow, zone
from ...core.validators import EARLIEST_YEAR, LATEST_YEAR, column_length, multi_line, single_line
from ...extensions import db
from ..models import Booking, Slot
from .calendar import booking_event
from .consultants import annotate_slots
from .notifications import notify
from .permissions import (
    can_book_for_any_city,
    can_book_for_city,
    can_cancel_booking,
    can_override_deadline,
    can_reschedule_booking,
    can_set_meeting_link,
    can_view_booking,
    visible_bookings,
)
from .rules import NO_SLOT_MESSAGE, TAKEN_MESSAGE, is_postgres, meeting_place, milestone, policy, setting, when
from .slots import slot_for_update

NOT_VISIBLE = _l("No booking with this id, or it is not visible to you.")

# ---------------------------------------------------------------- seeing bookings


def booking_for(
    actor, booking_id: int, action: str, allowed: Callable[..., bool] = can_view_booking, lock: bool = False
) -> Booking:
    """The booking, if the actor's role may take `action` (else 403) and `allowed(actor,
    booking)` (else 404: another city's booking is not even acknowledged)."""
    policy.require(actor, action)
    stmt = select(Booking).where(Booking.id == booking_id)
    if lock and is_postgres():
        stmt = stmt.with_for_update(of=Booking)
    booking = db.session.scalar(stmt)
    if booking is None or not allowed(actor, booking):
        raise NotFound(NOT_VISIBLE)
    return booking


def get_booking(actor, booking_id: int) -> Booking:
    return booking_for(actor, booking_id, "booking.view")


def list_bookings_query(
    actor,
    status: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
    city_id: int | None = None,
    consultant_id: int | None = None,
    upcoming: bool | None = None,
):
    """The bookings the actor sees, filtered: soonest first, or the latest first for past sessions."""
    policy.require(actor, "booking.list")
    stmt = visible_bookings(select(Booking).join(Slot, Slot.id == Booking.slot_id), actor)
    if status:
        if status not in Booking.STATUSES:
            raise Invalid.field("status", _("Status is one of: %(statuses)s.", statuses=", ".join(Booking.STATUSES)))
        stmt = stmt.where(Booking.status == status)
    if city_id is not None:
        stmt = stmt.where(Booking.city_id == city_id)
    if consultant_id is not None:
        stmt = stmt.where(Slot.consultant_id == consultant_id)
    if from_ is not None:
        stmt = stmt.where(Slot.ends_at > from_)
    if to is not None:
        stmt = stmt.where(Slot.starts_at < to)
    if upcoming is True:
        return stmt.where(Slot.ends_at > utcnow()).order_by(Slot.starts_at, Booking.id)
    if upcoming is False:
        return stmt.where(Slot.ends_at <= utcnow()).order_by(Slot.starts_at.desc(), Booking.id.desc())
    return stmt.order_by(Slot.starts_at, Booking.id)


def bookings_for_operator(city: str | None = None, status: str | None = None, upcoming: bool = False) -> list[Booking]:
    """Every city's bookings for the operator at the shell (`flask consulting bookings`), soonest
    first; `city` is a city's name (any case), `upcoming` keeps the sessions not yet over."""
    city_id = None
    if city is not None:
        name = city.strip()
        city_id = db.session.scalars(select(City.id).where(func.lower(City.name) == name.lower())).first()
        if city_id is None:
            raise NotFound(f"No city is named {name!r}.")
    stmt = list_bookings_query(OPERATOR, status=status, city_id=city_id, upcoming=True if upcoming else None)
    return list(db.session.scalars(stmt))


def list_bookings(actor, status: str | None = None, upcoming: bool | None = None, limit: int = 200) -> list[Booking]:
    """At most `limit` bookings the actor sees, with the consultants' zones (for the pages)."""
    stmt = list_bookings_query(actor, status=status, upcoming=upcoming).limit(limit)
    return annotate_slots(db.session.scalars(stmt))


def upcoming_and_past_bookings(actor, status: str | None = None) -> tuple[list[Booking], list[Booking]]:
    """The bookings page: the next 200 sessions and the last 100, zones in one query."""
    upcoming = list(db.session.scalars(list_bookings_query(actor, status=status, upcoming=True).limit(200)))
    past = list(db.session.scalars(list_bookings_query(actor, status=status, upcoming=False).limit(100)))
    annotate_slots(upcoming + past)
    return upcoming, past


def booking_calendar(actor, booking_id: int) -> tuple[list[CalendarEvent], str]:
    booking = get_booking(actor, booking_id)
    return [booking_event(booking)], f"consulting-{booking.id}.ics"


# ---------------------------------------------------------------- rules for taking a slot


def bookable_cities(actor) -> list[City]:
    """The cities the actor may book for: all of them for the office, else their own."""
    if can_book_for_any_city(actor):
        return list(db.session.scalars(select(City).order_by(City.name)))
    if actor.city is not None and can_book_for_city(actor, actor.city_id):
        return [actor.city]
    return []


def _booking_city(actor, city_id: int | None) -> City:
    """The city a booking is for, locked: bookings of one city are serialised (monthly quota)."""
    if not can_book_for_any_city(actor):
        if city_id is not None and not can_book_for_city(actor, city_id):
            raise Forbidden(_("Coordinators book sessions for their own city."))
        city_id = actor.city_id
    elif city_id is None:
        raise Invalid.field("city_id", _("Choose the city this session is for."))
    stmt = select(City).where(City.id == city_id)
    if is_postgres():
        stmt = stmt.with_for_update(of=City)
    city = db.session.scalar(stmt)
    if city is None:
        raise Invalid.field("city_id", _("No city with this id."))
    return city


def _month_bounds(moment: datetime, tz_name: str) -> tuple[datetime, datetime, str]:
    tz = zone(tz_name)
    local = moment.astimezone(tz)
    first = date(local.year, local.month, 1)
    nxt = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
    start = datetime.combine(first, time()).replace(tzinfo=tz).astimezone(UTC)
    end = datetime.combine(nxt, time()).replace(tzinfo=tz).astimezone(UTC)
    return start, end, format_pattern(local, "%B %Y")


def _check_bookable(actor, slot: Slot, city: City, now: datetime, exclude_booking_id: int | None = None) -> None:
    """The rules for taking a slot, each refusal a sentence a coordinator understands."""
    if not EARLIEST_YEAR <= slot.starts_at.year <= LATEST_YEAR:
        # Stored before the date rules (e.g. year 9999): no session can take place then, and the
        # month arithmetic of the quota would leave the calendar.
        raise Conflict(
            _(
                "This slot is not between %(first)d and %(last)d, so it cannot be booked. Please choose another time.",
                first=EARLIEST_YEAR,
                last=LATEST_YEAR,
            )
        )
    if slot.starts_at <= now:
        raise Conflict(_("This slot is in the past. Please choose a later time."))
    if slot.status == Slot.BOOKED:
        raise Conflict(TAKEN_MESSAGE)
    notice = setting("CONSULTING_MIN_NOTICE_HOURS")
    if slot.starts_at < now + timedelta(hours=notice):
        raise Conflict(
            _(
                "Sessions must be booked at least %(hours)d hours ahead, so the expert can prepare. "
                "Please choose a slot after %(when)s.",
                hours=notice,
                when=when(now + timedelta(hours=notice), actor.timezone),
            )
        )
    quota = setting("CONSULTING_MONTHLY_QUOTA")
    start, end, month = _month_bounds(slot.starts_at, city.timezone)
    stmt = (
        select(func.count(Booking.id))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.city_id == city.id,
            Booking.status.in_(Booking.ACTIVE),
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
    )
    if exclude_booking_id is not None:
        stmt = stmt.where(Booking.id != exclude_booking_id)
    if (db.session.scalar(stmt) or 0) >= quota:
        raise Conflict(
            _(
                "%(city)s already has %(quota)d consulting sessions in %(month)s, the monthly limit. "
                "Please choose a slot in another month, or ask the ACTION office.",
                city=city.name,
                quota=quota,
                month=month,
            )
        )


def open_slots_for_reschedule(actor, booking: Booking) -> list[Slot]:
    """Where a booking may move: the same consultant's open slots beyond the notice period."""
    after = utcnow() + timedelta(hours=setting("CONSULTING_MIN_NOTICE_HOURS"))
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.consultant_id == booking.slot.consultant_id, Slot.status == Slot.OPEN, Slot.starts_at > after)
            .order_by(Slot.starts_at)
            .limit(100)
        )
    )


# ---------------------------------------------------------------- booking, cancelling, moving


@transactional(TAKEN_MESSAGE)
def book_slot(
    actor,
    slot_id: int,
    topic: str,
    questions: str,
    milestone_key: str | None = None,
    city_id: int | None = None,
    meeting_link: str | None = None,
) -> Booking:
    """A coordinator (or an admin for a city) books an open slot. Exactly one booking per slot wins.
    The city may propose where to meet (`meeting_link`); the expert may change it later."""
    policy.require(actor, "booking.create")
    subject = single_line(topic, "topic", column_length(Booking.topic))
    sent_ahead = multi_line(questions, "questions", Booking.MAX_QUESTIONS) or ""
    milestone_key = milestone(milestone_key)
    place = meeting_place(meeting_link)
    city = _booking_city(actor, city_id)
    slot = slot_for_update(slot_id)
    if slot is None or slot.status == Slot.REMOVED:
        raise NotFound(NO_SLOT_MESSAGE)
    now = utcnow()
    _check_bookable(actor, slot, city, now)
    booking = Booking(
        slot=slot,
        city=city,
        booked_by_id=actor.id,
        topic=subject,
        questions=sent_ahead,
        milestone_key=milestone_key,
        meeting_link=place,
        status=Booking.BOOKED,
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    slot.status = Slot.BOOKED
    db.session.add(booking)
    flush_or_conflict(TAKEN_MESSAGE)  # the slot is ours before anyone is told
    notify(booking, "confirmed")
    return booking


def _check_deadline(actor, booking: Booking, change: str) -> None:
    """`change` is "cancel" or "move": each refusal is its own sentence."""
    hours = setting("CONSULTING_CANCEL_DEADLINE_HOURS")
    if not can_override_deadline(actor) and booking.slot.starts_at - utcnow() < timedelta(hours=hours):
        starts = when(booking.slot.starts_at, actor.timezone)
        if change == "move":
            raise Conflict(
                _(
                    "Bookings can be moved up to %(hours)d hours before the session, and this one starts "
                    "%(when)s. Please ask the ACTION office to do it.",
                    hours=hours,
                    when=starts,
                )
            )
        raise Conflict(
            _(
                "Bookings can be cancelled up to %(hours)d hours before the session, and this one starts "
                "%(when)s. Please ask the ACTION office to do it.",
                hours=hours,
                when=starts,
            )
        )


@transactional()
def cancel_booking(actor, booking_id: int, reason: str) -> Booking:
    """Cancel with a reason: the slot reopens and both sides are told."""
    booking = booking_for(actor, booking_id, "booking.cancel", can_cancel_booking, lock=True)
    if booking.status == Booking.CANCELLED:
        raise Conflict(_("This booking is already cancelled."))
    if booking.status != Booking.BOOKED:
        raise Conflict(_("This session has already taken place, so it can no longer be cancelled."))
    why = multi_line(reason, "reason", Booking.MAX_CANCEL_REASON, required=True)
    _check_deadline(actor, booking, "cancel")
    slot = slot_for_update(booking.slot_id) or booking.slot
    now = utcnow()
    booking.status = Booking.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by_id = actor.id
    booking.cancel_reason = why
    booking.sequence += 1
    booking.updated_at = now
    if slot.status == Slot.BOOKED:
        slot.status = Slot.OPEN
    db.session.flush()
    notify(booking, "cancelled", actor=actor)
    return booking


@transactional(TAKEN_MESSAGE)
def reschedule_booking(actor, booking_id: int, new_slot_id: int) -> Booking:
    """Move a booking to another open slot of the same consultant, in one step or not at all."""
    booking = booking_for(actor, booking_id, "booking.reschedule", can_reschedule_booking, lock=True)
    if booking.status != Booking.BOOKED:
        raise Conflict(_("Only an upcoming booking can be moved."))
    if new_slot_id == booking.slot_id:
        raise Conflict(_("The booking is already in this slot."))
    _check_deadline(actor, booking, "move")
    city = _booking_city(actor, booking.city_id)
    locked = {s.id: s for s in (slot_for_update(i) for i in sorted([booking.slot_id, new_slot_id])) if s is not None}
    old_slot, new_slot = locked.get(booking.slot_id, booking.slot), locked.get(new_slot_id)
    if new_slot is None or new_slot.status == Slot.REMOVED:
        raise NotFound(NO_SLOT_MESSAGE)
    if new_slot.consultant_id != old_slot.consultant_id:
        raise Conflict(
            _(
                "A booking can only move to another slot of the same consultant. "
                "To see another expert, cancel this booking and book again."
            )
        )
    now = utcnow()
    _check_bookable(actor, new_slot, city, now, exclude_booking_id=booking.id)
    previous_start = old_slot.starts_at
    old_slot.status = Slot.OPEN
    db.session.flush()  # the old slot is free before the booking points at the new one
    booking.slot = new_slot
    new_slot.status = Slot.BOOKED
    booking.sequence += 1
    booking.reminded_at = None
    booking.updated_at = now
    flush_or_conflict(TAKEN_MESSAGE)  # the new slot is ours before anyone is told
    notify(booking, "rescheduled", actor=actor, previous_start=previous_start)
    return booking


@transactional()
def set_meeting_link(actor, booking_id: int, meeting_link: str | None) -> Booking:
    """The expert (or the office) says where the session happens: a video link or a place;
    empty removes it. A change tells both sides, with the calendar file's SEQUENCE raised;
    the same value again changes nothing."""
    booking = booking_for(actor, booking_id, "booking.meeting_link", can_set_meeting_link, lock=True)
    if booking.status != Booking.BOOKED:
        raise Conflict(_("Where to meet can only be set for an upcoming session, not a cancelled or past one."))
    place = meeting_place(meeting_link)
    if place == booking.meeting_link:
        return booking
    previous = booking.meeting_link
    booking.meeting_link = place
    booking.sequence += 1
    booking.updated_at = utcnow()
    db.session.flush()
    notify(booking, "meeting_link", actor=actor, previous_place=previous)
    return booking
