"""City membership: a person asks to join a city; that city's coordinators (or the office)
approve or decline. Until approved, the person is no member and sees nothing of the city:
`User.city_id` is only ever set here on approval, by an admin, or by the operator's CLI.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ...core import outbox
from ...core.db import affected_rows, transactional
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import _, _l
from ...core.policy import ADMIN, COORDINATOR
from ...core.time import utcnow
from ...extensions import db
from ..models import City, User
from .rules import city_or_invalid, policy


def can_decide_membership(user, city_id: int) -> bool:
    """Admins for every city; a coordinator for their own city only."""
    if not policy.allows(user, "membership.decide"):
        return False
    return user.role == ADMIN or (user.role == COORDINATOR and user.city_id == city_id)


def can_request_membership(user) -> bool:
    """Learners choose their city; coordinators and experts get theirs from the office."""
    return policy.allows(user, "membership.request")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S%f")


def _deciders(city: City) -> list[User]:
    """Who is told about a request: the city's coordinators, or the office when it has none."""
    active = (User.active.is_(True), User.erased_at.is_(None))
    people = list(
        db.session.scalars(
            select(User).where(User.city_id == city.id, User.role == COORDINATOR, *active).order_by(User.id)
        )
    )
    if not people:
        people = list(db.session.scalars(select(User).where(User.role == ADMIN, *active).order_by(User.id)))
    return people


def notify_join_deciders(user: User, city: City) -> None:
    """E-mail the people who can decide a request (in the caller's transaction)."""
    link = current_app.config["BASE_URL"] + url_for("accounts.join_requests", city_id=city.id)
    requested_at = user.city_requested_at or utcnow()
    for person in _deciders(city):
        outbox.queue(
            person,
            "membership.requested",
            _l("%(name)s asks to join %(city)s on ACTION LMS", name=user.name, city=city.name),
            "accounts/join_requested.txt",
            {"applicant": user, "city": city, "link": link},
            f"membership:requested:{user.id}:{city.id}:{_stamp(requested_at)}:to-{person.id}",
        )


@transactional()
def request_to_join(user: User, city_id: int) -> User:
    """Ask to join a city (a learner without one). Asking again for another city replaces
    the open request."""
    policy.require(
        user, "membership.request", _("Coordinators and experts get their city from the coalition's office.")
    )
    if user.city is not None:
        raise Conflict(_("You are already a member of %(city)s.", city=user.city.name))
    city = city_or_invalid(city_id)
    if city is None:
        raise Invalid.field("city_id", _("Choose the city you work for."))
    if user.requested_city_id == city.id:
        raise Conflict(_("You have already asked to join %(city)s; its coordinators will decide.", city=city.name))
    user.requested_city = city
    user.city_requested_at = utcnow()
    db.session.flush()
    notify_join_deciders(user, city)
    return user


@transactional()
def withdraw_join_request(user: User) -> None:
    policy.require(user, "membership.request")
    if user.requested_city_id is None:
        raise Conflict(_("You have no open request to join a city."))
    user.requested_city = None
    user.requested_city_id = None
    user.city_requested_at = None


def _city_for_decider(actor, city_id: int) -> City:
    policy.require(actor, "membership.decide")
    city = db.session.get(City, city_id)
    if city is None:
        raise NotFound(_("No city with this id."))
    if not can_decide_membership(actor, city.id):
        raise Forbidden(_("Only this city's coordinators and the coalition's office decide who joins it."))
    return city


def list_join_requests(actor, city_id: int | None = None) -> list[User]:
    """People waiting to join the city, oldest request first. Without a city: a
    coordinator's own city, or every city for the office."""
    if city_id is None:
        policy.require(actor, "membership.decide")
        if actor.role == COORDINATOR:
            city_id = actor.city_id
    stmt = (
        select(User)
        .where(User.erased_at.is_(None), User.active.is_(True))
        .options(selectinload(User.requested_city))
        .order_by(User.city_requested_at, User.id)
    )
    if city_id is None:  # the office, all cities
        return list(db.session.scalars(stmt.where(User.requested_city_id.is_not(None))))
    city = _city_for_decider(actor, city_id)
    return list(db.session.scalars(stmt.where(User.requested_city_id == city.id)))


def pending_join_request_count(actor) -> int:
    """For the navigation: how many people wait for this coordinator's decision."""
    if getattr(actor, "role", None) != COORDINATOR or actor.city_id is None:
        return 0
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.requested_city_id == actor.city_id, User.erased_at.is_(None), User.active.is_(True)
            )
        )
        or 0
    )


@transactional()
def _decide(actor, city_id: int, user_id: int, approve: bool) -> User:
    """Approve or decline with one conditional UPDATE: when two coordinators decide the same
    request at once, one wins and the other hears that it was already decided."""
    city = _city_for_decider(actor, city_id)
    applicant = db.session.get(User, user_id)
    if applicant is None or applicant.erased_at is not None:
        raise NotFound(_("No request to join this city from this person."))
    if applicant.requested_city_id != city.id:
        if applicant.city_id == city.id:
            raise Conflict(_("%(name)s is already a member of %(city)s.", name=applicant.name, city=city.name))
        raise Conflict(
            _(
                "%(name)s has no open request to join %(city)s; it may have just been decided.",
                name=applicant.name,
                city=city.name,
            )
        )
    values: dict[str, int | None] = {"requested_city_id": None, "city_requested_at": None}
    if approve:
        values["city_id"] = city.id
    result = db.session.execute(
        update(User)
        .where(User.id == applicant.id, User.requested_city_id == city.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        raise Conflict(_("This request has just been decided by someone else."))
    db.session.flush()
    db.session.refresh(applicant)
    kind = "approved" if approve else "declined"
    outbox.queue(
        applicant,
        f"membership.{kind}",
        _l("You are now a member of %(city)s on ACTION LMS", city=city.name)
        if approve
        else _l("Your request to join %(city)s on ACTION LMS was declined", city=city.name),
        f"accounts/join_{kind}.txt",
        {"city": city, "decider": actor},
        f"membership:{kind}:{applicant.id}:{city.id}:{_stamp(utcnow())}",
    )
    return applicant


def approve_join_request(actor, city_id: int, user_id: int) -> User:
    return _decide(actor, city_id, user_id, approve=True)


def decline_join_request(actor, city_id: int, user_id: int) -> User:
    return _decide(actor, city_id, user_id, approve=False)
