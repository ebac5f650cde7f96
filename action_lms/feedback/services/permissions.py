"""Who may see what: a person their own requests; the impact report for the office (every
city) and for coordinators (their own city only)."""

from __future__ import annotations

from ...core.policy import ADMIN
from ..models import FeedbackRequest
from .rules import policy


def is_office(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.role == ADMIN


def can_answer(user, request: FeedbackRequest) -> bool:
    return policy.allows(user, "feedback.answer") and request.user_id is not None and request.user_id == user.id


def can_view_impact(user) -> bool:
    return policy.allows(user, "impact.view") and (is_office(user) or user.city_id is not None)


def impact_city_scope(user) -> int | None:
    """The one city a coordinator's report is about; None for the office (every city)."""
    return None if is_office(user) else user.city_id
