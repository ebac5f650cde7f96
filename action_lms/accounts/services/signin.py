"""Signing in, and resetting a forgotten password."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ...core import outbox
from ...core.db import transactional
from ...core.errors import Invalid, Unauthorized
from ...core.i18n import _, _l
from ...core.time import utcnow
from ...extensions import db
from ..models import ApiToken, User
from .rules import BAD_CREDENTIALS, check_password, normalise_email
from .sessions import end_sessions, issue_token, revoke_all_tokens


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real hash to compare against when the e-mail is unknown, so both failures take as
    long. Made on first use, not at import (a scrypt hash costs 100-250 ms)."""
    return generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


def authenticate(email: str, password: str) -> User:
    """The same answer whether the e-mail is unknown or the password wrong."""
    try:
        email = normalise_email(email)
    except Invalid:
        check_password_hash(_dummy_hash(), password or "")
        raise Unauthorized(BAD_CREDENTIALS) from None
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password or "")
        raise Unauthorized(BAD_CREDENTIALS)
    if not check_password_hash(user.password_hash, password or ""):
        raise Unauthorized(BAD_CREDENTIALS)
    if not user.is_active:
        raise Unauthorized(BAD_CREDENTIALS)
    return user


PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    """Changes when the password changes, so a reset link works only once."""
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


@transactional()
def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address belongs to an active account; say nothing either way."""
    try:
        email = normalise_email(email)
    except Invalid:
        return
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.is_active:
        return
    token = _reset_serializer().dumps({"uid": user.id, "fp": _password_fingerprint(user)})
    link = current_app.config["BASE_URL"] + url_for("accounts.reset_password", token=token)
    now = utcnow()
    outbox.queue(
        user,
        "password_reset",
        _l("Reset your ACTION LMS password"),
        "password_reset.txt",
        {"link": link, "minutes": PASSWORD_RESET_MAX_AGE // 60},
        f"password-reset:{user.id}:{now:%Y%m%d%H%M%S%f}",
    )


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=PASSWORD_RESET_MAX_AGE)
    except SignatureExpired as exc:
        raise Invalid.field("token", _("This reset link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise Invalid.field("token", _("This reset link is not valid. Ask for a new one.")) from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("fp") != _password_fingerprint(user):
        raise Invalid.field("token", _("This reset link has already been used or is no longer valid."))
    return user


@transactional()
def reset_password(token: str, new_password: str) -> User:
    """A reset means the old password may be known to someone else: every session ends and
    every API token is revoked."""
    user = user_for_reset_token(token)
    check_password(new_password)
    user.password_hash = generate_password_hash(new_password)
    end_sessions(user)
    revoke_all_tokens(user)
    return user


# ---------------------------------------------------------------- API tokens made with a password


def create_token_with_password(email: str, password: str, name: str | None = None) -> tuple[str, ApiToken]:
    user = authenticate(email, password)
    return issue_token(user, name)
