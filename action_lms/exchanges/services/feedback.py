"""What exchanges tell the feedback domain: the participants of every city who attended a
session (they are asked whether it helped), and the year's sessions held (per city taking
part) and exchanges requested (per requesting city)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, union_all

from ...core.hooks import FeedbackDue
from ...core.impact import figures, year_range
from ...extensions import db
from ..models import Exchange, Invitation, Participant

TOOK_PLACE = (Exchange.HELD, Exchange.REPORTED)


def feedback_due(now: datetime, since: datetime) -> list[FeedbackDue]:
    rows = db.session.execute(
        select(Participant.user_id, Exchange.id, Exchange.topic, Exchange.ends_at, Participant.city_id)
        .join(Exchange, Exchange.id == Participant.exchange_id)
        .where(
            Participant.attended.is_(True),
            Participant.user_id.is_not(None),
            Exchange.status.in_(TOOK_PLACE),
            Exchange.ends_at > since,
            Exchange.ends_at <= now,
        )
        .order_by(Exchange.ends_at, Participant.id)
    )
    return [
        FeedbackDue(uid, eid, f"Peer exchange: {topic}", ends, city)
        for uid, eid, topic, ends, city in rows
        if uid is not None and ends is not None
    ]


def impact_figures(year: int, city_ids: list[int] | None) -> dict:
    """Events: sessions that took place that year (each counted once in the total, and for the
    requesting city and each accepted host). Requests made: exchanges requested that year."""
    start, end = year_range(year)
    when = (Exchange.status.in_(TOOK_PLACE), Exchange.starts_at >= start, Exchange.starts_at < end)
    taking_part = union_all(
        select(Exchange.id.label("exchange_id"), Exchange.city_id.label("city_id")).where(*when),
        select(Exchange.id, Invitation.city_id)
        .join(Invitation, Invitation.exchange_id == Exchange.id)
        .where(*when, Invitation.status == Invitation.ACCEPTED),
    ).subquery()
    by_city = select(taking_part.c.city_id, func.count(taking_part.c.exchange_id)).group_by(taking_part.c.city_id)
    total = select(func.count(func.distinct(taking_part.c.exchange_id)))
    made = (
        select(Exchange.city_id, func.count(Exchange.id))
        .where(Exchange.created_at >= start, Exchange.created_at < end, Exchange.status != Exchange.WITHDRAWN)
        .group_by(Exchange.city_id)
    )
    if city_ids is not None:
        by_city = by_city.where(taking_part.c.city_id.in_(city_ids))
        total = total.where(taking_part.c.city_id.in_(city_ids))
        made = made.where(Exchange.city_id.in_(city_ids))
    return figures(
        dict(db.session.execute(by_city).all()), dict(db.session.execute(made).all()), db.session.scalar(total) or 0
    )
