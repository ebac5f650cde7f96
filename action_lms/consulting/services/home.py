"""What the consulting domain puts on the home page: a city's next sessions with experts,
a consultant's coming sessions with each city's questions and this week's open slots,
the session notes still to write, and the month's sessions for the office."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeContent, HomeItem, HomeNumber
from ...core.i18n import _, ngettext
from ...core.policy import ADMIN, CONSULTANT, COORDINATOR
from ...core.time import to_zone, zone
from ...extensions import db
from ..models import Booking, Slot
from .bookings import list_bookings_query
from .rules import policy

HOME_LIMIT = 4
#: A city's questions are shortened to this many characters on the consultant's home page.
QUESTIONS_PREVIEW = 240


def _preview(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= QUESTIONS_PREVIEW else text[: QUESTIONS_PREVIEW - 1].rstrip() + "…"


def _booking_url(booking: Booking) -> str:
    return url_for("consulting.booking_page", booking_id=booking.id)


def _upcoming(user, limit: int) -> list[Booking]:
    stmt = list_bookings_query(user, status=Booking.BOOKED, upcoming=True).limit(limit)
    return list(db.session.scalars(stmt))


def city_sessions_panel(user, now: datetime) -> HomeContent | None:
    """For a city's coordinators: the next sessions booked with experts."""
    if user.role != COORDINATOR or user.city_id is None or not policy.allows(user, "booking.list"):
        return None
    bookings = _upcoming(user, HOME_LIMIT)
    return HomeContent(
        title=_("Next consulting sessions"),
        items=tuple(
            HomeItem(
                text=b.topic,
                url=_booking_url(b),
                when=b.slot.starts_at,
                detail=_("with %(name)s", name=b.slot.consultant.name) if b.slot.consultant else "",
            )
            for b in bookings
        ),
        empty=_("No session with an expert is booked for your city."),
        more=(_("Book a session"), url_for("consulting.slots_week")),
    )


def _day_bounds(now: datetime, tz_name: str, days: int = 1) -> tuple[datetime, datetime]:
    """[start of today, start of the day `days` later) in the zone `tz_name`, as UTC."""
    local = to_zone(now, tz_name)
    assert local is not None
    tz = zone(tz_name)
    start = datetime.combine(local.date(), time(), tzinfo=tz).astimezone(UTC)
    return start, datetime.combine(local.date() + timedelta(days=days), time(), tzinfo=tz).astimezone(UTC)


def consultant_sessions_panel(user, now: datetime) -> HomeContent | None:
    """For a consultant: today's and the next sessions, each with the city's questions."""
    if user.role != CONSULTANT:
        return None
    bookings = _upcoming(user, HOME_LIMIT + 1)
    end_of_today = _day_bounds(now, user.timezone)[1]
    items = tuple(
        HomeItem(
            text=_("%(city)s: %(topic)s", city=b.city.name, topic=b.topic),
            url=_booking_url(b),
            when=b.slot.starts_at,
            detail=_("Questions: %(questions)s", questions=_preview(b.questions))
            if b.questions.strip()
            else _("No questions sent ahead."),
            badge=_("Today") if b.slot.starts_at < end_of_today else "",
        )
        for b in bookings[:HOME_LIMIT]
    )
    return HomeContent(
        title=_("Your next sessions"),
        items=items,
        empty=_("No city has booked one of your slots yet."),
        more=(_("My schedule"), url_for("consulting.schedule")),
    )


def consultant_week_panel(user, now: datetime) -> HomeContent | None:
    """For a consultant: this week's open and booked slots (Monday to Sunday in their zone)."""
    if user.role != CONSULTANT:
        return None
    local = to_zone(now, user.timezone)
    assert local is not None
    week_end = _day_bounds(now, user.timezone, days=7 - local.weekday())[1]
    open_, booked = db.session.execute(
        select(
            func.count(Slot.id).filter(Slot.status == Slot.OPEN),
            func.count(Slot.id).filter(Slot.status == Slot.BOOKED),
        ).where(Slot.consultant_id == user.id, Slot.starts_at >= now, Slot.starts_at < week_end)
    ).one()
    return HomeContent(
        title=_("Your availability this week"),
        figures=(HomeNumber(_("Open slots"), str(open_ or 0)), HomeNumber(_("Booked slots"), str(booked or 0))),
        empty="" if open_ else _("You have no open slot left this week: publish availability so cities can book you."),
        more=(_("Publish availability"), url_for("consulting.schedule", _anchor="availability-h")),
    )


def notes_todo(user, now: datetime) -> list[HomeItem]:
    """Sessions that have started and whose notes are not written: each one for the consultant,
    a count for the office."""
    if user.role not in (CONSULTANT, ADMIN):
        return []
    stmt = (
        list_bookings_query(user, status=Booking.BOOKED)
        .where(Slot.starts_at <= now, Booking.notes_recorded_at.is_(None))
        .order_by(None)
    )
    if user.role == ADMIN:
        missing = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        if not missing:
            return []
        return [
            HomeItem(
                text=ngettext(
                    "%(num)d consulting session has no notes yet",
                    "%(num)d consulting sessions have no notes yet",
                    missing,
                ),
                url=url_for("consulting.bookings", status=Booking.BOOKED),
                detail=_("The experts record what was discussed and what follows."),
            )
        ]
    bookings = list(db.session.scalars(stmt.order_by(Slot.starts_at).limit(HOME_LIMIT)))
    return [
        HomeItem(
            text=_("Write the notes of %(city)s's session “%(topic)s”", city=b.city.name, topic=b.topic),
            url=url_for("consulting.notes", booking_id=b.id),
            when=b.slot.starts_at,
        )
        for b in bookings
    ]


def month_figures(start: datetime, end: datetime) -> list[tuple[str, int, str]]:
    held = db.session.scalar(
        select(func.count(Booking.id))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.status == Booking.HELD, Slot.starts_at >= start, Slot.starts_at < end)
    )
    return [(_("Consulting sessions held"), held or 0, url_for("consulting.overview"))]
