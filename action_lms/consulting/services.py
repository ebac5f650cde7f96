"""Business rules of the consulting domain.

Every rule lives here once; api.py and views.py translate. Write functions are one
transaction each and commit. Concurrency:
- SQLite: every write request starts with BEGIN IMMEDIATE (core.db), so writers are serialised.
- PostgreSQL: booking locks the city row (monthly quota) and then the slot row (`FOR UPDATE`);
  publishing slots locks the consultant's row (no overlapping slots); the partial unique
  index `uq_bookings_active_slot` is the last line of defence (an IntegrityError becomes a 409).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import City, User
from ..core import outbox
from ..core.calendar import CalendarEvent, build_calendar
from ..core.db import commit_or_conflict, is_unique_violation
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.policy import ADMIN, ANY_USER, CONSULTANT, COORDINATOR, Policy
from ..core.time import UTC, format_local, is_valid_timezone, utcnow, zone
from ..core.validators import EARLIEST_YEAR, LATEST_YEAR, column_length, date_in_range, multi_line, single_line
from ..extensions import db
from ..plans.template import BY_KEY, COMMITMENTS, is_milestone_key
from .models import AvailabilityRule, Booking, ConsultantExpertise, ConsultantProfile, FollowUp, Slot

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
        "overview.view": {ADMIN},
    },
)

DEFAULTS = {
    "CONSULTING_MIN_NOTICE_HOURS": 24,
    "CONSULTING_MONTHLY_QUOTA": 4,
    "CONSULTING_CANCEL_DEADLINE_HOURS": 24,
}
REMINDER_BEFORE = timedelta(hours=24)
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 15, 480
MAX_BUFFER_MINUTES = 240
MAX_RANGE_DAYS = 366
MAX_GENERATED = 2000
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _when(value: datetime, tz_name: str | None) -> str:
    return format_local(value, tz_name)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


MAX_BIO = 4000
MAX_LANGUAGE = 40
MAX_QUESTIONS = 10000
MAX_REASON = 2000
MAX_SUMMARY = 20000
MAX_FOLLOW_UP_TEXT = 2000


def _aware_in_range(value, field_name: str) -> datetime:
    """An aware time within the service's years, in UTC."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise Invalid.field(field_name, "Give the time with its offset, e.g. 2027-03-01T10:00:00+01:00.")
    date_in_range(value, field_name)  # before converting: year 9999 with an offset overflows in UTC
    value = value.astimezone(UTC)
    date_in_range(value, field_name)
    return value


