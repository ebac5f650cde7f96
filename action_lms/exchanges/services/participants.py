"""Who takes part: members of the requesting city and of every accepted host city join
themselves or are named by their coordinator. One participation per person and
exchange (unique constraint). Other cities see participants' names, never their addresses."""

from __future__ import annotations

from sqlalchemy import select

from ...accounts.models import User
from ...core.db import flush_or_conflict, transactional
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.i18n import _, _l
from ...core.time import utcnow
from ...extensions import db
from ..models import Exchange, Participant
from .notifications import notify
from .permissions import can_add_participants, can_join, is_office, taking_part_city_ids
from .requests import exchange_for
from .rules import status_word

ALREADY = _l("This person already takes part in this exchange.")
JOINABLE = (Exchange.REQUESTED, Exchange.MATCHING, Exchange.SCHEDULED)


def _open_for_people(exchange: Exchange) -> None:
    if exchange.status not in JOINABLE:
        raise Conflict(
            _("This exchange is %(status)s: the list of participants is closed.", status=status_word(exchange.status))
        )


def _joinable(actor, exchange_id: int) -> Exchange:
    """Members of a taking-part city may act on their own participation even before they
    can see the exchange (their coordinator sent them the link)."""
    from .rules import policy

    policy.require(actor, "participant.join")
    exchange = db.session.get(Exchange, exchange_id)
    if exchange is None or not (can_join(actor, exchange) or is_office(actor)):
        from ...core.errors import NotFound
        from .rules import NOT_VISIBLE

        raise NotFound(NOT_VISIBLE)
    if not can_join(actor, exchange):
        raise Forbidden(_("Only people of the cities taking part join an exchange."))
    return exchange


@transactional(ALREADY)
def join_exchange(actor, exchange_id: int) -> Exchange:
    """PUT: take part (idempotent: joining twice changes nothing)."""
    exchange = _joinable(actor, exchange_id)
    if any(p.user_id == actor.id for p in exchange.participants):
        return exchange_for(actor, exchange_id, "exchange.view")
    _open_for_people(exchange)
    db.session.add(
        Participant(
            exchange_id=exchange.id, user_id=actor.id, city_id=actor.city_id, added_by_id=actor.id, created_at=utcnow()
        )
    )
    flush_or_conflict(ALREADY)
    db.session.refresh(exchange, ["participants"])
    return exchange_for(actor, exchange_id, "exchange.view")


@transactional()
def leave_exchange(actor, exchange_id: int) -> None:
    """DELETE: no longer take part (idempotent)."""
    exchange = _joinable(actor, exchange_id)
    mine = next((p for p in exchange.participants if p.user_id == actor.id), None)
    if mine is None:
        return
    _open_for_people(exchange)
    exchange.participants.remove(mine)
    db.session.flush()


@transactional(ALREADY)
def add_participant(actor, exchange_id: int, user_id: int) -> Exchange:
    """A coordinator names a member of their city; the office a member of any taking-part city."""
    exchange = exchange_for(actor, exchange_id, "participant.add", can_add_participants, lock=True)
    _open_for_people(exchange)
    person = db.session.scalar(select(User).where(User.id == user_id))
    allowed_cities = taking_part_city_ids(exchange) if is_office(actor) else {actor.city_id}
    if person is None or not person.is_active or person.city_id not in allowed_cities:
        raise Invalid.field(
            "user_id",
            _("Name an active member of your city.")
            if not is_office(actor)
            else _("Name an active member of a city taking part."),
        )
    if any(p.user_id == person.id for p in exchange.participants):
        raise Conflict(ALREADY)
    db.session.add(
        Participant(
            exchange_id=exchange.id,
            user_id=person.id,
            city_id=person.city_id,
            added_by_id=actor.id,
            created_at=utcnow(),
        )
    )
    flush_or_conflict(ALREADY)
    db.session.refresh(exchange, ["participants"])
    if person.id != actor.id:
        notify(exchange, "added", [person], actor=actor)
    return exchange_for(actor, exchange_id, "exchange.view")


def members_to_add(actor, exchange: Exchange) -> list[User]:
    """The people the actor may still name (for the page's select)."""
    if not can_add_participants(actor, exchange) or exchange.status not in JOINABLE:
        return []
    cities = taking_part_city_ids(exchange) if is_office(actor) else {actor.city_id}
    taken = {p.user_id for p in exchange.participants}
    people = db.session.scalars(
        select(User)
        .where(User.city_id.in_(cities), User.active.is_(True), User.erased_at.is_(None))
        .order_by(User.name)
        .limit(500)
    )
    return [p for p in people if p.id not in taken]
