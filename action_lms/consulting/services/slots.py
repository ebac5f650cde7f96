"""Availability and slots: weekly patterns become concrete UTC slots, single slots, removal,
the week of open slots, and a consultant's schedule.

A consultant's slots never overlap: publishing and adding lock the consultant's row (on
PostgreSQL; SQLite serialises writers), and the partial unique index on (consultant, start)
backs it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, select

from ...accounts.models import City, User
from ...core.db import transactional
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import _, _l, format_pattern
from ...core.time import UTC, format_local, utcnow, zone
from ...core.validators import aware_utc, time_zone
from ...extensions import db
from ..models import AvailabilityRule, Booking, ConsultantExpertise, Slot
from .consultants import consultant_user, consultant_zone, consultant_zones
from .permissions import can_manage_any_consultant, can_manage_slots
from .rules import (
    MAX_BUFFER_MINUTES,
    MAX_GENERATED,
    MAX_RANGE_DAYS,
    MAX_SLOT_MINUTES,
    NO_SLOT_MESSAGE,
    calendar_date,
    is_postgres,
    policy,
    slot_minutes,
    time_of_day,
    when,
)

OVERLAP_CONFLICT = _l("This slot overlaps an existing slot. A consultant's slots never overlap.")
PUBLISH_CONFLICT = _l("Another change to this consultant's slots happened at the same time. Please try again.")


def managed_consultant(actor, consultant_id: int | None, lock: bool = True) -> User:
    """Whose slots the actor manages: a consultant their own, an admin the one named.

    With `lock` (publishing, adding) the consultant's row is locked on PostgreSQL, which
    serialises slot changes per consultant."""
    policy.require(actor, "slot.manage")
    if not can_manage_any_consultant(actor):
        if consultant_id is not None and not can_manage_slots(actor, consultant_id):
            raise Forbidden(_("You can only manage your own availability."))
        consultant_id = actor.id
    elif consultant_id is None:
        raise Invalid.field("consultant_id", _("Choose the consultant whose availability this is."))
    user = consultant_user(consultant_id, lock=lock)  # the lock serialises slot changes per consultant
    if user is None:
        raise Invalid.field("consultant_id", _("No consultant with this id."))
    return user


def _live_slots(consultant_id: int, start: datetime, end: datetime) -> list[Slot]:
    """The consultant's slots that are not removed and touch [start, end)."""
    return list(
        db.session.scalars(
            select(Slot)
            .where(
                Slot.consultant_id == consultant_id,
                Slot.status != Slot.REMOVED,
                Slot.starts_at < end,
                Slot.ends_at > start,
            )
            .order_by(Slot.starts_at)
        )
    )


def _span(slot: Slot, tz_name: str) -> str:
    return f"{when(slot.starts_at, tz_name)}–{format_local(slot.ends_at, tz_name, '%H:%M')}"


@dataclass
class GeneratedSlot:
    starts_at: datetime
    ends_at: datetime


@dataclass
class Skipped:
    starts_at: datetime | None
    local: str
    reason: str
    # For the second occurrence of a repeated local time: the start (UTC) of the first one.
    first: datetime | None = None


def _repeated_reason(first_utc: datetime, tz_name: str, created: bool) -> str:
    """Why the second occurrence of a wall-clock time that happens twice is skipped."""
    clock = format_local(first_utc, tz_name, "%H:%M")  # e.g. "01:30 WEST"
    hhmm = clock.split(" ", 1)[0]
    if created:
        return _(
            "%(time)s happens twice on this night (clocks go back); the slot was created at the first %(clock)s.",
            time=hhmm,
            clock=clock,
        )
    return _(
        "%(time)s happens twice on this night (clocks go back); only the first %(clock)s is used, "
        "and it was skipped as well.",
        time=hhmm,
        clock=clock,
    )


