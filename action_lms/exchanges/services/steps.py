"""What happens next in an exchange, in words, for one viewer: whether it is theirs to do and
the section of the exchange's page where they do it. The list, the exchange's page and the
home page all show it."""

from __future__ import annotations

from ...core.i18n import _
from ...core.time import format_local, utcnow
from ..models import Exchange, Invitation
from .permissions import (
    accepted_city_ids,
    coordinates_taking_part_city,
    invited_city,
    is_office,
    is_requesting_coordinator,
)


def _when(exchange: Exchange, user) -> str:
    """When the exchange starts, in the viewer's zone."""
    return format_local(exchange.starts_at, getattr(user, "timezone", None) or "Europe/Brussels")


def _city_has_people(exchange: Exchange, city_id: int | None) -> bool:
    return any(p.city_id == city_id for p in exchange.participants)


def next_step(user, exchange: Exchange) -> tuple[str, bool, str | None]:
    """What happens next for this viewer, whether it is theirs to do, and the section of the
    exchange's page where they do it."""
    status = exchange.status
    office = is_office(user)
    invitation = invited_city(user, exchange)
    accepted = accepted_city_ids(exchange)
    answers_due = any(i.status == Invitation.PENDING for i in exchange.invitations)
    names_people = coordinates_taking_part_city(user, exchange) and not _city_has_people(exchange, user.city_id)
    if status == Exchange.WITHDRAWN:
        return _("Withdrawn by %(city)s", city=exchange.city.name), False, None
    if status == Exchange.CANCELLED:
        if exchange.cancel_reason:
            return _("Cancelled by the office: %(reason)s", reason=exchange.cancel_reason), False, None
        return _("Cancelled by the office"), False, None
    if status == Exchange.REPORTED:
        public = exchange.story_published_at is not None
        words = _("Report written and published as a story") if public else _("Report written")
        return words, False, "report-view"
    if status == Exchange.HELD:
        if office:
            return _("Write the report"), True, "write-report"
        return _("Held: the office is writing the report"), False, None
    if status == Exchange.SCHEDULED:
        assert exchange.starts_at is not None
        if exchange.starts_at <= utcnow():
            if office:
                return _("Record attendance"), True, "attendance"
            return _("Held: the office is writing the report"), False, None
        if names_people:
            return _("Scheduled for %(when)s: name your participants", when=_when(exchange, user)), True, "people"
        return _("Scheduled for %(when)s", when=_when(exchange, user)), False, "when"
    # requested or matching
    if office:
        if status == Exchange.REQUESTED:
            return _("Invite host cities"), True, "matching"
        if accepted:
            return _("Set a time"), True, "schedule"
        return _("Waiting for the invited cities to answer"), False, "matching"
    if invitation is not None and not is_requesting_coordinator(user, exchange):
        if invitation.status == Invitation.PENDING:
            return _("Answer the invitation"), True, "answer"
        if invitation.status == Invitation.DECLINED:
            return _("Your city declined"), False, None
        if invitation.status == Invitation.WITHDRAWN:
            return _("The office withdrew the invitation"), False, None
        if names_people:
            return _("Name your participants"), True, "people"
        return _("Waiting for the office to set a time"), False, None
    if status == Exchange.REQUESTED:
        return _("Waiting for the office to invite host cities"), False, None
    if not accepted:
        if answers_due:
            return _("Waiting for the invited cities to answer"), False, None
        return _("Waiting for the office to invite more cities"), False, None
    if names_people:
        return _("Name your participants"), True, "people"
    return _("Waiting for the office to set a time"), False, None
