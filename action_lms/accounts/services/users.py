"""Accounts: registration, users managed by the office, my profile and password."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ...core import outbox
from ...core.db import transactional
from ...core.errors import MAX_DB_INT, Conflict, Invalid, NotFound
from ...core.i18n import _, _l
from ...core.policy import ADMIN, COORDINATOR, ROLES
from ...core.time import utcnow
from ...extensions import db
from ..models import User
from .membership import notify_join_deciders
from .rules import (
    DEFAULT_TIMEZONE,
    check_language,
    check_name,
    check_password,
    check_timezone,
    city_or_invalid,
    email_taken,
    normalise_email,
    policy,
)
from .sessions import end_sessions, revoke_all_tokens


def _new_user(email, name, role, timezone, city_id, password) -> User:
    email = normalise_email(email)
    name = check_name(name)
    if role not in ROLES:
        raise Invalid.field("role", _("Role must be one of: %(values)s.", values=", ".join(ROLES)))
    city = city_or_invalid(city_id)
    if role == COORDINATOR and city is None:
        raise Invalid.field("city_id", _("A coordinator must belong to a city."))
    timezone = check_timezone(timezone or (city.timezone if city else DEFAULT_TIMEZONE))
    if password is not None:
        check_password(password)
    if email_taken(email):
        raise Conflict(_("An account with this e-mail address already exists."))
    user = User(
        email=email,
        name=name,
        role=role,
        timezone=timezone,
        city=city,
        active=True,
        password_hash=generate_password_hash(password) if password else None,
        created_at=utcnow(),
    )
    db.session.add(user)
    return user


@transactional(_l("An account with this e-mail address already exists."))
def register(
    email: str,
    password: str,
    name: str,
    timezone: str | None = None,
    city_id: int | None = None,
    language: str | None = None,
) -> User:
    """Self-registration: always a learner, member of no city. A city chosen here is a
    request to join it, decided by that city's coordinators or an admin. Without a language
    the account follows the language the page was shown in."""
    check_password(password)
    language = check_language(language)
    city = city_or_invalid(city_id)
    user = _new_user(email, name, "learner", timezone or (city.timezone if city else None), None, password)
    user.language = language or _page_language()
    if city is not None:
        user.requested_city = city
        user.city_requested_at = utcnow()
    db.session.flush()
    outbox.queue(
        user, "welcome", _l("Welcome to ACTION LMS"), "welcome.txt", {"requested_city": city}, f"welcome:{user.id}"
    )
    if city is not None:
        notify_join_deciders(user, city)
    return user


@transactional(_l("An account with this e-mail address already exists."))
def create_user(
    actor: User | None,
    email: str,
    name: str,
    role: str,
    city_id: int | None = None,
    timezone: str | None = None,
    password: str | None = None,
) -> User:
    """Admins create users of any role. `actor=None` is the operator's CLI."""
    if actor is not None:
        policy.require(actor, "user.create")
    user = _new_user(email, name, role, timezone, city_id, password)
    return user


def list_users_query(actor: User, role: str | None = None, city_id: int | None = None):
    policy.require(actor, "user.list")
    stmt = select(User).where(User.erased_at.is_(None)).order_by(User.name, User.id)
    if role:
        if role not in ROLES:
            raise Invalid.field("role", _("Role must be one of: %(values)s.", values=", ".join(ROLES)))
        stmt = stmt.where(User.role == role)
    if city_id is not None:
        stmt = stmt.where(User.city_id == city_id)
    return stmt


USERS_PER_PAGE = 50


def users_page(actor: User, role: str | None = None, city_id: int | None = None, page: int = 1):
    """One page of the admin's user list (Flask-SQLAlchemy `Pagination`, for the pager macro)."""
    stmt = list_users_query(actor, role, city_id)
    page = min(max(page, 1), MAX_DB_INT // USERS_PER_PAGE)  # no offset beyond what the database can bind
    return db.paginate(stmt, page=page, per_page=USERS_PER_PAGE, error_out=False)


def get_user(actor: User, user_id: int) -> User:
    policy.require(actor, "user.view")
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound(_("No user with this id."))
    return user


@transactional(_l("An account with this e-mail address already exists."))
def update_user(actor: User, user_id: int, changes: dict) -> User:
    policy.require(actor, "user.update")
    user = get_user(actor, user_id)
    if "email" in changes:
        email = normalise_email(changes["email"])
        if email_taken(email, exclude_id=user.id):
            raise Conflict(_("An account with this e-mail address already exists."))
        user.email = email
    if "name" in changes:
        user.name = check_name(changes["name"])
    if "role" in changes:
        if changes["role"] not in ROLES:
            raise Invalid.field("role", _("Role must be one of: %(values)s.", values=", ".join(ROLES)))
        if user.id == actor.id and changes["role"] != ADMIN:
            raise Conflict(_("You cannot remove your own administrator role."))
        user.role = changes["role"]
    if "city_id" in changes:
        # An admin's choice is membership at once; it settles any pending request.
        user.city = city_or_invalid(changes["city_id"])
        user.city_id = user.city.id if user.city else None
        user.requested_city = None
        user.requested_city_id = None
        user.city_requested_at = None
    if "timezone" in changes:
        user.timezone = check_timezone(changes["timezone"])
    if "active" in changes:
        if user.id == actor.id and not changes["active"]:
            raise Conflict(_("You cannot deactivate your own account."))
        user.active = bool(changes["active"])
    if user.role == COORDINATOR and user.city is None:
        raise Invalid.field("city_id", _("A coordinator must belong to a city."))
    password_set = bool(changes.get("password"))
    if password_set:
        check_password(changes["password"])
        user.password_hash = generate_password_hash(changes["password"])
    if not user.active or password_set:
        # Deactivated, or a password set by the office (a reset): every way in ends.
        end_sessions(user)
        revoke_all_tokens(user)
    return user


@transactional()
def update_profile(
    user: User, name: str | None = None, timezone: str | None = None, language: str | None = None
) -> User:
    policy.require(user, "me.update")
    if name is not None:
        user.name = check_name(name)
    if timezone is not None:
        user.timezone = check_timezone(timezone)
    if language is not None:
        user.language = check_language(language)
    return user


def _page_language() -> str | None:
    """The language the registration page was shown in (switch or browser), kept for the e-mails."""
    from flask import has_request_context

    from ...core.i18n import current_language

    return current_language() if has_request_context() else None


@transactional()
def change_password(user: User, current_password: str, new_password: str, keep_session: str | None = None) -> None:
    """Change my password; every other signed-in browser is signed out (the one making
    the change, `keep_session`, stays)."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password or ""):
        raise Invalid.field("current_password", _("The current password is not correct."))
    check_password(new_password, "new_password")
    user.password_hash = generate_password_hash(new_password)
    end_sessions(user, keep=keep_session)