def generate_slot_times(
    weekdays,
    start_time: time,
    end_time: time,
    tz_name: str,
    slot_minutes: int,
    buffer_minutes: int,
    valid_from: date,
    valid_until: date,
) -> tuple[list[GeneratedSlot], list[Skipped]]:
    """Concrete slots in UTC from a weekly pattern in wall-clock time of `tz_name`.

    The pattern is applied to local dates and local times, then each start is converted,
    so 09:00 Madrid is 09:00 Madrid in winter (08:00 UTC) and in summer (07:00 UTC).
    Clock changes, each reported in `skipped` with a reason:
    - a local time that does not exist (clocks go forward) gets no slot;
    - a local time that happens twice (clocks go back) gets one slot, at its first
      occurrence (fold=0); the second occurrence is skipped;
    - a start that would overlap the slot before it (that slot lasts its real length, so it
      ends later on the clock when clocks go forward) is skipped: slots never overlap.
    """
    tz = zone(tz_name)
    days = set(weekdays)
    step = timedelta(minutes=slot_minutes + buffer_minutes)
    length = timedelta(minutes=slot_minutes)
    slots: list[GeneratedSlot] = []
    skipped: list[Skipped] = []
    day = valid_from
    while day <= valid_until:
        if day.weekday() in days:
            local = datetime.combine(day, start_time)
            window_end = datetime.combine(day, end_time)
            while local + length <= window_end:
                start_utc = local.replace(tzinfo=tz, fold=0).astimezone(UTC)  # the first occurrence
                end_utc = start_utc + length  # real duration, even across a clock change
                label = format_pattern(local, "%a %d %b %Y, %H:%M")
                if start_utc.astimezone(tz).replace(tzinfo=None) != local:
                    skipped.append(
                        Skipped(None, label, _("This local time does not exist on this day (clock change)."))
                    )
                    local += step
                    continue
                second_utc = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
                if second_utc != start_utc:
                    skipped.append(
                        Skipped(
                            second_utc,
                            when(second_utc, tz_name),
                            _repeated_reason(start_utc, tz_name, created=True),
                            first=start_utc,
                        )
                    )
                before = slots[-1] if slots else None
                if before is not None and start_utc < before.ends_at:
                    skipped.append(
                        Skipped(
                            start_utc,
                            when(start_utc, tz_name),
                            _(
                                "Overlaps the slot before it (%(start)s–%(end)s): clocks go forward this night, "
                                "so that slot ends later on the clock.",
                                start=when(before.starts_at, tz_name),
                                end=format_local(before.ends_at, tz_name, "%H:%M"),
                            ),
                        )
                    )
                else:
                    slots.append(GeneratedSlot(start_utc, end_utc))
                local += step
        day += timedelta(days=1)
    return slots, skipped


@dataclass
class PublishResult:
    rule: AvailabilityRule
    consultant: User
    slots: list[Slot] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class _Pattern:
    """A weekly availability, checked."""

    weekdays: list[int]
    start: time
    end: time
    slot_minutes: int
    buffer_minutes: int
    valid_from: date
    valid_until: date


def _pattern(
    weekdays, start_time: str, end_time: str, minutes: int, buffer_minutes: int, valid_from, valid_until
) -> _Pattern:
    days = sorted(set(weekdays or []))
    if not days or any(d not in range(7) for d in days):
        raise Invalid.field("weekdays", _("Choose at least one weekday (0 = Monday ... 6 = Sunday)."))
    start_t, end_t = time_of_day(start_time, "start_time"), time_of_day(end_time, "end_time")
    minutes = slot_minutes(minutes, "slot_minutes")
    if not 0 <= int(buffer_minutes or 0) <= MAX_BUFFER_MINUTES:
        raise Invalid.field("buffer_minutes", _("The buffer is between 0 and %(max)d minutes.", max=MAX_BUFFER_MINUTES))
    if end_t <= start_t:
        raise Invalid.field("end_time", _("The daily window must end after it starts (on the same day)."))
    window = (datetime.combine(date.min, end_t) - datetime.combine(date.min, start_t)).total_seconds() / 60
    if window < minutes:
        raise Invalid.field("end_time", _("The daily window is shorter than one slot."))
    first, last = calendar_date(valid_from, "valid_from"), calendar_date(valid_until, "valid_until")
    if last < first:
        raise Invalid.field("valid_until", _("The last day must not be before the first day."))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid.field("valid_until", _("Publish at most %(num)d days at a time.", num=MAX_RANGE_DAYS))
    return _Pattern(days, start_t, end_t, minutes, int(buffer_minutes or 0), first, last)