def _date(value, field_name: str) -> date:
    """A calendar date (not a time) within the service's years."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Invalid.field(field_name, "Use a date such as 2027-03-31.")
    date_in_range(value, field_name)
    return value


def _milestone(key: str | None, field_name: str = "milestone_key") -> str | None:
    key = (key or "").strip() or None
    if key is not None and not is_milestone_key(key):
        raise Invalid.field(field_name, "Unknown milestone: use one of the keys of the milestone template.")
    return key


# ---------------------------------------------------------------- consultants and profiles


def consultant_zones(consultant_ids) -> dict[int, str]:
    """The time zone each consultant works in (profile zone, else their account zone): one query."""
    ids = list({i for i in consultant_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, func.coalesce(ConsultantProfile.timezone, User.timezone))
        .outerjoin(ConsultantProfile, ConsultantProfile.user_id == User.id)
        .where(User.id.in_(ids))
    )
    return {key: value for key, value in rows}


def annotate_slots(slots) -> list:
    """Set `consultant_timezone` on each slot (or booking's slot) in one query."""
    slot_list = [getattr(s, "slot", s) for s in slots]
    zones = consultant_zones(s.consultant_id for s in slot_list)
    for slot in slot_list:
        slot.consultant_timezone = zones.get(slot.consultant_id)
    return list(slots)


def consultant_zone(user: User) -> str:
    return consultant_zones([user.id]).get(user.id, user.timezone)


def list_consultants_query(actor, expertise: int | None = None):
    policy.require(actor, "consultant.list")
    stmt = (
        select(User)
        .where(User.role == CONSULTANT, User.active.is_(True), User.erased_at.is_(None))
        .order_by(User.name, User.id)
    )
    if expertise is not None:
        stmt = stmt.where(
            exists().where(ConsultantExpertise.user_id == User.id, ConsultantExpertise.commitment == expertise)
        )
    return stmt


def consultant_cards(users: list[User]) -> list[dict]:
    """Consultants with their profile and expertise, in two queries however many."""
    ids = [u.id for u in users]
    profiles = (
        {p.user_id: p for p in db.session.scalars(select(ConsultantProfile).where(ConsultantProfile.user_id.in_(ids)))}
        if ids
        else {}
    )
    expertise: dict[int, list[int]] = defaultdict(list)
    if ids:
        for uid, commitment in db.session.execute(
            select(ConsultantExpertise.user_id, ConsultantExpertise.commitment)
            .where(ConsultantExpertise.user_id.in_(ids))
            .order_by(ConsultantExpertise.commitment)
        ):
            expertise[uid].append(commitment)
    cards = []
    for user in users:
        profile = profiles.get(user.id)
        cards.append(
            {
                "id": user.id,
                "name": user.name,
                "expertise": expertise.get(user.id, []),
                "expertise_titles": [COMMITMENTS[c] for c in expertise.get(user.id, [])],
                "timezone": profile.timezone if profile else user.timezone,
                "languages": list(profile.languages) if profile else [],
                "bio": profile.bio if profile else "",
            }
        )
    return cards


def _consultant_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != CONSULTANT or user.erased_at is not None:
        raise NotFound("No consultant with this id.")
    return user


def get_consultant(actor, user_id: int) -> dict:
    policy.require(actor, "consultant.list")
    return consultant_cards([_consultant_user(user_id)])[0]


def update_profile(
    actor,
    user_id: int,
    expertise: list[int] | None = None,
    languages: list[str] | None = None,
    bio: str | None = None,
    timezone: str | None = None,
) -> dict:
    """A consultant edits their own profile; an admin edits anyone's."""
    policy.require(actor, "profile.edit")
    if actor.role == CONSULTANT and actor.id != user_id:
        raise Forbidden("You can only edit your own consultant profile.")
    user = _consultant_user(user_id)
    profile = db.session.get(ConsultantProfile, user.id)
    if profile is None:
        profile = ConsultantProfile(user_id=user.id, languages=[], bio="", timezone=user.timezone)
        db.session.add(profile)
    if timezone is not None:
        if not is_valid_timezone(timezone):
            raise Invalid.field("timezone", "Unknown time zone: use an IANA name such as Europe/Berlin.")
        profile.timezone = timezone
    if bio is not None:
        profile.bio = multi_line(bio, "bio", MAX_BIO) or ""
    if languages is not None:
        cleaned = []
        for lang in languages:
            lang = single_line(lang, "languages", MAX_LANGUAGE, required=False)
            if lang is None:
                continue
            if lang not in cleaned:
                cleaned.append(lang)
        if len(cleaned) > 20:
            raise Invalid.field("languages", "List at most 20 languages.")
        profile.languages = cleaned
    if expertise is not None:
        wanted = sorted(set(expertise))
        if any(c not in COMMITMENTS for c in wanted):
            raise Invalid.field("expertise", "Expertise is a list of commitment numbers from 1 to 10.")
        db.session.execute(delete(ConsultantExpertise).where(ConsultantExpertise.user_id == user.id))
        db.session.add_all(ConsultantExpertise(user_id=user.id, commitment=c) for c in wanted)
    profile.updated_at = utcnow()
    db.session.commit()
    return consultant_cards([user])[0]


# ---------------------------------------------------------------- slots


def _target_consultant(actor, consultant_id: int | None, lock: bool = True) -> User:
    """Whose slots the actor manages: a consultant their own, an admin the one named."""
    policy.require(actor, "slot.manage")
    if actor.role == CONSULTANT:
        if consultant_id not in (None, actor.id):
            raise Forbidden("You can only manage your own availability.")
        consultant_id = actor.id
    elif consultant_id is None:
        raise Invalid.field("consultant_id", "Choose the consultant whose availability this is.")
    stmt = select(User).where(User.id == consultant_id)
    if lock and _is_postgres():
        stmt = stmt.with_for_update(of=User)  # serialises slot publishing per consultant
    user = db.session.scalar(stmt)
    if user is None or user.role != CONSULTANT or user.erased_at is not None:
        raise Invalid.field("consultant_id", "No consultant with this id.")
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


def _parse_time(value: str, field_name: str) -> time:
    match = _TIME_RE.match((value or "").strip())
    if not match:
        raise Invalid.field(field_name, "Use the 24-hour format HH:MM, e.g. 09:00.")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass
class GeneratedSlot:
    starts_at: datetime
    ends_at: datetime


@dataclass
class Skipped:
    starts_at: datetime | None
    local: str
    reason: str


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
    A local time that does not exist on a clock-change day is skipped and reported.
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
                start_utc = local.replace(tzinfo=tz).astimezone(UTC)
                end_utc = start_utc + length  # real duration, even across a clock change
                label = local.strftime("%a %d %b %Y, %H:%M")
                if start_utc.astimezone(tz).replace(tzinfo=None) != local:
                    skipped.append(Skipped(None, label, "This local time does not exist on this day (clock change)."))
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
    consultant = _target_consultant(actor, consultant_id)
    tz_name = timezone or consultant_zone(consultant)
    if not is_valid_timezone(tz_name):
        raise Invalid.field("timezone", "Unknown time zone: use an IANA name such as Europe/Berlin.")
    days = sorted(set(weekdays or []))
    if not days or any(d not in range(7) for d in days):
        raise Invalid.field("weekdays", "Choose at least one weekday (0 = Monday ... 6 = Sunday).")
    start_t, end_t = _parse_time(start_time, "start_time"), _parse_time(end_time, "end_time")
    if not MIN_SLOT_MINUTES <= int(slot_minutes) <= MAX_SLOT_MINUTES:
        raise Invalid.field("slot_minutes", f"A slot lasts between {MIN_SLOT_MINUTES} and {MAX_SLOT_MINUTES} minutes.")
    if not 0 <= int(buffer_minutes or 0) <= MAX_BUFFER_MINUTES:
        raise Invalid.field("buffer_minutes", f"The buffer is between 0 and {MAX_BUFFER_MINUTES} minutes.")
    if end_t <= start_t:
        raise Invalid.field("end_time", "The daily window must end after it starts (on the same day).")
    window = (datetime.combine(date.min, end_t) - datetime.combine(date.min, start_t)).total_seconds() / 60
    if window < slot_minutes:
        raise Invalid.field("end_time", "The daily window is shorter than one slot.")
    valid_from, valid_until = _date(valid_from, "valid_from"), _date(valid_until, "valid_until")
    if valid_until < valid_from:
        raise Invalid.field("valid_until", "The last day must not be before the first day.")
    if (valid_until - valid_from).days >= MAX_RANGE_DAYS:
        raise Invalid.field("valid_until", f"Publish at most {MAX_RANGE_DAYS} days at a time.")

    times, skipped = generate_slot_times(
        days, start_t, end_t, tz_name, int(slot_minutes), int(buffer_minutes or 0), valid_from, valid_until
    )
    if len(times) > MAX_GENERATED:
        raise Invalid.field(
            "valid_until", f"This would create more than {MAX_GENERATED} slots; publish a shorter range."
        )
    rule = AvailabilityRule(
        consultant_id=consultant.id,
        weekdays=days,
        start_time=start_t.strftime("%H:%M"),
        end_time=end_t.strftime("%H:%M"),
        timezone=tz_name,
        slot_minutes=int(slot_minutes),
        buffer_minutes=int(buffer_minutes or 0),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(rule)
    db.session.flush()
    result = PublishResult(rule=rule, consultant=consultant, skipped=skipped)
    now = utcnow()
    existing = _live_slots(consultant.id, times[0].starts_at, times[-1].ends_at) if times else []
    for item in times:
        label = _when(item.starts_at, tz_name)
        if item.starts_at <= now:
            result.skipped.append(Skipped(item.starts_at, label, "This time is in the past."))
            continue
        clash = next((s for s in existing if s.starts_at < item.ends_at and s.ends_at > item.starts_at), None)
        if clash is not None:
            result.skipped.append(
                Skipped(
                    item.starts_at,
                    label,
                    f"Overlaps your existing slot {_when(clash.starts_at, tz_name)}"
                    f"–{format_local(clash.ends_at, tz_name, '%H:%M')}.",
                )
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
    commit_or_conflict("Another change to this consultant's slots happened at the same time. Please try again.")
    result.skipped.sort(key=lambda s: s.starts_at or datetime.min.replace(tzinfo=UTC))
    return result


def create_slot(actor, starts_at: datetime, duration_minutes: int, consultant_id: int | None = None) -> Slot:
    consultant = _target_consultant(actor, consultant_id)
    starts_at = _aware_in_range(starts_at, "starts_at")
    if not MIN_SLOT_MINUTES <= int(duration_minutes) <= MAX_SLOT_MINUTES:
        raise Invalid.field(
            "duration_minutes", f"A slot lasts between {MIN_SLOT_MINUTES} and {MAX_SLOT_MINUTES} minutes."
        )
    if starts_at <= utcnow():
        raise Invalid.field("starts_at", "Choose a time in the future.")
    ends_at = starts_at + timedelta(minutes=int(duration_minutes))
    clash = _live_slots(consultant.id, starts_at, ends_at)
    if clash:
        tz_name = consultant_zone(consultant)
        raise Conflict(
            f"This slot overlaps the existing slot {_when(clash[0].starts_at, tz_name)}"
            f"–{format_local(clash[0].ends_at, tz_name, '%H:%M')}. A consultant's slots never overlap."
        )
    slot = Slot(
        consultant_id=consultant.id, starts_at=starts_at, ends_at=ends_at, status=Slot.OPEN, created_at=utcnow()
    )
    db.session.add(slot)
    commit_or_conflict("This slot overlaps an existing slot. A consultant's slots never overlap.")
    return slot


def _slot_for_update(slot_id: int) -> Slot | None:
    stmt = select(Slot).where(Slot.id == slot_id)
    if _is_postgres():
        stmt = stmt.with_for_update(of=Slot)
    return db.session.scalar(stmt)


def get_slot(actor, slot_id: int) -> Slot:
    policy.require(actor, "slot.list")
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.status == Slot.REMOVED:
        raise NotFound("No slot with this id.")
    return slot


def delete_slot(actor, slot_id: int) -> None:
    """Remove an open slot. A booked slot is refused: cancel the booking first."""
    policy.require(actor, "slot.manage")
    slot = _slot_for_update(slot_id)
    if slot is None or slot.status == Slot.REMOVED:
        raise NotFound("No slot with this id.")
    if actor.role == CONSULTANT and slot.consultant_id != actor.id:
        raise Forbidden("You can only remove your own slots.")
    if slot.status == Slot.BOOKED:
        city = db.session.scalar(
            select(City.name)
            .join(Booking, Booking.city_id == City.id)
            .where(Booking.slot_id == slot.id, Booking.status != Booking.CANCELLED)
        )
        raise Conflict(
            f"This slot is booked{' by ' + city if city else ''}. Cancel the booking first "
            "(the city is told why), then remove the slot."
        )
    has_history = db.session.scalar(select(func.count(Booking.id)).where(Booking.slot_id == slot.id))
    if has_history:
        slot.status = Slot.REMOVED
    else:
        db.session.delete(slot)
    db.session.commit()


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
            raise Invalid.field("status", "Status is open or booked.")
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
    days = {week_start + timedelta(days=i): [] for i in range(7)}
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


# ---------------------------------------------------------------- bookings: visibility


def _visible(stmt, actor):
    """Restrict a Booking select to what the actor may see."""
    if actor.role == ADMIN:
        return stmt
    if actor.role == COORDINATOR:
        return stmt.where(Booking.city_id == actor.city_id)
    if actor.role == CONSULTANT:
        return stmt.where(Booking.slot_id.in_(select(Slot.id).where(Slot.consultant_id == actor.id)))
    return stmt.where(False)


def _get_visible_booking(actor, booking_id: int, action: str, lock: bool = False) -> Booking:
    policy.require(actor, action)
    stmt = _visible(select(Booking).where(Booking.id == booking_id), actor)
    if lock and _is_postgres():
        stmt = stmt.with_for_update(of=Booking)
    booking = db.session.scalar(stmt)
    if booking is None:
        raise NotFound("No booking with this id, or it is not visible to you.")
    return booking


def get_booking(actor, booking_id: int) -> Booking:
    return _get_visible_booking(actor, booking_id, "booking.view")


def list_bookings_query(
    actor,
    status: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
    city_id: int | None = None,
    consultant_id: int | None = None,
    upcoming: bool | None = None,
):
    policy.require(actor, "booking.list")
    stmt = _visible(select(Booking).join(Slot, Slot.id == Booking.slot_id), actor)
    if status:
        if status not in Booking.STATUSES:
            raise Invalid.field("status", "Status is one of: " + ", ".join(Booking.STATUSES) + ".")
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
        stmt = stmt.where(Slot.ends_at > utcnow()).order_by(Slot.starts_at, Booking.id)
    elif upcoming is False:
        stmt = stmt.where(Slot.ends_at <= utcnow()).order_by(Slot.starts_at.desc(), Booking.id.desc())
    else:
        stmt = stmt.order_by(Slot.starts_at, Booking.id)
    return stmt


# ---------------------------------------------------------------- bookings: rules


def _booking_city(actor, city_id: int | None) -> City:
    if actor.role == COORDINATOR:
        if city_id not in (None, actor.city_id):
            raise Forbidden("Coordinators book sessions for their own city.")
        city_id = actor.city_id
    elif city_id is None:
        raise Invalid.field("city_id", "Choose the city this session is for.")
    stmt = select(City).where(City.id == city_id)
    if _is_postgres():
        stmt = stmt.with_for_update(of=City)  # bookings of one city are serialised (monthly quota)
    city = db.session.scalar(stmt)
    if city is None:
        raise Invalid.field("city_id", "No city with this id.")
    return city


def _month_bounds(moment: datetime, tz_name: str) -> tuple[datetime, datetime, str]:
    tz = zone(tz_name)
    local = moment.astimezone(tz)
    first = date(local.year, local.month, 1)
    nxt = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
    start = datetime.combine(first, time()).replace(tzinfo=tz).astimezone(UTC)
    end = datetime.combine(nxt, time()).replace(tzinfo=tz).astimezone(UTC)
    return start, end, local.strftime("%B %Y")


def _check_bookable(actor, slot: Slot, city: City, now: datetime, exclude_booking_id: int | None = None) -> None:
    """The rules for taking a slot, each refusal a sentence a coordinator understands."""
    if not EARLIEST_YEAR <= slot.starts_at.year <= LATEST_YEAR:
        # Stored before the date rules (e.g. year 9999): no session can take place then, and the
        # month arithmetic of the quota would leave the calendar.
        raise Conflict(
            f"This slot is not between {EARLIEST_YEAR} and {LATEST_YEAR}, so it cannot be booked. "
            "Please choose another time."
        )
    if slot.starts_at <= now:
        raise Conflict("This slot is in the past. Please choose a later time.")
    if slot.status == Slot.BOOKED:
        raise Conflict("This slot has just been booked by another city. Please choose another time.")
    notice = setting("CONSULTING_MIN_NOTICE_HOURS")
    if slot.starts_at < now + timedelta(hours=notice):
        raise Conflict(
            f"Sessions must be booked at least {notice} hours ahead, so the expert can prepare. "
            f"Please choose a slot after {_when(now + timedelta(hours=notice), actor.timezone)}."
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
            f"{city.name} already has {quota} consulting sessions in {month}, the monthly limit. "
            "Please choose a slot in another month, or ask the ACTION office."
        )


def book_slot(
    actor, slot_id: int, topic: str, questions: str, milestone_key: str | None = None, city_id: int | None = None
) -> Booking:
    """A coordinator (or an admin for a city) books an open slot. Exactly one booking per slot wins."""
    policy.require(actor, "booking.create")
    topic = single_line(topic, "topic", column_length(Booking.topic))
    questions = multi_line(questions, "questions", MAX_QUESTIONS) or ""
    milestone_key = _milestone(milestone_key)
    city = _booking_city(actor, city_id)
    slot = _slot_for_update(slot_id)
    if slot is None or slot.status == Slot.REMOVED:
        raise NotFound("No slot with this id.")
    now = utcnow()
    _check_bookable(actor, slot, city, now)
    booking = Booking(
        slot=slot,
        city=city,
        booked_by_id=actor.id,
        topic=topic,
        questions=questions,
        milestone_key=milestone_key,
        status=Booking.BOOKED,
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    slot.status = Slot.BOOKED
    db.session.add(booking)
    taken = "This slot has just been booked by another city. Please choose another time."
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if is_unique_violation(exc):
            raise Conflict(taken) from exc
        raise
    _notify(booking, "confirmed")
    commit_or_conflict(taken)
    return booking


def _check_deadline(actor, booking: Booking, verb: str) -> None:
    hours = setting("CONSULTING_CANCEL_DEADLINE_HOURS")
    if actor.role != ADMIN and booking.slot.starts_at - utcnow() < timedelta(hours=hours):
        raise Conflict(
            f"Bookings can be {verb} up to {hours} hours before the session, and this one starts "
            f"{_when(booking.slot.starts_at, actor.timezone)}. Please ask the ACTION office to do it."
        )


def cancel_booking(actor, booking_id: int, reason: str) -> Booking:
    """Cancel with a reason: the slot reopens and both sides are told."""
    booking = _get_visible_booking(actor, booking_id, "booking.cancel", lock=True)
    if booking.status == Booking.CANCELLED:
        raise Conflict("This booking is already cancelled.")
    if booking.status != Booking.BOOKED:
        raise Conflict("This session has already taken place, so it can no longer be cancelled.")
    reason = multi_line(reason, "reason", MAX_REASON, required=True)
    _check_deadline(actor, booking, "cancelled")
    slot = _slot_for_update(booking.slot_id)
    now = utcnow()
    booking.status = Booking.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by_id = actor.id
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.updated_at = now
    if slot.status == Slot.BOOKED:
        slot.status = Slot.OPEN
    db.session.flush()
    _notify(booking, "cancelled", actor=actor)
    db.session.commit()
    return booking


def reschedule_booking(actor, booking_id: int, new_slot_id: int) -> Booking:
    """Move a booking to another open slot of the same consultant, in one step or not at all."""
    booking = _get_visible_booking(actor, booking_id, "booking.reschedule", lock=True)
    if booking.status != Booking.BOOKED:
        raise Conflict("Only an upcoming booking can be moved.")
    if new_slot_id == booking.slot_id:
        raise Conflict("The booking is already in this slot.")
    _check_deadline(actor, booking, "moved")
    city = _booking_city(actor, booking.city_id)
    ids = sorted([booking.slot_id, new_slot_id])
    locked = {s.id: s for s in (_slot_for_update(i) for i in ids) if s is not None}
    old_slot, new_slot = locked.get(booking.slot_id), locked.get(new_slot_id)
    if new_slot is None or new_slot.status == Slot.REMOVED:
        raise NotFound("No slot with this id.")
    if new_slot.consultant_id != old_slot.consultant_id:
        raise Conflict(
            "A booking can only move to another slot of the same consultant. "
            "To see another expert, cancel this booking and book again."
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
    taken = "This slot has just been booked by another city. Please choose another time."
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if is_unique_violation(exc):
            raise Conflict(taken) from exc
        raise
    _notify(booking, "rescheduled", actor=actor, previous_start=previous_start)
    commit_or_conflict(taken)
    return booking


def record_notes(
    actor, booking_id: int, summary: str | None, follow_ups: list[dict] | None, status: str = Booking.HELD
) -> Booking:
    """After the session: the consultant records what was discussed and what follows."""
    booking = _get_visible_booking(actor, booking_id, "booking.notes", lock=True)
    if booking.status == Booking.CANCELLED:
        raise Conflict("This booking was cancelled, so there is no session to record.")
    now = utcnow()
    if booking.slot.starts_at > now:
        raise Conflict(
            f"Notes can be recorded once the session has started ({_when(booking.slot.starts_at, actor.timezone)})."
        )
    if status not in (Booking.HELD, Booking.NO_SHOW):
        raise Invalid.field("status", "Status after a session is held or no_show.")
    summary = multi_line(summary, "summary", MAX_SUMMARY, required=status == Booking.HELD) or ""
    items = []
    for i, item in enumerate(follow_ups or []):
        text_ = single_line(item.get("text"), f"follow_ups.{i}.text", MAX_FOLLOW_UP_TEXT)
        owner = single_line(item.get("owner"), f"follow_ups.{i}.owner", column_length(FollowUp.owner))
        due = item.get("due_date")
        if due is not None:
            due = _date(due, f"follow_ups.{i}.due_date")
        key = _milestone(item.get("milestone_key"), f"follow_ups.{i}.milestone_key")
        items.append(FollowUp(position=i, text=text_, owner=owner, due_date=due, milestone_key=key))
    if len(items) > 50:
        raise Invalid.field("follow_ups", "Record at most 50 follow-up actions.")
    first_time = booking.notes_recorded_at is None
    booking.follow_ups.clear()
    db.session.flush()
    booking.follow_ups.extend(items)
    booking.summary = summary or None
    booking.status = status
    booking.notes_recorded_at = now
    booking.updated_at = now
    db.session.flush()
    if first_time and status == Booking.HELD:
        _notify(booking, "notes")
    db.session.commit()
    return booking


# ---------------------------------------------------------------- notifications


def _booking_url(booking: Booking) -> str:
    return f"{current_app.config['BASE_URL']}/consulting/bookings/{booking.id}"


def _city_side(booking: Booking) -> list[User]:
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


SUBJECTS = {
    "confirmed": "Consulting session booked: {when}",
    "cancelled": "Consulting session cancelled: {when}",
    "rescheduled": "Consulting session moved to {when}",
    "reminder": "Reminder: consulting session {when}",
    "notes": "Notes from your consulting session of {when}",
}


def _notify(booking: Booking, kind: str, actor=None, previous_start: datetime | None = None) -> int:
    """Queue one message per person on each side, each in their own zone. Returns how many."""
    slot = booking.slot
    consultant = slot.consultant
    consultant_tz = consultant_zone(consultant)
    recipients = [(p, "city") for p in _city_side(booking)]
    if kind != "notes":
        recipients.append((consultant, "consultant"))
    attachment = None
    if kind in ("confirmed", "rescheduled", "cancelled"):
        attachment = (
            f"consulting-{booking.id}.ics",
            "text/calendar",
            build_calendar([booking_event(booking)], "ACTION consulting").decode("utf-8"),
        )
    queued = 0
    for person, side in recipients:
        tz_name = consultant_tz if side == "consultant" else person.timezone
        when = _when(slot.starts_at, tz_name)
        context = {
            "booking": booking,
            "side": side,
            "when": when,
            "until": format_local(slot.ends_at, tz_name, "%H:%M"),
            "when_city": _when(slot.starts_at, booking.city.timezone),
            "when_consultant": _when(slot.starts_at, consultant_tz),
            "previous": _when(previous_start, tz_name) if previous_start else None,
            "consultant": consultant,
            "city": booking.city,
            "url": _booking_url(booking),
            "actor": actor,
            "milestone": BY_KEY.get(booking.milestone_key) if booking.milestone_key else None,
        }
        key = f"consulting:{kind}:{booking.id}:{booking.sequence}:{person.id}"
        if outbox.queue(
            person,
            f"consulting_{kind}",
            SUBJECTS[kind].format(when=when),
            f"consulting/booking_{kind}.txt",
            context,
            key,
            attachment=attachment,
        ):
            queued += 1
    return queued


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
        if claimed.rowcount != 1:
            continue
        _notify(booking, "reminder")
        sent += 1
    db.session.commit()
    return sent


# ---------------------------------------------------------------- calendar


def booking_event(booking: Booking) -> CalendarEvent:
    slot = booking.slot
    lines = [f"Topic: {booking.topic}", f"City: {booking.city.name}", f"Expert: {slot.consultant.name}"]
    if booking.milestone_key:
        lines.append(f"Plan milestone: {BY_KEY[booking.milestone_key].title}")
    if booking.status == Booking.CANCELLED and booking.cancel_reason:
        lines.append(f"Cancelled: {booking.cancel_reason}")
    lines.append(_booking_url(booking))
    return CalendarEvent(
        uid=f"consulting-booking-{booking.id}@action-lms",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        summary=f"ACTION consulting: {booking.city.name} with {slot.consultant.name}",
        description="\n".join(lines),
        url=_booking_url(booking),
        sequence=booking.sequence,
        cancelled=booking.status == Booking.CANCELLED,
        last_modified=booking.updated_at,
    )


def booking_calendar(actor, booking_id: int) -> tuple[list[CalendarEvent], str]:
    booking = get_booking(actor, booking_id)
    return [booking_event(booking)], f"consulting-{booking.id}.ics"


def calendar_events_for(user) -> list[CalendarEvent]:
    """Personal feed: the city's sessions for its coordinators, a consultant's own sessions."""
    if user is None or user.role not in (COORDINATOR, CONSULTANT):
        return []
    since = utcnow() - timedelta(days=90)
    stmt = select(Booking).join(Slot, Slot.id == Booking.slot_id).where(Slot.starts_at >= since)
    if user.role == COORDINATOR:
        stmt = stmt.where(Booking.city_id == user.city_id)
    else:
        stmt = stmt.where(Slot.consultant_id == user.id)
    return [booking_event(b) for b in db.session.scalars(stmt.order_by(Slot.starts_at))]


# ---------------------------------------------------------------- figures for other domains and the overview


def consultant_works_with_city(user, city_id: int) -> bool:
    """A consultant may follow the plans of the cities that booked them (any booking, past or future)."""
    if getattr(user, "role", None) != "consultant":
        return False
    return (
        db.session.scalar(
            select(Booking.id)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(Booking.city_id == city_id, Slot.consultant_id == user.id, Booking.status != Booking.CANCELLED)
            .limit(1)
        )
        is not None
    )


def sessions_held_by_city(city_ids: list[int]) -> dict[int, int]:
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(Booking.city_id, func.count(Booking.id))
        .where(Booking.city_id.in_(city_ids), Booking.status == Booking.HELD)
        .group_by(Booking.city_id)
    )
    counts = dict.fromkeys(city_ids, 0)
    counts.update({key: value for key, value in rows})
    return counts


def next_session_by_city(city_ids: list[int]) -> dict[int, datetime | None]:
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(Booking.city_id, func.min(Slot.starts_at))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.city_id.in_(city_ids), Booking.status == Booking.BOOKED, Slot.starts_at > utcnow())
        .group_by(Booking.city_id)
    )
    result: dict[int, datetime | None] = dict.fromkeys(city_ids)
    result.update({key: value for key, value in rows})
    return result


def milestone_resources(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]:
    """Bookings and follow-ups naming each milestone key (city_id None: all cities); two queries."""
    wanted = [k for k in keys if k]
    result: dict[str, list[dict]] = {k: [] for k in wanted}
    if not wanted:
        return result
    stmt = (
        select(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.milestone_key.in_(wanted), Booking.status != Booking.CANCELLED)
        .order_by(Slot.starts_at)
    )
    if city_id is not None:
        stmt = stmt.where(Booking.city_id == city_id)
    for b in db.session.scalars(stmt):
        result[b.milestone_key].append(
            {
                "title": f"Consulting session: {b.topic}",
                "url": f"/consulting/bookings/{b.id}",
                "detail": f"{b.city.name} with {b.slot.consultant.name}, "
                f"{format_local(b.slot.starts_at, b.city.timezone, '%d %b %Y')} ({b.status.replace('_', ' ')})",
            }
        )
    stmt = (
        select(FollowUp, Booking.id, Booking.city_id)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .where(FollowUp.milestone_key.in_(wanted), Booking.status != Booking.CANCELLED)
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    if city_id is not None:
        stmt = stmt.where(Booking.city_id == city_id)
    for fu, bid, _cid in db.session.execute(stmt):
        due = f", due {fu.due_date.isoformat()}" if fu.due_date else ""
        result[fu.milestone_key].append(
            {
                "title": f"Follow-up: {fu.text[:120]}",
                "url": f"/consulting/bookings/{bid}",
                "detail": f"Owner: {fu.owner}{due}",
            }
        )
    return result


def overview(actor) -> dict:
    """Admin overview: counts by status, this month's sessions per city, consultants' open slots."""
    policy.require(actor, "overview.view")
    now = utcnow()
    by_status = dict(db.session.execute(select(Booking.status, func.count(Booking.id)).group_by(Booking.status)).all())
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    month_end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    per_city = db.session.execute(
        select(City.id, City.name, func.count(Booking.id))
        .join(Booking, Booking.city_id == City.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.status.in_(Booking.ACTIVE), Slot.starts_at >= month_start, Slot.starts_at < month_end)
        .group_by(City.id, City.name)
        .order_by(func.count(Booking.id).desc(), City.name)
    ).all()
    consultants = db.session.execute(
        select(
            User.id,
            User.name,
            func.count(Slot.id).filter(Slot.status == Slot.OPEN),
            func.count(Slot.id).filter(Slot.status == Slot.BOOKED),
        )
        .outerjoin(Slot, and_(Slot.consultant_id == User.id, Slot.starts_at > now))
        .where(User.role == CONSULTANT, User.erased_at.is_(None))
        .group_by(User.id, User.name)
        .order_by(User.name)
    ).all()
    return {
        "by_status": {s: by_status.get(s, 0) for s in Booking.STATUSES},
        "per_city": [{"id": i, "name": n, "count": c} for i, n, c in per_city],
        "consultants": [{"id": i, "name": n, "open": o, "booked": b} for i, n, o, b in consultants],
        "quota": setting("CONSULTING_MONTHLY_QUOTA"),
        "month": now.strftime("%B %Y"),
    }


def bookable_cities(actor) -> list[City]:
    if actor.role == ADMIN:
        return list(db.session.scalars(select(City).order_by(City.name)))
    if actor.role == COORDINATOR and actor.city is not None:
        return [actor.city]
    return []


def open_slots_for_reschedule(actor, booking: Booking) -> list[Slot]:
    now = utcnow() + timedelta(hours=setting("CONSULTING_MIN_NOTICE_HOURS"))
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.consultant_id == booking.slot.consultant_id, Slot.status == Slot.OPEN, Slot.starts_at > now)
            .order_by(Slot.starts_at)
            .limit(100)
        )
    )


