"""Figures: the admin overview, and what consulting adds to other domains' pages (sessions
held and the next session per city on the cross-city overview, and the sessions and
follow-ups shown under a plan's milestones)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select

from ...accounts.models import City, User
from ...core.i18n import _, format_pattern
from ...core.policy import CONSULTANT
from ...core.time import UTC, format_local, utcnow
from ...extensions import db
from ..models import Booking, FollowUp, Slot
from .rules import policy, setting, status_label


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
        .where(
            Booking.city_id.in_(city_ids),
            Booking.status == Booking.BOOKED,
            # A slot with a booking still to come is booked: this lets the (status, starts_at) index
            # find the future sessions instead of a scan of every future slot.
            Slot.status == Slot.BOOKED,
            Slot.starts_at > utcnow(),
        )
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
    sessions = (
        select(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.milestone_key.in_(wanted), Booking.status != Booking.CANCELLED)
        .order_by(Slot.starts_at)
    )
    if city_id is not None:
        sessions = sessions.where(Booking.city_id == city_id)
    for b in db.session.scalars(sessions):
        result[b.milestone_key or ""].append(
            {
                "title": _("Consulting session: %(topic)s", topic=b.topic),
                "url": f"/consulting/bookings/{b.id}",
                "detail": _(
                    "%(city)s with %(name)s, %(day)s (%(status)s)",
                    city=b.city.name,
                    name=b.slot.consultant.name,
                    day=format_local(b.slot.starts_at, b.city.timezone, "%d %b %Y"),
                    status=status_label(b.status),
                ),
            }
        )
    follow_ups = (
        select(FollowUp, Booking.id)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .where(FollowUp.milestone_key.in_(wanted), Booking.status != Booking.CANCELLED)
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    if city_id is not None:
        follow_ups = follow_ups.where(Booking.city_id == city_id)
    for fu, booking_id in db.session.execute(follow_ups):
        result[fu.milestone_key or ""].append(
            {
                "title": _("Follow-up: %(text)s", text=fu.text[:120]),
                "url": f"/consulting/bookings/{booking_id}",
                "detail": _("Owner: %(owner)s, due %(date)s", owner=fu.owner, date=fu.due_date.isoformat())
                if fu.due_date
                else _("Owner: %(owner)s", owner=fu.owner),
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
        "month": format_pattern(now, "%B %Y"),
    }
