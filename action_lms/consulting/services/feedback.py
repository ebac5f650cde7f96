"""What consulting tells the feedback domain: the coordinators of the city of each session
marked held (they are asked whether it helped), and the year's sessions held and bookings
made, per city."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ...accounts.models import User
from ...core.hooks import FeedbackDue
from ...core.i18n import _
from ...core.impact import figures, year_range
from ...core.policy import COORDINATOR
from ...extensions import db
from ..models import Booking, Slot


def feedback_due(now: datetime, since: datetime) -> list[FeedbackDue]:
    rows = db.session.execute(
        select(User.id, Booking.id, Booking.topic, Slot.ends_at, Booking.city_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(User, User.city_id == Booking.city_id)
        .where(
            Booking.status == Booking.HELD,
            Slot.ends_at > since,
            Slot.ends_at <= now,
            User.role == COORDINATOR,
            User.active.is_(True),
            User.erased_at.is_(None),
        )
        .order_by(Slot.ends_at, Booking.id, User.id)
    )
    return [
        FeedbackDue(uid, bid, _("Consulting: %(topic)s", topic=topic), ends, city)
        for uid, bid, topic, ends, city in rows
    ]


def impact_figures(year: int, city_ids: list[int] | None) -> dict:
    """Events: sessions held that year. Requests made: bookings made that year."""
    start, end = year_range(year)
    held = (
        select(Booking.city_id, func.count(Booking.id))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.status == Booking.HELD, Slot.starts_at >= start, Slot.starts_at < end)
        .group_by(Booking.city_id)
    )
    made = (
        select(Booking.city_id, func.count(Booking.id))
        .where(Booking.created_at >= start, Booking.created_at < end)
        .group_by(Booking.city_id)
    )
    if city_ids is not None:
        held = held.where(Booking.city_id.in_(city_ids))
        made = made.where(Booking.city_id.in_(city_ids))
    return figures(dict(db.session.execute(held).all()), dict(db.session.execute(made).all()))
