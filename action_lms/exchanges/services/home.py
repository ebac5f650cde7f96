"""What the peer-exchange domain puts on the home page: a city's exchanges under way with
their next step, what waits for a city's coordinator (invitations to answer, people to
name) or for the office (hosts to invite, times to set, reports to write), and the month's
exchanges."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeContent, HomeItem
from ...core.i18n import _, ngettext
from ...core.policy import ADMIN, COORDINATOR
from ...extensions import db
from ..models import Exchange
from .requests import list_exchanges
from .rules import policy
from .steps import next_step

HOME_LIMIT = 4
#: What is still ahead in an exchange, or waits for its report.
UNDER_WAY = (*Exchange.OPEN, Exchange.HELD)


def _detail_url(exchange: Exchange, section: str | None) -> str:
    return url_for("exchanges.detail", exchange_id=exchange.id, _anchor=section)


def _under_way(user) -> list[Exchange]:
    return [e for e in list_exchanges(user) if e.status in UNDER_WAY]


def city_exchanges_panel(user, now: datetime) -> HomeContent | None:
    """For a coordinator: the exchanges their city asked for or takes part in, soonest first."""
    if user.role != COORDINATOR or user.city_id is None or not policy.allows(user, "exchange.list"):
        return None
    exchanges = _under_way(user)
    exchanges.sort(key=lambda e: (e.starts_at is None, e.starts_at or e.created_at))
    items = []
    for exchange in exchanges[:HOME_LIMIT]:
        step, yours, section = next_step(user, exchange)
        hosting = exchange.city_id != user.city_id
        items.append(
            HomeItem(
                text=exchange.topic,
                url=_detail_url(exchange, section),
                when=exchange.starts_at,
                detail=_("Asked by %(city)s · %(step)s", city=exchange.city.name, step=step) if hosting else step,
                badge=_("Your turn") if yours else "",
            )
        )
    return HomeContent(
        title=_("Peer exchanges"),
        items=tuple(items),
        empty=_("Your city has no peer exchange under way. Other cities are glad to share what worked for them."),
        more=(_("All exchanges"), url_for("exchanges.index"))
        if len(exchanges) > HOME_LIMIT
        else (_("Ask for an exchange"), url_for("exchanges.new_exchange")),
    )


def exchanges_todo(user, now: datetime) -> list[HomeItem]:
    """A coordinator's steps to take (answer an invitation to host, name participants); for
    the office, how many exchanges wait for each of its steps."""
    if user.role not in (COORDINATOR, ADMIN) or not policy.allows(user, "exchange.list"):
        return []
    if user.role == COORDINATOR and user.city_id is None:
        return []
    steps = [(exchange, *next_step(user, exchange)) for exchange in _under_way(user)]
    if user.role == ADMIN:
        counts = Counter(step for __, step, yours, ___ in steps if yours)
        return [
            HomeItem(
                text=ngettext("%(step)s: %(num)d exchange", "%(step)s: %(num)d exchanges", count, step=step),
                url=url_for("exchanges.board"),
            )
            for step, count in sorted(counts.items(), key=lambda kv: -kv[1])
        ]
    return [
        HomeItem(
            text=_("%(step)s: “%(topic)s”", step=step, topic=exchange.topic),
            url=_detail_url(exchange, section),
            detail=_("Asked by %(city)s", city=exchange.city.name) if exchange.city_id != user.city_id else "",
        )
        for exchange, step, yours, section in steps
        if yours
    ][:HOME_LIMIT]


def month_figures(start: datetime, end: datetime) -> list[tuple[str, int, str]]:
    held = db.session.scalar(
        select(func.count(Exchange.id)).where(
            Exchange.status.in_((Exchange.HELD, Exchange.REPORTED)),
            Exchange.starts_at >= start,
            Exchange.starts_at < end,
        )
    )
    requested = db.session.scalar(
        select(func.count(Exchange.id)).where(Exchange.created_at >= start, Exchange.created_at < end)
    )
    board = url_for("exchanges.board")
    return [(_("Peer exchanges held"), held or 0, board), (_("Peer exchanges requested"), requested or 0, board)]
