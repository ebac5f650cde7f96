"""Figures: what exchanges add to other domains' pages (exchanges requested and hosted per
city on the cross-city overview, follow-ups under a plan's milestones) and the office's board."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import Exchange, ExchangeFollowUp, Invitation
from .matching import hosted_counts
from .permissions import is_office
from .requests import annotate, list_exchanges_query
from .rules import policy, status_word

COUNTED = (Exchange.REQUESTED, Exchange.MATCHING, Exchange.SCHEDULED, Exchange.HELD, Exchange.REPORTED)


def requested_by_city(city_ids: list[int]) -> dict[int, int]:
    """Exchanges each city asked for (withdrawn ones not counted; cancelled ones were asked for)."""
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(Exchange.city_id, func.count(Exchange.id))
        .where(Exchange.city_id.in_(city_ids), Exchange.status != Exchange.WITHDRAWN)
        .group_by(Exchange.city_id)
    )
    counts = dict.fromkeys(city_ids, 0)
    counts.update({key: value for key, value in rows})
    return counts


def hosted_by_city(city_ids: list[int]) -> dict[int, int]:
    """Exchanges each city hosted (accepted, and the session took place)."""
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(Invitation.city_id, func.count(Invitation.id))
        .join(Exchange, Exchange.id == Invitation.exchange_id)
        .where(
            Invitation.city_id.in_(city_ids),
            Invitation.status == Invitation.ACCEPTED,
            Exchange.status.in_((Exchange.HELD, Exchange.REPORTED)),
        )
        .group_by(Invitation.city_id)
    )
    counts = dict.fromkeys(city_ids, 0)
    counts.update({key: value for key, value in rows})
    return counts


def milestone_resources(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]:
    """Exchanges about each milestone and their follow-ups for the city (two queries)."""
    wanted = [k for k in keys if k]
    result: dict[str, list[dict]] = {k: [] for k in wanted}
    if not wanted or city_id is None:
        return result
    exchanges = select(Exchange).where(
        Exchange.city_id == city_id, Exchange.milestone_key.in_(wanted), Exchange.status != Exchange.WITHDRAWN
    )
    for e in db.session.scalars(exchanges.order_by(Exchange.created_at)):
        result[e.milestone_key or ""].append(
            {
                "title": _("Peer exchange: %(topic)s", topic=e.topic),
                "url": f"/exchanges/{e.id}",
                "detail": status_word(e.status),
            }
        )
    follow_ups = (
        select(ExchangeFollowUp, Exchange.id, Exchange.topic)
        .join(Exchange, Exchange.id == ExchangeFollowUp.exchange_id)
        .where(ExchangeFollowUp.milestone_key.in_(wanted), Exchange.city_id == city_id)
        .order_by(ExchangeFollowUp.due_date, ExchangeFollowUp.id)
    )
    for fu, exchange_id, topic in db.session.execute(follow_ups):
        if fu.due_date:
            detail = _(
                "From the exchange “%(topic)s” · owner: %(owner)s, due %(due)s",
                topic=topic,
                owner=fu.owner,
                due=fu.due_date.isoformat(),
            )
        else:
            detail = _("From the exchange “%(topic)s” · owner: %(owner)s", topic=topic, owner=fu.owner)
        result[fu.milestone_key or ""].append(
            {
                "title": _("Follow-up: %(text)s", text=fu.text[:120]),
                "url": f"/exchanges/{exchange_id}",
                "detail": detail,
            }
        )
    return result


def board(actor) -> dict:
    """The office's board: every open request by status, oldest first, with days waiting."""
    policy.require(actor, "board.view")
    now = utcnow()
    columns: dict[str, list[Exchange]] = {s: [] for s in Exchange.STATUSES}
    for exchange in annotate(list(db.session.scalars(list_exchanges_query(actor).limit(1000))), actor):
        exchange.days_waiting = (now - exchange.created_at).days  # type: ignore[attr-defined]
        columns[exchange.status].append(exchange)
    since = now - timedelta(days=365)
    return {"columns": columns, "hosted_last_year": hosted_counts(since=since), "is_office": is_office(actor)}