def consultant_schedule(actor, consultant_id: int | None = None) -> dict:
    """A consultant's upcoming slots with each booking (and the city's questions) in fixed queries."""
    consultant = _target_consultant(actor, consultant_id, lock=False)
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


# ---------------------------------------------------------------- personal data


def export_personal_data(user) -> dict:
    profile = db.session.get(ConsultantProfile, user.id)
    expertise = list(
        db.session.scalars(select(ConsultantExpertise.commitment).where(ConsultantExpertise.user_id == user.id))
    )
    booked = db.session.scalars(
        select(Booking).where(or_(Booking.booked_by_id == user.id, Booking.cancelled_by_id == user.id))
    )
    slots = db.session.scalars(select(Slot).where(Slot.consultant_id == user.id).order_by(Slot.starts_at))
    return {
        "profile": None
        if profile is None
        else {
            "languages": list(profile.languages),
            "bio": profile.bio,
            "timezone": profile.timezone,
            "expertise": expertise,
        },
        "slots": [
            {"id": s.id, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(), "status": s.status}
            for s in slots
        ],
        "bookings": [
            {
                "id": b.id,
                "city": b.city.name,
                "starts_at": b.slot.starts_at.isoformat(),
                "topic": b.topic,
                "questions": b.questions,
                "status": b.status,
                "booked_by_me": b.booked_by_id == user.id,
                "cancelled_by_me": b.cancelled_by_id == user.id,
                "cancel_reason": b.cancel_reason if b.cancelled_by_id == user.id else None,
            }
            for b in booked
        ],
    }


def erase_personal_data(user) -> None:
    """Profile and open future slots go; the city's bookings stay, no longer naming the person."""
    db.session.execute(delete(ConsultantExpertise).where(ConsultantExpertise.user_id == user.id))
    db.session.execute(delete(ConsultantProfile).where(ConsultantProfile.user_id == user.id))
    db.session.execute(
        update(Booking)
        .where(Booking.booked_by_id == user.id)
        .values(booked_by_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Booking)
        .where(Booking.cancelled_by_id == user.id)
        .values(cancelled_by_id=None)
        .execution_options(synchronize_session=False)
    )
    has_bookings = select(Booking.id).where(Booking.slot_id == Slot.id).exists()
    db.session.execute(
        delete(Slot)
        .where(Slot.consultant_id == user.id, Slot.status == Slot.OPEN, ~has_bookings)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Slot)
        .where(Slot.consultant_id == user.id, Slot.status == Slot.OPEN)
        .values(status=Slot.REMOVED)
        .execution_options(synchronize_session=False)
    )
