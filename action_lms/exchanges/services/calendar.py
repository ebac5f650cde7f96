"""Exchanges as calendar events: the .ics attached to messages and served to the people
taking part, and the sessions of the personal calendar feed. The join link goes only to
participants and the office."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ...core.calendar import CalendarEvent
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import Exchange, Invitation, Participant
from .permissions import is_office, is_participant

FEED_DAYS_BACK = 90


def exchange_url(exchange: Exchange) -> str:
    return f"{current_app.config['BASE_URL']}/exchanges/{exchange.id}"


def city_names(exchange: Exchange) -> list[str]:
    """The requesting city first, then the hosts that accepted."""
    hosts = sorted(i.city.name for i in exchange.invitations if i.status == Invitation.ACCEPTED)
    return [exchange.city.name, *hosts]


def exchange_event(exchange: Exchange, with_join_link: bool) -> CalendarEvent:
    """One event per exchange (stable UID); SEQUENCE is raised on every change of time."""
    assert exchange.starts_at is not None and exchange.ends_at is not None
    cities = ", ".join(city_names(exchange))
    lines = [_("Peer exchange: %(topic)s", topic=exchange.topic), _("Cities: %(cities)s", cities=cities)]
    if exchange.objective:
        lines.append(_("Objective: %(objective)s", objective=exchange.objective))
    if exchange.questions:
        lines.append(_("Questions sent ahead:"))
        lines.extend(f"- {q}" for q in exchange.questions)
    if with_join_link and exchange.join_url:
        lines.append(_("Join: %(url)s", url=exchange.join_url))
    if exchange.status == Exchange.CANCELLED and exchange.cancel_reason:
        lines.append(_("Cancelled: %(reason)s", reason=exchange.cancel_reason))
    lines.append(exchange_url(exchange))
    return CalendarEvent(
        uid=f"exchange-{exchange.id}@action-lms",
        starts_at=exchange.starts_at,
        ends_at=exchange.ends_at,
        summary=_("Peer exchange: %(topic)s (%(cities)s)", topic=exchange.topic, cities=cities),
        description="\n".join(lines),
        url=exchange_url(exchange),
        location=exchange.join_url if with_join_link else None,
        sequence=exchange.sequence,
        cancelled=exchange.status in Exchange.ENDED,
        last_modified=exchange.updated_at,
    )


def event_for(user, exchange: Exchange) -> CalendarEvent:
    return exchange_event(exchange, with_join_link=is_office(user) or is_participant(user, exchange))


def calendar_events_for(user) -> list[CalendarEvent]:
    """Personal feed: the exchanges a person takes part in (with the join link)."""
    if user is None or not getattr(user, "id", None):
        return []
    since = utcnow() - timedelta(days=FEED_DAYS_BACK)
    stmt = (
        select(Exchange)
        .join(Participant, Participant.exchange_id == Exchange.id)
        .where(Participant.user_id == user.id, Exchange.starts_at.is_not(None), Exchange.starts_at >= since)
        .order_by(Exchange.starts_at)
    )
    return [exchange_event(e, with_join_link=e.status == Exchange.SCHEDULED) for e in db.session.scalars(stmt)]
