"""Requests: a city asks to learn from other cities; who sees which request; withdrawing
and cancelling. Each write is one transaction; the exchange row is locked (FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite) before its state changes, so two people acting at
once follow the path one after the other and the second gets the rule's 409."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from ...accounts.models import City
from ...core.db import transactional
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import _, _l
from ...core.policy import OPERATOR
from ...core.time import utcnow
from ...core.validators import column_length, multi_line, single_line
from ...extensions import db
from ...practices.models import Practice
from ..models import Exchange, ExchangePractice, Invitation, PreferredHost
from .notifications import coordinators_of, notify, office, people_taking_part
from .permissions import (
    can_request_exchange,
    can_see_join_link,
    can_view_exchange,
    can_withdraw,
    is_office,
    visible_exchanges,
)
from .rules import (
    NOT_VISIBLE,
    calendar_date,
    commitments,
    id_list,
    is_postgres,
    languages,
    milestone,
    policy,
    status_word,
)

# ---------------------------------------------------------------- seeing exchanges


def exchange_for(
    actor, exchange_id: int, action: str, allowed: Callable[..., bool] = can_view_exchange, lock: bool = False
) -> Exchange:
    """The exchange, if the actor's role may take `action` (else 403) and `allowed(actor,
    exchange)` (else 404: another city's request is not even acknowledged)."""
    policy.require(actor, action)
    stmt = select(Exchange).where(Exchange.id == exchange_id)
    if lock and is_postgres():
        stmt = stmt.with_for_update(of=Exchange)
    exchange = db.session.scalar(stmt)
    if exchange is None or not (is_office(actor) or can_view_exchange(actor, exchange)):
        raise NotFound(NOT_VISIBLE)
    if not allowed(actor, exchange):
        raise Forbidden(_("Your role in this exchange does not allow this."))
    return annotate([exchange], actor)[0]


def annotate(exchanges: list[Exchange], actor) -> list[Exchange]:
    """What the viewer may see of each exchange: the join link only for participants and the office."""
    for exchange in exchanges:
        exchange.visible_join_url = exchange.join_url if can_see_join_link(actor, exchange) else None  # type: ignore[attr-defined]
    return exchanges


def get_exchange(actor, exchange_id: int) -> Exchange:
    return exchange_for(actor, exchange_id, "exchange.view")


def list_exchanges_query(actor, status: str | None = None, city_id: int | None = None):
    """The exchanges the actor sees, oldest request first (the office works them in order)."""
    policy.require(actor, "exchange.list")
    stmt = visible_exchanges(select(Exchange), actor)
    if status:
        if status not in Exchange.STATUSES:
            raise Invalid.field("status", _("Status is one of: %(statuses)s.", statuses=", ".join(Exchange.STATUSES)))
        stmt = stmt.where(Exchange.status == status)
    if city_id is not None:
        stmt = stmt.where(Exchange.city_id == city_id)
    return stmt.order_by(Exchange.created_at, Exchange.id)


def list_exchanges(actor, status: str | None = None, city_id: int | None = None, limit: int = 200) -> list[Exchange]:
    return annotate(list(db.session.scalars(list_exchanges_query(actor, status, city_id).limit(limit))), actor)


def exchanges_for_operator(status: str | None = None) -> list[Exchange]:
    """Every exchange for the operator at the shell (`flask exchanges list`)."""
    return list(db.session.scalars(list_exchanges_query(OPERATOR, status=status)))


def requestable_cities(actor) -> list[City]:
    """The cities the actor may request for: all for the office, else their own."""
    if is_office(actor):
        return list(db.session.scalars(select(City).order_by(City.name)))
    if actor.city is not None and can_request_exchange(actor, actor.city_id):
        return [actor.city]
    return []


# ---------------------------------------------------------------- the request


def _requesting_city(actor, city_id: int | None) -> City:
    if not is_office(actor):
        if not can_request_exchange(actor, city_id):
            raise Forbidden(_("Coordinators ask for exchanges for their own city."))
        city_id = actor.city_id
    elif city_id is None:
        raise Invalid.field("city_id", _("Choose the city that asks for the exchange."))
    city = db.session.get(City, city_id)
    if city is None:
        raise Invalid.field("city_id", _("No city with this id."))
    return city


def _questions(values) -> list[str]:
    if not isinstance(values, list | tuple):
        raise Invalid.field("questions", _("Send the questions as a list."))
    cleaned = [multi_line(q, "questions", Exchange.MAX_QUESTION) for q in values]
    result = [q for q in cleaned if q]
    if not result:
        raise Invalid.field("questions", _("Ask the host cities at least one question: they receive it ahead."))
    if len(result) > Exchange.MAX_QUESTIONS:
        raise Invalid.field("questions", _("Send at most %(num)d questions.", num=Exchange.MAX_QUESTIONS))
    return result


@transactional(_l("This exchange request was changed at the same moment. Please reload and try again."))
def create_exchange(
    actor,
    topic: str,
    objective: str,
    questions: list[str],
    languages_: list[str] | None = None,
    commitments_: list[int] | None = None,
    milestone_key: str | None = None,
    practice_ids: list[int] | None = None,
    preferred_city_ids: list[int] | None = None,
    earliest_date=None,
    latest_date=None,
    city_id: int | None = None,
) -> Exchange:
    """A city's request; the office is told and finds it in its queue."""
    policy.require(actor, "exchange.request", _("Coordinators and the office ask for peer exchanges."))
    city = _requesting_city(actor, city_id)
    earliest = calendar_date(earliest_date, "earliest_date")
    latest = calendar_date(latest_date, "latest_date")
    if earliest and latest and latest < earliest:
        raise Invalid.field("latest_date", _("The window ends before it starts: choose a later last date."))
    if latest and latest < utcnow().date():
        raise Invalid.field("latest_date", _("The window is in the past: choose dates ahead."))
    practice_ids = id_list(practice_ids, "practice_ids")
    preferred = id_list(preferred_city_ids, "preferred_city_ids")
    if city.id in preferred:
        raise Invalid.field("preferred_city_ids", _("Your own city cannot host your exchange: name other cities."))
    practices = _published_practices(practice_ids)
    hosts = list(db.session.scalars(select(City).where(City.id.in_(preferred)))) if preferred else []
    if len(hosts) != len(preferred):
        raise Invalid.field("preferred_city_ids", _("No city with one of these ids."))
    now = utcnow()
    exchange = Exchange(
        city_id=city.id,
        city=city,
        requested_by_id=actor.id,
        topic=single_line(topic, "topic", column_length(Exchange.topic)),
        objective=multi_line(objective, "objective", Exchange.MAX_TEXT, required=True),
        questions=_questions(questions),
        commitments=commitments(commitments_),
        milestone_key=milestone(milestone_key),
        languages=languages(languages_),
        earliest_date=earliest,
        latest_date=latest,
        status=Exchange.REQUESTED,
        created_at=now,
        updated_at=now,
    )
    db.session.add(exchange)
    db.session.flush()
    for practice in practices:
        exchange.practice_links.append(ExchangePractice(exchange_id=exchange.id, practice_id=practice.id))
    for host in hosts:
        exchange.preferred.append(PreferredHost(exchange_id=exchange.id, city_id=host.id, requester_city_id=city.id))
    db.session.flush()
    notify(exchange, "requested", office(), actor=actor)
    return exchange


def _published_practices(ids: list[int]) -> list[Practice]:
    if not ids:
        return []
    found = list(
        db.session.scalars(select(Practice).where(Practice.id.in_(ids), Practice.status == Practice.PUBLISHED))
    )
    if len(found) != len(ids):
        raise Invalid.field("practice_ids", _("Name published practices of the library (one of these is not)."))
    return found


# ---------------------------------------------------------------- ending a request


def _close(exchange: Exchange, actor, status: str, reason: str | None) -> None:
    now = utcnow()
    was_scheduled = exchange.status == Exchange.SCHEDULED
    exchange.status = status
    exchange.closed_at = now
    exchange.closed_by_id = actor.id
    exchange.cancel_reason = reason
    exchange.updated_at = now
    if was_scheduled:
        exchange.sequence += 1
    for invitation in exchange.invitations:
        if invitation.status == Invitation.PENDING:
            invitation.status = Invitation.WITHDRAWN
    db.session.flush()


def _involved(exchange: Exchange) -> list:
    invited = {i.city_id for i in exchange.invitations if i.status in Invitation.TAKING_PART}
    return [*people_taking_part(exchange), *coordinators_of(invited)]


@transactional()
def withdraw_exchange(actor, exchange_id: int) -> Exchange:
    """The requesting city no longer needs the exchange: everyone invited is told."""
    exchange = exchange_for(actor, exchange_id, "exchange.withdraw", can_withdraw, lock=True)
    if exchange.status not in Exchange.OPEN:
        raise Conflict(
            _(
                "This exchange is %(status)s, so it can no longer be withdrawn.",
                status=status_word(exchange.status),
            )
        )
    people = _involved(exchange)
    _close(exchange, actor, Exchange.WITHDRAWN, None)
    notify(exchange, "withdrawn", [*people, *office()], actor=actor)
    return exchange


@transactional()
def cancel_exchange(actor, exchange_id: int, reason: str) -> Exchange:
    """The office cancels with a reason: everyone involved is told (with a cancelled calendar event)."""
    exchange = exchange_for(actor, exchange_id, "exchange.match", lock=True)
    if exchange.status not in Exchange.OPEN:
        raise Conflict(
            _(
                "This exchange is %(status)s, so it can no longer be cancelled.",
                status=status_word(exchange.status),
            )
        )
    why = multi_line(reason, "reason", Exchange.MAX_TEXT, required=True)
    people = _involved(exchange)
    _close(exchange, actor, Exchange.CANCELLED, why)
    notify(exchange, "cancelled", people, actor=actor)
    return exchange


def count_by_status() -> dict[str, int]:
    rows = db.session.execute(select(Exchange.status, func.count(Exchange.id)).group_by(Exchange.status))
    counts = dict.fromkeys(Exchange.STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts
