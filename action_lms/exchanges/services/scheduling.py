"""Scheduling across time zones: the start times that fall inside working hours in the
zone of every city taking part, and setting (or moving) the session's time.

"Taking part" is the requesting city and every host that accepted or is still invited.
Working hours are a setting (`EXCHANGE_WORKDAY_START`/`_END`, `EXCHANGE_WORKDAYS`),
09:00–17:00 Monday to Friday by default, applied in each city's own zone, so daylight
saving and zones outside Central Europe (Lisbon, Helsinki, Athens) count as they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ...accounts.models import City
from ...core.calendar import CalendarEvent
from ...core.db import transactional
from ...core.errors import Conflict, Invalid
from ...core.i18n import _
from ...core.time import UTC, format_local, utcnow, zone
from ...core.validators import aware_utc, column_length, http_url
from ...extensions import db
from ..models import Exchange, Invitation
from .calendar import event_for
from .notifications import notify, people_taking_part
from .permissions import is_office, is_participant
from .requests import exchange_for
from .rules import SLOT_STEP_MINUTES, calendar_date, status_word, working_hours


@dataclass(frozen=True)
class TimeOption:
    starts_at: datetime
    ends_at: datetime


def cities_taking_part(exchange: Exchange) -> list[City]:
    hosts = [i.city for i in exchange.invitations if i.status in Invitation.TAKING_PART]
    seen: dict[int, City] = {exchange.city.id: exchange.city}
    for city in hosts:
        seen.setdefault(city.id, city)
    return list(seen.values())


def outside_hours(cities: list[City], starts_at: datetime, ends_at: datetime) -> list[City]:
    """The cities in whose zone the meeting is not wholly inside one working day's hours."""
    start_t, end_t, days = working_hours()
    refused = []
    for city in cities:
        tz = zone(city.timezone)
        local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
        day = local_start.date()
        opens = datetime.combine(day, start_t, tzinfo=tz)
        closes = datetime.combine(day, end_t, tzinfo=tz)
        inside = day.weekday() in days and local_start >= opens and local_end <= closes and local_end.date() == day
        if not inside:
            refused.append(city)
    return refused


def _check_duration(minutes) -> int:
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not Exchange.MIN_MINUTES <= minutes <= Exchange.MAX_MINUTES
    ):
        raise Invalid.field(
            "duration_minutes",
            _(
                "A meeting lasts between %(min)d and %(max)d minutes.",
                min=Exchange.MIN_MINUTES,
                max=Exchange.MAX_MINUTES,
            ),
        )
    return minutes


def time_options(actor, exchange_id: int, day: date, duration_minutes: int = 60) -> list[TimeOption]:
    """Start times on `day` (the requesting city's calendar day), every 30 minutes, whose
    whole meeting falls inside working hours in every taking-part city's zone."""
    exchange = exchange_for(actor, exchange_id, "exchange.match")
    day = calendar_date(day, "date") or utcnow().date()
    minutes = _check_duration(duration_minutes)
    return options_on(cities_taking_part(exchange), exchange.city.timezone, day, minutes)


def options_on(cities: list[City], home_zone: str, day: date, minutes: int) -> list[TimeOption]:
    tz = zone(home_zone)
    first = datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz).astimezone(UTC)
    length = timedelta(minutes=minutes)
    options = []
    start = first
    while start < last:
        end = start + length
        if not outside_hours(cities, start, end):
            options.append(TimeOption(start, end))
        start += timedelta(minutes=SLOT_STEP_MINUTES)
    return options


def _refusal(cities: list[City], starts_at: datetime, ends_at: datetime) -> str:
    start_t, end_t, __ = working_hours()
    parts = [
        f"{c.name} ({format_local(starts_at, c.timezone, '%a %H:%M')}–{format_local(ends_at, c.timezone, '%H:%M')})"
        for c in cities
    ]
    return _(
        "This time is outside working hours (%(start)s–%(end)s, Monday to Friday) in %(cities)s. "
        "Choose one of the times offered, or confirm that it is fine for them.",
        start=start_t.strftime("%H:%M"),
        end=end_t.strftime("%H:%M"),
        cities=", ".join(parts),
    )


@transactional()
def schedule_exchange(
    actor,
    exchange_id: int,
    starts_at: datetime,
    duration_minutes: int,
    join_url: str,
    outside_hours_ok: bool = False,
) -> Exchange:
    """Set or move the session. Needs an accepted host; a time outside a taking-part city's
    working hours is refused naming the cities unless the office confirms it. Everyone
    taking part is told in their own zone, with the calendar file; a move raises SEQUENCE."""
    exchange = exchange_for(actor, exchange_id, "exchange.match", lock=True)
    if exchange.status not in (Exchange.MATCHING, Exchange.SCHEDULED, Exchange.REQUESTED):
        raise Conflict(
            _(
                "This exchange is %(status)s, so it can no longer be scheduled.",
                status=status_word(exchange.status),
            )
        )
    if not any(i.status == Invitation.ACCEPTED for i in exchange.invitations):
        raise Conflict(_("No host city has accepted yet: a session needs at least one accepted host."))
    start = aware_utc(starts_at, "starts_at")
    if start <= utcnow():
        raise Invalid.field("starts_at", _("Choose a time in the future."))
    end = start + timedelta(minutes=_check_duration(duration_minutes))
    url = http_url(join_url, "join_url", column_length(Exchange.join_url), required=True)
    refused = outside_hours(cities_taking_part(exchange), start, end)
    if refused and not outside_hours_ok:
        raise Conflict(_refusal(refused, start, end), {"starts_at": [_refusal(refused, start, end)]})
    moved = exchange.status == Exchange.SCHEDULED
    previous = exchange.starts_at
    if moved and (start, end, url) == (exchange.starts_at, exchange.ends_at, exchange.join_url):
        return exchange
    now = utcnow()
    if moved:
        exchange.sequence += 1
    exchange.starts_at, exchange.ends_at, exchange.join_url = start, end, url
    exchange.status = Exchange.SCHEDULED
    exchange.reminded_at = None
    exchange.scheduled_at = exchange.scheduled_at or now
    exchange.updated_at = now
    db.session.flush()
    notify(
        exchange,
        "rescheduled" if moved else "scheduled",
        people_taking_part(exchange),
        actor=actor,
        previous_start=previous if moved else None,
    )
    exchange.visible_join_url = exchange.join_url  # type: ignore[attr-defined]  # the office sees it
    return exchange


def exchange_calendar(actor, exchange_id: int) -> tuple[list[CalendarEvent], str]:
    """The session's calendar file, for the people taking part and the office."""
    exchange = exchange_for(actor, exchange_id, "exchange.view", lambda u, e: is_office(u) or is_participant(u, e))
    if exchange.starts_at is None:
        raise Conflict(_("This exchange has no time yet: the calendar file comes once it is scheduled."))
    return [event_for(actor, exchange)], f"exchange-{exchange.id}.ics"
