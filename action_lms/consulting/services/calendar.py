"""Bookings as calendar events: the .ics attached to messages and offered on the booking's
page, and the sessions of the personal calendar feed."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ...core.calendar import CalendarEvent
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ...plans.template import BY_KEY
from ..models import Booking, Slot
from .permissions import booking_scope

FEED_DAYS_BACK = 90


def booking_url(booking: Booking) -> str:
    return f"{current_app.config['BASE_URL']}/consulting/bookings/{booking.id}"


def booking_event(booking: Booking) -> CalendarEvent:
    """The session as an event; where to meet is its LOCATION (only the two sides and the office
    ever get this file: the booking's page, its messages, their own calendar feeds)."""
    slot = booking.slot
    lines = [
        _("Topic: %(topic)s", topic=booking.topic),
        _("City: %(city)s", city=booking.city.name),
        _("Expert: %(name)s", name=slot.consultant.name),
    ]
    if booking.meeting_link:
        lines.append(_("Where: %(place)s", place=booking.meeting_link))
    if booking.milestone_key:
        lines.append(_("Plan milestone: %(milestone)s", milestone=BY_KEY[booking.milestone_key].title))
    if booking.status == Booking.CANCELLED and booking.cancel_reason:
        lines.append(_("Cancelled: %(reason)s", reason=booking.cancel_reason))
    lines.append(booking_url(booking))
    return CalendarEvent(
        uid=f"consulting-booking-{booking.id}@action-lms",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        summary=_("ACTION consulting: %(city)s with %(name)s", city=booking.city.name, name=slot.consultant.name),
        description="\n".join(lines),
        url=booking_url(booking),
        location=booking.meeting_link,
        sequence=booking.sequence,
        cancelled=booking.status == Booking.CANCELLED,
        last_modified=booking.updated_at,
    )


def calendar_events_for(user) -> list[CalendarEvent]:
    """Personal feed: the city's sessions for its coordinators, a consultant's own sessions."""
    scope = booking_scope(user)
    if scope not in ("city", "consultant"):
        return []
    since = utcnow() - timedelta(days=FEED_DAYS_BACK)
    mine = Booking.city_id == user.city_id if scope == "city" else Slot.consultant_id == user.id
    stmt = select(Booking).join(Slot, Slot.id == Booking.slot_id).where(Slot.starts_at >= since, mine)
    return [booking_event(b) for b in db.session.scalars(stmt.order_by(Slot.starts_at))]
