"""Who may do what to which practice, in one place: the role table (`rules.policy`) says
which actions a role may take at all; these functions add the object-level rules (the
owning city's coordinators, the ACTION office for every city). Services call them before
acting; views and templates receive their answers as `can_*` flags."""

from __future__ import annotations

from sqlalchemy import false, or_

from ...core.policy import COORDINATOR, is_office, signed_in
from ..models import Practice
from .rules import EDITABLE_BY_CITY, policy


def speaks_for_city(user, city_id: int | None) -> bool:
    """A coordinator acts for their own city's practices (learners of the city only read)."""
    return signed_in(user) and user.role == COORDINATOR and city_id is not None and user.city_id == city_id


def visible_practices(stmt, user):
    """Restrict a Practice select to what `user` may see (the query form of `can_view_practice`)."""
    if not policy.allows(user, "practice.list"):
        return stmt.where(false())
    if is_office(user):
        return stmt
    if speaks_for_city(user, getattr(user, "city_id", None)):
        return stmt.where(or_(Practice.status == Practice.PUBLISHED, Practice.city_id == user.city_id))
    return stmt.where(Practice.status == Practice.PUBLISHED)


def can_view_practice(user, practice: Practice) -> bool:
    """Published: every signed-in person. Otherwise the owning city's coordinators and the office."""
    if not policy.allows(user, "practice.view"):
        return False
    return practice.status == Practice.PUBLISHED or is_office(user) or speaks_for_city(user, practice.city_id)


def can_create_for_any_city(user) -> bool:
    """The office describes a practice for the city it names; a coordinator for their own."""
    return is_office(user) and policy.allows(user, "practice.create")


def can_create_practice(user, city_id: int | None = None) -> bool:
    if not policy.allows(user, "practice.create"):
        return False
    if can_create_for_any_city(user):
        return True
    return speaks_for_city(user, user.city_id) and (city_id is None or city_id == user.city_id)


def can_edit_practice(user, practice: Practice) -> bool:
    """The city while it is a draft or waiting for review; the office at any time."""
    if not policy.allows(user, "practice.edit"):
        return False
    if is_office(user):
        return True
    return speaks_for_city(user, practice.city_id) and practice.status in EDITABLE_BY_CITY


def can_submit_practice(user, practice: Practice) -> bool:
    """The city (or the office for it) hands a draft to the office for review."""
    return (
        policy.allows(user, "practice.submit")
        and (is_office(user) or speaks_for_city(user, practice.city_id))
        and practice.status == Practice.DRAFT
    )


def can_review_practices(user) -> bool:
    """The office publishes, sends back and archives."""
    return policy.allows(user, "practice.review")


def can_list_own_city(user) -> bool:
    """The "My city's practices" page: a coordinator's city, in every status."""
    return policy.allows(user, "practice.own_city") and getattr(user, "city_id", None) is not None


def can_ask_for_exchange(user, practice: Practice) -> bool:
    """The button "Ask for an exchange about this": someone who may request exchanges, on a
    published practice of another city (the exchanges domain imports practices, so its
    services are imported here, when asked, not at import time)."""
    from ...exchanges.services import can_request_exchange

    if practice.status != Practice.PUBLISHED or not can_request_exchange(user):
        return False
    return getattr(user, "city_id", None) != practice.city_id