@transactional(PUBLISH_CONFLICT)
def publish_availability(
    actor,
    weekdays: list[int],
    start_time: str,
    end_time: str,
    timezone: str | None,
    slot_minutes: int,
    valid_from: date,
    valid_until: date,
    buffer_minutes: int = 0,
    consultant_id: int | None = None,
) -> PublishResult:
    """Turn a weekly pattern into concrete slots; clashes with existing slots are skipped and reported."""
    consultant = managed_consultant(actor, consultant_id)
    tz_name = time_zone(timezone or consultant_zone(consultant))
    p = _pattern(weekdays, start_time, end_time, slot_minutes, buffer_minutes, valid_from, valid_until)
    times, skipped = generate_slot_times(
        p.weekdays, p.start, p.end, tz_name, p.slot_minutes, p.buffer_minutes, p.valid_from, p.valid_until
    )
    if len(times) > MAX_GENERATED:
        raise Invalid.field(
            "valid_until",
            _("This would create more than %(num)d slots; publish a shorter range.", num=MAX_GENERATED),
        )
    rule = AvailabilityRule(
        consultant_id=consultant.id,
        weekdays=p.weekdays,
        start_time=p.start.strftime("%H:%M"),
        end_time=p.end.strftime("%H:%M"),
        timezone=tz_name,
        slot_minutes=p.slot_minutes,
        buffer_minutes=p.buffer_minutes,
        valid_from=p.valid_from,
        valid_until=p.valid_until,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(rule)
    db.session.flush()
    result = PublishResult(rule=rule, consultant=consultant, skipped=skipped)
    now = utcnow()
    existing = _live_slots(consultant.id, times[0].starts_at, times[-1].ends_at) if times else []
    for item in times:
        label = when(item.starts_at, tz_name)
        if item.starts_at <= now:
            result.skipped.append(Skipped(item.starts_at, label, _("This time is in the past.")))
            continue
        clash = next((s for s in existing if s.starts_at < item.ends_at and s.ends_at > item.starts_at), None)
        if clash is not None:
            result.skipped.append(
                Skipped(item.starts_at, label, _("Overlaps your existing slot %(span)s.", span=_span(clash, tz_name)))
            )
            continue
        slot = Slot(
            consultant_id=consultant.id,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            status=Slot.OPEN,
            availability_rule_id=rule.id,
            created_at=now,
        )
        db.session.add(slot)
        result.slots.append(slot)
    created = {s.starts_at for s in result.slots}
    for skip in result.skipped:
        if skip.first is not None and skip.first not in created:
            skip.reason = _repeated_reason(skip.first, tz_name, created=False)
    result.skipped.sort(key=lambda s: s.starts_at or datetime.min.replace(tzinfo=UTC))
    return result


def _add_slot(consultant: User, starts_at: datetime, duration_minutes: int) -> Slot:
    starts_at = aware_utc(starts_at, "starts_at")
    minutes = slot_minutes(duration_minutes, "duration_minutes")
    if starts_at <= utcnow():
        raise Invalid.field("starts_at", _("Choose a time in the future."))
    ends_at = starts_at + timedelta(minutes=minutes)
    clash = _live_slots(consultant.id, starts_at, ends_at)
    if clash:
        raise Conflict(
            _(
                "This slot overlaps the existing slot %(span)s. A consultant's slots never overlap.",
                span=_span(clash[0], consultant_zone(consultant)),
            )
        )
    slot = Slot(
        consultant_id=consultant.id, starts_at=starts_at, ends_at=ends_at, status=Slot.OPEN, created_at=utcnow()
    )
    db.session.add(slot)
    return slot


@transactional(OVERLAP_CONFLICT)
def create_slot(actor, starts_at: datetime, duration_minutes: int, consultant_id: int | None = None) -> Slot:
    """One slot (a consultant their own; an admin with consultant_id), at an aware time."""
    return _add_slot(managed_consultant(actor, consultant_id), starts_at, duration_minutes)


@transactional(OVERLAP_CONFLICT)
def create_local_slot(actor, starts_local: datetime, duration_minutes: int, consultant_id: int | None = None) -> Slot:
    """One slot at a wall-clock time (naive) of the consultant's working zone, as the
    schedule page asks for it."""
    consultant = managed_consultant(actor, consultant_id)
    starts_at = starts_local.replace(tzinfo=zone(consultant_zone(consultant)))
    return _add_slot(consultant, starts_at, duration_minutes)


def slot_for_update(slot_id: int) -> Slot | None:
    """The slot, locked on PostgreSQL for the rest of the transaction."""
    stmt = select(Slot).where(Slot.id == slot_id)
    if is_postgres():
        stmt = stmt.with_for_update(of=Slot)
    return db.session.scalar(stmt)


def get_slot(actor, slot_id: int) -> Slot:
    policy.require(actor, "slot.list")
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.status == Slot.REMOVED:
        raise NotFound(NO_SLOT_MESSAGE)
    return slot


@transactional()
def delete_slot(actor, slot_id: int) -> None:
    """Remove an open slot. A booked slot is refused: cancel the booking first."""
    policy.require(actor, "slot.manage")
    slot = slot_for_update(slot_id)
    if slot is None or slot.status == Slot.REMOVED:
        raise NotFound(NO_SLOT_MESSAGE)
    if not can_manage_slots(actor, slot.consultant_id):
        raise Forbidden(_("You can only remove your own slots."))
    if slot.status == Slot.BOOKED:
        city = db.session.scalar(
            select(City.name)
            .join(Booking, Booking.city_id == City.id)
            .where(Booking.slot_id == slot.id, Booking.status != Booking.CANCELLED)
        )
        if city:
            raise Conflict(
                _(
                    "This slot is booked by %(city)s. Cancel the booking first "
                    "(the city is told why), then remove the slot.",
                    city=city,
                )
            )
        raise Conflict(_("This slot is booked. Cancel the booking first (the city is told why), then remove the slot."))
    has_history = db.session.scalar(select(func.count(Booking.id)).where(Booking.slot_id == slot.id))
    if has_history:
        slot.status = Slot.REMOVED
    else:
        db.session.delete(slot)


def list_slots_query(
    actor,
    consultant_id: int | None = None,
    expertise: int | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
    status: str | None = None,
):
    """Slots, soonest first; by default those still ahead. Removed slots are never listed."""
    policy.require(actor, "slot.list")
    stmt = select(Slot).where(Slot.status != Slot.REMOVED).order_by(Slot.starts_at, Slot.id)
    if status:
        if status not in (Slot.OPEN, Slot.BOOKED):
            raise Invalid.field("status", _("Status is open or booked."))
        stmt = stmt.where(Slot.status == status)
    if consultant_id is not None:
        stmt = stmt.where(Slot.consultant_id == consultant_id)
    if expertise is not None:
        stmt = stmt.where(
            exists().where(
                ConsultantExpertise.user_id == Slot.consultant_id, ConsultantExpertise.commitment == expertise
            )
        )
    from_ = from_ or utcnow()
    # A slot ending after `from_` starts at most MAX_SLOT_MINUTES before it (both ways of
    # creating slots enforce the length): the bound on starts_at lets the database range-scan
    # the (status, starts_at, ends_at) index instead of reading every past slot.
    stmt = stmt.where(Slot.ends_at > from_)
    if from_ - datetime.min.replace(tzinfo=from_.tzinfo) > timedelta(minutes=MAX_SLOT_MINUTES):
        stmt = stmt.where(Slot.starts_at > from_ - timedelta(minutes=MAX_SLOT_MINUTES))
    if to is not None:
        stmt = stmt.where(Slot.starts_at < to)
    return stmt


def week_of_slots(
    actor, week_start: date, consultant_id: int | None = None, expertise: int | None = None, tz_name: str | None = None
) -> dict:
    """Open slots for the 7 local days from `week_start` in the viewer's zone, grouped by day.

    When the week has none, `next_open` is the first open slot after it (or from now, for a past
    week) with the same filters, and `next_week` the Monday of its week in the viewer's zone, so
    the page can say when to look instead of leaving the coordinator paging week by week.
    """
    tz = zone(tz_name or actor.timezone)
    start = datetime.combine(week_start, time()).replace(tzinfo=tz).astimezone(UTC)
    end = datetime.combine(week_start + timedelta(days=7), time()).replace(tzinfo=tz).astimezone(UTC)
    now = utcnow()
    stmt = list_slots_query(actor, consultant_id, expertise, max(start, now), end, Slot.OPEN)
    slots = list(db.session.scalars(stmt.limit(1000)))
    zones = consultant_zones(s.consultant_id for s in slots)
    days: dict[date, list[Slot]] = {week_start + timedelta(days=i): [] for i in range(7)}
    for slot in slots:
        local_day = slot.starts_at.astimezone(tz).date()
        if local_day in days:
            days[local_day].append(slot)
    next_open = next_week = None
    if not slots:
        next_open = next_open_slot(actor, max(end, now), consultant_id, expertise)
        if next_open is not None:
            day = next_open.starts_at.astimezone(tz).date()
            next_week = day - timedelta(days=day.weekday())
    return {"days": days, "zones": zones, "count": len(slots), "next_open": next_open, "next_week": next_week}


def next_open_slot(
    actor, after: datetime, consultant_id: int | None = None, expertise: int | None = None
) -> Slot | None:
    """The soonest open slot starting at or after `after`, with the week view's filters: one query."""
    stmt = list_slots_query(actor, consultant_id, expertise, after, None, Slot.OPEN)
    return db.session.scalars(stmt.where(Slot.starts_at >= after).limit(1)).first()


def consultant_schedule(actor, consultant_id: int | None = None) -> dict:
    """A consultant's upcoming slots with each booking (and the city's questions) in fixed queries."""
    consultant = managed_consultant(actor, consultant_id, lock=False)
    now = utcnow()
    slots = list(
        db.session.scalars(
            select(Slot)
            .where(Slot.consultant_id == consultant.id, Slot.status != Slot.REMOVED, Slot.ends_at > now)
            .order_by(Slot.starts_at)
            .limit(500)
        )
    )
    bookings = (
        {
            b.slot_id: b
            for b in db.session.scalars(
                select(Booking).where(Booking.slot_id.in_([s.id for s in slots]), Booking.status != Booking.CANCELLED)
            )
        }
        if slots
        else {}
    )
    past = list(
        db.session.scalars(
            select(Booking)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(Slot.consultant_id == consultant.id, Slot.starts_at <= now, Booking.status != Booking.CANCELLED)
            .order_by(Slot.starts_at.desc())
            .limit(50)
        )
    )
    return {
        "consultant": consultant,
        "zone": consultant_zone(consultant),
        "slots": slots,
        "bookings": bookings,
        "past": past,
    }
