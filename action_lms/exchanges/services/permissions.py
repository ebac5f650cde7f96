"""Who may do what to which exchange, in one place: the role table (`rules.policy`) says
which actions a role may take at all; these functions add the object-level rules (the
requesting city, the invited cities from their invitation on, the people taking part, the
office for every exchange). Services call them; views and templates ask them what to offer."""

from __future__ import annotations

from sqlalchemy import exists, false, or_, select

from ...core.policy import COORDINATOR, is_office, signed_in
from ..models import Exchange, Invitation, Participant
from .rules import policy


def _coordinator_of(user, city_id: int | None) -> bool:
    return signed_in(user) and user.role == COORDINATOR and user.city_id is not None and user.city_id == city_id


def _member_of(user, city_id: int | None) -> bool:
    return signed_in(user) and user.city_id is not None and user.city_id == city_id


def is_participant(user, exchange: Exchange) -> bool:
    return signed_in(user) and any(p.user_id == user.id for p in exchange.participants)


def invited_city(user, exchange: Exchange) -> Invitation | None:
    """The invitation of the user's city, if they coordinate an invited city."""
    if not signed_in(user) or user.role != COORDINATOR or user.city_id is None:
        return None
    return next((i for i in exchange.invitations if i.city_id == user.city_id), None)


def accepted_city_ids(exchange: Exchange) -> set[int]:
    return {i.city_id for i in exchange.invitations if i.status == Invitation.ACCEPTED}


def can_request_exchange(user, city_id: int | None = None) -> bool:
    """A coordinator for their own city; the office on any city's behalf."""
    if not policy.allows(user, "exchange.request"):
        return False
    if is_office(user):
        return True
    return user.city_id is not None and (city_id is None or city_id == user.city_id)


def can_view_exchange(user, exchange: Exchange) -> bool:
    """The requesting city's coordinators, invited cities' coordinators (from their
    invitation on), the people taking part, and the office."""
    if not policy.allows(user, "exchange.view"):
        return False
    return (
        is_office(user)
        or _coordinator_of(user, exchange.city_id)
        or invited_city(user, exchange) is not None
        or is_participant(user, exchange)
    )


def visible_exchanges(stmt, user):
    """Restrict an Exchange select to what `user` may see (the query form of `can_view_exchange`)."""
    if not policy.allows(user, "exchange.list"):
        return stmt.where(false())
    if is_office(user):
        return stmt
    takes_part = exists(
        select(Participant.id).where(Participant.exchange_id == Exchange.id, Participant.user_id == user.id)
    )
    conditions = [takes_part]
    if user.role == COORDINATOR and user.city_id is not None:
        conditions.append(Exchange.city_id == user.city_id)
        conditions.append(
            exists(
                select(Invitation.id).where(Invitation.exchange_id == Exchange.id, Invitation.city_id == user.city_id)
            )
        )
    return stmt.where(or_(*conditions))


def can_see_join_link(user, exchange: Exchange) -> bool:
    """Participants and the office, once a time is set."""
    if exchange.status != Exchange.SCHEDULED or not exchange.join_url:
        return False
    return is_office(user) or is_participant(user, exchange)


def can_match(user) -> bool:
    return policy.allows(user, "exchange.match")


def can_record(user) -> bool:
    return policy.allows(user, "exchange.record")


def can_withdraw(user, exchange: Exchange) -> bool:
    """The requesting city (its coordinators, or the office on its behalf)."""
    return policy.allows(user, "exchange.withdraw") and (is_office(user) or _coordinator_of(user, exchange.city_id))


def can_respond(user, invitation: Invitation) -> bool:
    """The invited city's coordinators (or the office on its behalf)."""
    return policy.allows(user, "invitation.respond") and (is_office(user) or _coordinator_of(user, invitation.city_id))


def taking_part_city_ids(exchange: Exchange) -> set[int]:
    """The requesting city and every host city that accepted: their people may take part."""
    return {exchange.city_id} | accepted_city_ids(exchange)


def can_join(user, exchange: Exchange) -> bool:
    """A member of the requesting or of an accepted host city joins (or leaves) themselves."""
    return (
        policy.allows(user, "participant.join")
        and user.city_id is not None
        and user.city_id in taking_part_city_ids(exchange)
    )


def can_add_participants(user, exchange: Exchange) -> bool:
    """Coordinators of the requesting or of an accepted host city name their people; the
    office names people of any of those cities."""
    if not policy.allows(user, "participant.add"):
        return False
    return is_office(user) or (
        user.city_id is not None
        and _coordinator_of(user, user.city_id)
        and user.city_id in taking_part_city_ids(exchange)
    )


def coordinates_taking_part_city(user, exchange: Exchange) -> bool:
    return _coordinator_of(user, exchange.city_id) or any(
        _coordinator_of(user, cid) for cid in accepted_city_ids(exchange)
    )


def is_requesting_coordinator(user, exchange: Exchange) -> bool:
    return _coordinator_of(user, exchange.city_id)
