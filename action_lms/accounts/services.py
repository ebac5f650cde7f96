"""Every rule about accounts, cities, sign-in and tokens. The API and the pages call these."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import outbox, privacy
from ..core.db import commit_or_conflict
from ..core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ..core.models import OutboxMessage
from ..core.policy import ADMIN, ANY_USER, COORDINATOR, ROLES, Policy
from ..core.time import is_valid_timezone, utcnow
from ..extensions import db
from .models import ApiToken, City, User

MIN_PASSWORD_LENGTH = 10
DEFAULT_TIMEZONE = "Europe/Brussels"
BAD_CREDENTIALS = "E-mail or password is not correct."

policy = Policy("accounts", {
    "city.list": ANY_USER,
    "city.view": ANY_USER,
    "city.create": {ADMIN},
    "city.update": {ADMIN},
    "user.list": {ADMIN},
    "user.view": {ADMIN},
    "user.create": {ADMIN},
    "user.update": {ADMIN},
    "me.view": ANY_USER,
    "me.update": ANY_USER,
    "me.export": ANY_USER,
    "me.erase": ANY_USER,
    "token.manage_own": ANY_USER,
})

# A real hash to compare against when the e-mail is unknown, so both failures take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


# ---------------------------------------------------------------- validation helpers

def normalise_email(email: str) -> str:
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid.field("email", f"Not a valid e-mail address: {exc}") from exc
    return result.normalized.lower()


def _check_password(password: str | None, field: str = "password") -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.field(field, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        raise Invalid.field(field, "Use at most 1024 characters.")


def _check_timezone(tz: str, field: str = "timezone") -> str:
    if not is_valid_timezone(tz):
        raise Invalid.field(field, "Unknown time zone: use an IANA name such as Europe/Berlin.")
    return tz


def _check_name(name: str | None, field: str = "name", max_len: int = 200) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid.field(field, "This field is required.")
    if len(name) > max_len:
        raise Invalid.field(field, f"Use at most {max_len} characters.")
    return name


def _city_or_invalid(city_id: int | None) -> City | None:
    if city_id is None:
        return None
    city = db.session.get(City, city_id)
    if city is None:
        raise Invalid.field("city_id", "No city with this id.")
    return city


def _email_taken(email: str, exclude_id: int | None = None) -> bool:
    stmt = select(User.id).where(func.lower(User.email) == email.lower())
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt) is not None


# ---------------------------------------------------------------- users

def _new_user(email, name, role, timezone, city_id, password) -> User:
    email = normalise_email(email)
    name = _check_name(name)
    if role not in ROLES:
        raise Invalid.field("role", f"Role must be one of: {', '.join(ROLES)}.")
    city = _city_or_invalid(city_id)
    if role == COORDINATOR and city is None:
        raise Invalid.field("city_id", "A coordinator must belong to a city.")
    timezone = _check_timezone(timezone or (city.timezone if city else DEFAULT_TIMEZONE))
    if password is not None:
        _check_password(password)
    if _email_taken(email):
        raise Conflict("An account with this e-mail address already exists.")
    user = User(email=email, name=name, role=role, timezone=timezone, city=city, active=True,
                password_hash=generate_password_hash(password) if password else None, created_at=utcnow())
    db.session.add(user)
    return user


def register(email: str, password: str, name: str, timezone: str | None = None, city_id: int | None = None) -> User:
    """Self-registration: always a learner."""
    _check_password(password)
    user = _new_user(email, name, "learner", timezone, city_id, password)
    db.session.flush()
    outbox.queue(user, "welcome", "Welcome to ACTION LMS", "welcome.txt", {}, f"welcome:{user.id}")
    commit_or_conflict("An account with this e-mail address already exists.")
    return user


def create_user(actor: User | None, email: str, name: str, role: str, city_id: int | None = None,
                timezone: str | None = None, password: str | None = None) -> User:
    """Admins create users of any role. `actor=None` is the operator's CLI."""
    if actor is not None:
        policy.require(actor, "user.create")
    user = _new_user(email, name, role, timezone, city_id, password)
    commit_or_conflict("An account with this e-mail address already exists.")
    return user


def list_users_query(actor: User, role: str | None = None, city_id: int | None = None):
    policy.require(actor, "user.list")
    stmt = select(User).where(User.erased_at.is_(None)).order_by(User.name, User.id)
    if role:
        if role not in ROLES:
            raise Invalid.field("role", f"Role must be one of: {', '.join(ROLES)}.")
        stmt = stmt.where(User.role == role)
    if city_id is not None:
        stmt = stmt.where(User.city_id == city_id)
    return stmt


