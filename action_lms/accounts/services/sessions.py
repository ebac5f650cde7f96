"""The ways into an account besides the password: browser sessions, API tokens and the
secret of the personal calendar feed. Every secret is random and stored as its SHA-256."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import contains_eager, joinedload

from ...core.db import affected_rows, transactional, unit_of_work
from ...core.errors import NotFound
from ...core.i18n import _
from ...core.time import utcnow
from ...core.validators import column_length, single_line
from ...extensions import db
from ..models import ApiToken, User, UserSession
from .rules import hash_secret, policy

# How often a session's "last seen" time is written (a write on every request would queue
# readers behind SQLite's lock for a figure nobody needs to the second).
SESSION_SEEN_EVERY = timedelta(minutes=5)
MAX_SECRET_LENGTH = 200
SESSION_ENTRY = "_sid"  # the entry of the (signed) session cookie that holds the session's secret


# ---------------------------------------------------------------- browser sessions


def _session_lifetime() -> timedelta:
    value = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


@transactional()
def start_session(user: User, user_agent: str | None = None) -> str:
    """Record a new signed-in browser; returns the secret the session cookie carries."""
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.last_seen_at < now - _session_lifetime())
    )
    plain = secrets.token_urlsafe(32)
    agent = " ".join((user_agent or "").split())[: column_length(UserSession.user_agent)] or None
    db.session.add(
        UserSession(user_id=user.id, secret_hash=hash_secret(plain), created_at=now, last_seen_at=now, user_agent=agent)
    )
    return plain


def user_for_session(user_id, plain: str | None) -> User | None:
    """The user of a session cookie, if its session is still open on the server."""
    if not plain or not isinstance(plain, str) or len(plain) > MAX_SECRET_LENGTH:
        return None
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    by_hash = (
        select(UserSession)
        .join(UserSession.user)
        .options(contains_eager(UserSession.user))
        .where(UserSession.secret_hash == hash_secret(plain), UserSession.user_id == uid)
    )
    row = db.session.scalar(by_hash)
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if now - row.last_seen_at > _session_lifetime():
        return None
    if now - row.last_seen_at > SESSION_SEEN_EVERY:
        try:
            with unit_of_work():
                row.last_seen_at = now
        except SQLAlchemyError:  # a busy database must not turn a valid request away
            row = db.session.scalar(by_hash)
            if row is None:
                return None
    return row.user


@transactional()
def end_session(plain: str | None) -> None:
    """Sign one browser out (its cookie stops working, wherever it was copied to)."""
    if plain and isinstance(plain, str) and len(plain) <= MAX_SECRET_LENGTH:
        db.session.execute(delete(UserSession).where(UserSession.secret_hash == hash_secret(plain)))


def end_sessions(user: User, keep: str | None = None) -> int:
    """End the user's sessions but `keep` (the secret of the one making the request), in the
    caller's transaction. Returns how many ended."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        stmt = stmt.where(UserSession.secret_hash != hash_secret(keep))
    return affected_rows(db.session.execute(stmt.execution_options(synchronize_session=False)))


@transactional()
def end_other_sessions(user: User, keep: str | None) -> int:
    """ "Sign out everywhere else": every session of mine ends except this one."""
    policy.require(user, "session.manage_own")
    ended = end_sessions(user, keep=keep)
    return ended


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(agent: str | None) -> str:
    """ "Firefox on Windows" rather than the raw header a person cannot read."""
    if not agent:
        return _("Unknown browser")
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Other browser or program")


def list_sessions(user: User, current: str | None = None) -> list[dict]:
    """My open sessions, newest first, the current one marked."""
    policy.require(user, "session.manage_own")
    current_hash = hash_secret(current) if current else None
    since = utcnow() - _session_lifetime()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.last_seen_at >= since)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [
        {
            "id": r.id,
            "created_at": r.created_at,
            "last_seen_at": r.last_seen_at,
            "user_agent": r.user_agent,
            "device": describe_user_agent(r.user_agent),
            "current": r.secret_hash == current_hash,
        }
        for r in rows
    ]


# ---------------------------------------------------------------- API tokens


@transactional()
def issue_token(user: User, name: str | None = None) -> tuple[str, ApiToken]:
    policy.require(user, "token.manage_own")
    name = single_line(name, "name", column_length(ApiToken.name), required=False) or "API token"
    plain = "alms_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_secret(plain), prefix=plain[:12], created_at=utcnow(), revoked=False
    )
    db.session.add(token)
    return plain, token


def list_tokens(user: User) -> list[ApiToken]:
    policy.require(user, "token.manage_own")
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.revoked, ApiToken.created_at.desc())
        )
    )


@transactional()
def revoke_token(user: User, token_id: int) -> ApiToken:
    policy.require(user, "token.manage_own")
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and not user.is_admin):
        raise NotFound(_("No API token with this id."))
    if not token.revoked:
        token.revoked = True
        token.revoked_at = utcnow()
    return token


def revoke_all_tokens(user: User) -> int:
    """Revoke every live API token of the user (in the caller's transaction)."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
        .values(revoked=True, revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)


def user_for_token(plain: str) -> User | None:
    """Resolve a bearer token; records when it was last used (at most once a minute)."""
    if not plain or len(plain) > 200:
        return None
    # The token, its user and the user's city in one query: this runs on every API request.
    by_hash = select(ApiToken).where(ApiToken.token_hash == hash_secret(plain)).options(joinedload(ApiToken.user))
    token = db.session.scalar(by_hash)
    if token is None or token.revoked or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        try:
            with unit_of_work():
                token.last_used_at = now
        except SQLAlchemyError:  # a busy database must not turn a valid request away
            token = db.session.scalar(by_hash)
    return token.user if token is not None else None


# ---------------------------------------------------------------- personal calendar feed secret


@transactional()
def reset_calendar_token(user: User) -> str:
    """A new secret for the personal calendar feed URL; the old URL stops working."""
    plain = secrets.token_urlsafe(24)
    user.calendar_token_hash = hash_secret(plain)
    return plain


def user_for_calendar_token(plain: str) -> User | None:
    if not plain or len(plain) > 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == hash_secret(plain)))
    return user if user is not None and user.is_active else None
