"""Matching: the office's ranked suggestions of host cities (each with its reasons in
words), invitations (one active per city and exchange, held by a partial unique index),
and the invited cities' answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, true

from ...accounts.models import City
from ...core.db import flush_or_conflict, transactional
from ...core.errors import Conflict, Invalid, NotFound
from ...core.i18n import _, _l, ngettext
from ...core.time import utcnow
from ...core.validators import multi_line
from ...extensions import db
from ...plans.models import COMPLETED, Milestone, Plan
from ...practices.models import Practice, PracticeCommitment, PracticeLanguage
from ..models import Exchange, Invitation
from .notifications import coordinators_of, notify, office
from .permissions import can_respond
from .requests import exchange_for
from .rules import MAX_SUGGESTIONS, invitation_word, status_word

INVITED_TWICE = _l("This city is already invited to this exchange.")
NOT_INVITABLE = (Exchange.HELD, Exchange.REPORTED, Exchange.WITHDRAWN, Exchange.CANCELLED)


@dataclass
class Suggestion:
    city: City
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    hosted_last_year: int = 0
    invitation: Invitation | None = None

    @property
    def invitation_status(self) -> str | None:
        return self.invitation.status if self.invitation is not None else None


def hosted_counts(city_ids: list[int] | None = None, since=None) -> dict[int, int]:
    """Exchanges each city hosted (accepted, and the session took place or is set)."""
    stmt = (
        select(Invitation.city_id, func.count(Invitation.id))
        .join(Exchange, Exchange.id == Invitation.exchange_id)
        .where(
            Invitation.status == Invitation.ACCEPTED,
            Exchange.status.in_((Exchange.SCHEDULED, Exchange.HELD, Exchange.REPORTED)),
        )
        .group_by(Invitation.city_id)
    )
    if since is not None:
        stmt = stmt.where(Exchange.starts_at >= since)
    if city_ids is not None:
        stmt = stmt.where(Invitation.city_id.in_(city_ids))
    return {city_id: n for city_id, n in db.session.execute(stmt)}


def suggestions(actor, exchange_id: int) -> list[Suggestion]:
    """Host cities ranked for the office, never the requesting city. Each reason adds to the
    score: the practice the request names (5), named by the requester (4), a published
    practice on a requested commitment (3 each), the milestone the requester works on
    completed (2), a shared language (1 each); every exchange hosted in the last 12 months
    takes 1 off, to spread the load. A fixed number of queries, however many cities."""
    exchange = exchange_for(actor, exchange_id, "exchange.match")
    others = {c.id: Suggestion(c) for c in db.session.scalars(select(City).where(City.id != exchange.city_id))}
    named_practices = {p.id for p in exchange.practices}
    for practice in exchange.practices:
        if practice.city_id in others:
            _add(others[practice.city_id], 5, _("owns the practice you asked about: %(title)s", title=practice.title))
    for city in exchange.preferred_cities:
        if city.id in others:
            _add(others[city.id], 4, _("named by the requesting city"))
    if exchange.commitments:
        rows = db.session.execute(
            select(Practice.city_id, PracticeCommitment.commitment)
            .join(PracticeCommitment, PracticeCommitment.practice_id == Practice.id)
            .where(
                Practice.status == Practice.PUBLISHED,
                PracticeCommitment.commitment.in_(exchange.commitments),
                Practice.id.not_in(named_practices) if named_practices else true(),
            )
            .distinct()
            .order_by(Practice.city_id, PracticeCommitment.commitment)
        )
        for city_id, commitment in rows:
            if city_id in others:
                _add(others[city_id], 3, _("published practice on commitment %(number)s", number=commitment))
    if exchange.milestone_key:
        done = db.session.scalars(
            select(Plan.city_id)
            .join(Milestone, Milestone.plan_id == Plan.id)
            .where(Plan.is_current.is_(True), Milestone.key == exchange.milestone_key, Milestone.status == COMPLETED)
        )
        for city_id in done:
            if city_id in others:
                _add(others[city_id], 2, _("completed milestone %(key)s", key=exchange.milestone_key))
    if exchange.languages:
        spoken = db.session.execute(
            select(Practice.city_id, PracticeLanguage.language)
            .join(PracticeLanguage, PracticeLanguage.practice_id == Practice.id)
            .where(Practice.status == Practice.PUBLISHED, PracticeLanguage.language.in_(exchange.languages))
            .distinct()
            .order_by(Practice.city_id, PracticeLanguage.language)
        )
        for city_id, language in spoken:
            if city_id in others and others[city_id].reasons:
                _add(others[city_id], 1, _("speaks %(language)s", language=language))
    hosted = hosted_counts(list(others), since=utcnow() - timedelta(days=365))
    for invitation in exchange.invitations:
        if invitation.city_id in others and invitation.status != Invitation.WITHDRAWN:
            others[invitation.city_id].invitation = invitation
    ranked = []
    for suggestion in others.values():
        if not suggestion.reasons:
            continue
        count = hosted.get(suggestion.city.id, 0)
        suggestion.hosted_last_year = count
        suggestion.score -= count
        suggestion.reasons.append(
            ngettext(
                "hosted %(num)d exchange in the last 12 months", "hosted %(num)d exchanges in the last 12 months", count
            )
        )
        ranked.append(suggestion)
    ranked.sort(key=lambda s: (-s.score, s.hosted_last_year, s.city.name.lower()))
    return ranked[:MAX_SUGGESTIONS]


def _add(suggestion: Suggestion, points: int, reason: str) -> None:
    suggestion.score += points
    suggestion.reasons.append(reason)


@transactional(INVITED_TWICE)
def invite_city(
    actor, exchange_id: int, city_id: int, practice_id: int | None = None, message: str | None = None
) -> Invitation:
    """Invite a host city; its coordinators get the questions. The same city twice is a 409
    (the partial unique index decides when two office users invite at once)."""
    exchange = exchange_for(actor, exchange_id, "exchange.match", lock=True)
    if exchange.status in NOT_INVITABLE:
        raise Conflict(
            _("This exchange is %(status)s: no more cities can be invited.", status=status_word(exchange.status))
        )
    if city_id == exchange.city_id:
        raise Invalid.field("city_id", _("A city cannot host its own exchange: invite another city."))
    city = db.session.get(City, city_id)
    if city is None:
        raise Invalid.field("city_id", _("No city with this id."))
    practice = None
    if practice_id is not None:
        practice = db.session.get(Practice, practice_id)
        if practice is None or practice.status != Practice.PUBLISHED or practice.city_id != city.id:
            raise Invalid.field("practice_id", _("Name a published practice of the invited city."))
    if any(i.city_id == city.id and i.status != Invitation.WITHDRAWN for i in exchange.invitations):
        raise Conflict(INVITED_TWICE)
    invitation = Invitation(
        exchange_id=exchange.id,
        city_id=city.id,
        city=city,
        requester_city_id=exchange.city_id,
        practice_id=practice.id if practice else None,
        practice=practice,
        message=multi_line(message, "message", Exchange.MAX_TEXT),
        status=Invitation.PENDING,
        invited_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(invitation)
    flush_or_conflict(INVITED_TWICE)
    if exchange.status == Exchange.REQUESTED:
        exchange.status = Exchange.MATCHING
    exchange.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(exchange, ["invitations"])
    notify(
        exchange,
        "invited",
        coordinators_of([city.id]),
        actor=actor,
        invitation=invitation,
        key_suffix=f":{invitation.id}",
    )
    return invitation


def _invitation(actor, exchange_id: int, invitation_id: int) -> tuple[Exchange, Invitation]:
    exchange = exchange_for(actor, exchange_id, "invitation.respond", lock=True)
    invitation = next((i for i in exchange.invitations if i.id == invitation_id), None)
    if invitation is None or not can_respond(actor, invitation):
        raise NotFound(_("No invitation with this id for your city."))
    if exchange.status not in Exchange.OPEN:
        raise Conflict(
            _(
                "This exchange is %(status)s: the invitation can no longer be answered.",
                status=status_word(exchange.status),
            )
        )
    if invitation.status != Invitation.PENDING:
        raise Conflict(_("This invitation is already %(status)s.", status=invitation_word(invitation.status)))
    return exchange, invitation


def _answered(exchange: Exchange, invitation: Invitation, actor, kind: str) -> Exchange:
    invitation.responded_by_id = actor.id
    invitation.responded_at = exchange.updated_at = utcnow()
    db.session.flush()
    people = [*office(), *coordinators_of([exchange.city_id])]
    notify(exchange, kind, people, actor=actor, invitation=invitation, key_suffix=f":{invitation.id}")
    return exchange


@transactional()
def accept_invitation(actor, exchange_id: int, invitation_id: int) -> Exchange:
    exchange, invitation = _invitation(actor, exchange_id, invitation_id)
    invitation.status = Invitation.ACCEPTED
    return _answered(exchange, invitation, actor, "accepted")


@transactional()
def decline_invitation(actor, exchange_id: int, invitation_id: int, reason: str) -> Exchange:
    exchange, invitation = _invitation(actor, exchange_id, invitation_id)
    invitation.decline_reason = multi_line(reason, "reason", Exchange.MAX_TEXT, required=True)
    invitation.status = Invitation.DECLINED
    return _answered(exchange, invitation, actor, "declined")


@transactional()
def withdraw_invitation(actor, exchange_id: int, invitation_id: int) -> Exchange:
    """The office takes an invitation back (the city may be invited again later)."""
    exchange = exchange_for(actor, exchange_id, "exchange.match", lock=True)
    invitation = next((i for i in exchange.invitations if i.id == invitation_id), None)
    if invitation is None:
        raise NotFound(_("No invitation with this id."))
    if exchange.status in NOT_INVITABLE:
        raise Conflict(
            _(
                "This exchange is %(status)s: its invitations can no longer change.",
                status=status_word(exchange.status),
            )
        )
    if invitation.status == Invitation.WITHDRAWN:
        raise Conflict(_("This invitation is already withdrawn."))
    invitation.status = Invitation.WITHDRAWN
    exchange.updated_at = utcnow()
    db.session.flush()
    return exchange