def get_user(actor: User, user_id: int) -> User:
    policy.require(actor, "user.view")
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("No user with this id.")
    return user


def update_user(actor: User, user_id: int, changes: dict) -> User:
    policy.require(actor, "user.update")
    user = get_user(actor, user_id)
    if "email" in changes:
        email = normalise_email(changes["email"])
        if _email_taken(email, exclude_id=user.id):
            raise Conflict("An account with this e-mail address already exists.")
        user.email = email
    if "name" in changes:
        user.name = _check_name(changes["name"])
    if "role" in changes:
        if changes["role"] not in ROLES:
            raise Invalid.field("role", f"Role must be one of: {', '.join(ROLES)}.")
        if user.id == actor.id and changes["role"] != ADMIN:
            raise Conflict("You cannot remove your own administrator role.")
        user.role = changes["role"]
    if "city_id" in changes:
        user.city = _city_or_invalid(changes["city_id"])
    if "timezone" in changes:
        user.timezone = _check_timezone(changes["timezone"])
    if "active" in changes:
        if user.id == actor.id and not changes["active"]:
            raise Conflict("You cannot deactivate your own account.")
        user.active = bool(changes["active"])
    if "password" in changes and changes["password"]:
        _check_password(changes["password"])
        user.password_hash = generate_password_hash(changes["password"])
    if user.role == COORDINATOR and user.city_id is None and user.city is None:
        db.session.rollback()
        raise Invalid.field("city_id", "A coordinator must belong to a city.")
    commit_or_conflict("An account with this e-mail address already exists.")
    return user


def update_profile(user: User, name: str | None = None, timezone: str | None = None) -> User:
    policy.require(user, "me.update")
    if name is not None:
        user.name = _check_name(name)
    if timezone is not None:
        user.timezone = _check_timezone(timezone)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current_password or ""):
        raise Invalid.field("current_password", "The current password is not correct.")
    _check_password(new_password, "new_password")
    user.password_hash = generate_password_hash(new_password)
    db.session.commit()


def load_user(user_id: str | int) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


# ---------------------------------------------------------------- sign-in

def authenticate(email: str, password: str) -> User:
    """The same answer whether the e-mail is unknown or the password wrong."""
    try:
        email = normalise_email(email)
    except Invalid:
        check_password_hash(_DUMMY_HASH, password or "")
        raise Unauthorized(BAD_CREDENTIALS)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        raise Unauthorized(BAD_CREDENTIALS)
    if not check_password_hash(user.password_hash, password or ""):
        raise Unauthorized(BAD_CREDENTIALS)
    if not user.is_active:
        raise Unauthorized(BAD_CREDENTIALS)
    return user


# ---------------------------------------------------------------- password reset

PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid


def _reset_serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    """Changes when the password changes, so a reset link works only once."""
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


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
    from flask import current_app, url_for
    link = current_app.config["BASE_URL"] + url_for("accounts.reset_password", token=token)
    now = utcnow()
    outbox.queue(user, "password_reset", "Reset your ACTION LMS password", "password_reset.txt",
                 {"link": link, "minutes": PASSWORD_RESET_MAX_AGE // 60},
                 f"password-reset:{user.id}:{now:%Y%m%d%H%M%S%f}")
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    from itsdangerous import BadSignature, SignatureExpired
    try:
        data = _reset_serializer().loads(token, max_age=PASSWORD_RESET_MAX_AGE)
    except SignatureExpired as exc:
        raise Invalid.field("token", "This reset link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise Invalid.field("token", "This reset link is not valid. Ask for a new one.") from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("fp") != _password_fingerprint(user):
        raise Invalid.field("token", "This reset link has already been used or is no longer valid.")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _check_password(new_password)
    user.password_hash = generate_password_hash(new_password)
    db.session.commit()
    return user


# ---------------------------------------------------------------- API tokens

def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str | None = None) -> tuple[str, ApiToken]:
    policy.require(user, "token.manage_own")
    name = (name or "").strip() or "API token"
    if len(name) > 100:
        raise Invalid.field("name", "Use at most 100 characters.")
    plain = "alms_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(plain), prefix=plain[:12],
                     created_at=utcnow(), revoked=False)
    db.session.add(token)
    db.session.commit()
    return plain, token


def create_token_with_password(email: str, password: str, name: str | None = None) -> tuple[str, ApiToken]:
    user = authenticate(email, password)
    return issue_token(user, name)


def list_tokens(user: User) -> list[ApiToken]:
    policy.require(user, "token.manage_own")
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.revoked, ApiToken.created_at.desc())
    ))


def revoke_token(user: User, token_id: int) -> ApiToken:
    policy.require(user, "token.manage_own")
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and not user.is_admin):
        raise NotFound("No API token with this id.")
    if not token.revoked:
        token.revoked = True
        token.revoked_at = utcnow()
        db.session.commit()
    return token


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
            token.last_used_at = now
            db.session.commit()
        except Exception:  # a busy database must not turn a valid request away
            db.session.rollback()
            token = db.session.scalar(by_hash)
    return token.user


# ---------------------------------------------------------------- personal calendar feed secret

def reset_calendar_token(user: User) -> str:
    """A new secret for the personal calendar feed URL; the old URL stops working."""
    plain = secrets.token_urlsafe(24)
    user.calendar_token_hash = hash_secret(plain)
    db.session.commit()
    return plain


def user_for_calendar_token(plain: str) -> User | None:
    if not plain or len(plain) > 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == hash_secret(plain)))
    return user if user is not None and user.is_active else None


# ---------------------------------------------------------------- cities

def list_cities_query(actor: User, country: str | None = None):
    policy.require(actor, "city.list")
    stmt = select(City).order_by(City.name)
    if country:
        stmt = stmt.where(City.country == country.upper())
    return stmt


def all_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.name)))


def get_city(actor: User, city_id: int) -> City:
    policy.require(actor, "city.view")
    city = db.session.get(City, city_id)
    if city is None:
        raise NotFound("No city with this id.")
    return city


def _check_country(country: str) -> str:
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise Invalid.field("country", "Use the two-letter ISO 3166 country code, e.g. DE.")
    return country


def create_city(actor: User | None, name: str, country: str, timezone: str) -> City:
    if actor is not None:
        policy.require(actor, "city.create")
    city = City(name=_check_name(name, max_len=120), country=_check_country(country),
                timezone=_check_timezone(timezone), created_at=utcnow())
    if db.session.scalar(select(City.id).where(func.lower(City.name) == city.name.lower())):
        raise Conflict(f"A city named {city.name} already exists.")
    db.session.add(city)
    commit_or_conflict(f"A city named {city.name} already exists.")
    return city


def update_city(actor: User, city_id: int, changes: dict) -> City:
    policy.require(actor, "city.update")
    city = get_city(actor, city_id)
    if "name" in changes:
        name = _check_name(changes["name"], max_len=120)
        if db.session.scalar(select(City.id).where(func.lower(City.name) == name.lower(), City.id != city.id)):
            raise Conflict(f"A city named {name} already exists.")
        city.name = name
    if "country" in changes:
        city.country = _check_country(changes["country"])
    if "timezone" in changes:
        city.timezone = _check_timezone(changes["timezone"])
    commit_or_conflict("A city with this name already exists.")
    return city


# ---------------------------------------------------------------- personal data

def user_summary(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "timezone": user.timezone,
        "city": {"id": user.city.id, "name": user.city.name} if user.city else None,
    }


@privacy.exporter("account")
def _export_account(user: User) -> dict:
    data = user_summary(user)
    data.update(active=user.active, created_at=user.created_at.isoformat())
    return data


@privacy.exporter("api_tokens")
def _export_tokens(user: User) -> list[dict]:
    return [
        {"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat(),
         "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None, "revoked": t.revoked}
        for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    ]


@privacy.exporter("notifications")
def _export_notifications(user: User) -> list[dict]:
    return [
        {"kind": m.kind, "subject": m.subject, "body": m.body_text, "status": m.status,
         "created_at": m.created_at.isoformat()}
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id))
    ]


def export_personal_data(user: User) -> dict:
    policy.require(user, "me.export")
    return {"exported_at": utcnow().isoformat(), **privacy.export_all(user)}


@privacy.eraser("zz_account")
def _erase_account(user: User) -> None:
    """Runs last: other domains erase their rows first, then the account is anonymised."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = "Erased user"
    user.password_hash = None
    user.calendar_token_hash = None
    user.active = False
    user.erased_at = utcnow()


def erase_account(user: User) -> None:
    """Remove or anonymise everything personal; keep anonymous aggregates (city, counts)."""
    policy.require(user, "me.erase")
    if user.role == ADMIN:
        remaining = db.session.scalar(
            select(func.count(User.id)).where(User.role == ADMIN, User.erased_at.is_(None), User.active.is_(True), User.id != user.id)
        )
        if not remaining:
            raise Conflict("You are the last active administrator; appoint another before erasing your account.")
    privacy.erase_all(user)
    db.session.commit()


def require_same_user_or_admin(actor: User, user: User) -> None:
    if actor.id != user.id and not actor.is_admin:
        raise Forbidden("You may only see your own account.")
