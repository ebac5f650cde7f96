"""Rules every accounts use case shares: the role table, and the checks of e-mail
addresses, passwords, names, time zones and countries."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from ...core.errors import Invalid
from ...core.i18n import _, _l
from ...core.policy import ADMIN, ANY_USER, COORDINATOR, LEARNER, Policy
from ...core.validators import column_length, single_line, time_zone
from ...extensions import db
from ..models import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, City, User

DEFAULT_TIMEZONE = "Europe/Brussels"
BAD_CREDENTIALS = _l("E-mail or password is not correct.")

policy = Policy(
    "accounts",
    {
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
        "session.manage_own": ANY_USER,
        "membership.request": {LEARNER},
        # Object-level: a coordinator only for their own city (can_decide_membership).
        "membership.decide": {COORDINATOR, ADMIN},
    },
)


def normalise_email(email: str) -> str:
    """The one form of an address that is stored, looked up and rate-limited: validated,
    normalised by email-validator (IDNA domain, Unicode NFC) and casefolded."""
    from email_validator import EmailNotValidError, validate_email  # on first use: it loads dnspython

    if not isinstance(email, str):
        raise Invalid.field("email", _("Not a valid e-mail address."))
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid.field("email", _("Not a valid e-mail address: %(reason)s", reason=exc)) from exc
    return result.normalized.casefold()


def email_rate_limit_key(email) -> str:
    """The per-address rate-limit key: exactly the address sign-in looks up, so variants of
    one address (upper case, full-width letters in the domain) share one budget."""
    if not email:
        return "email:-"
    try:
        return "email:" + normalise_email(str(email))
    except Invalid:
        return "email:" + str(email).strip().casefold()[:320]


def check_password(password: str | None, field: str = "password") -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.field(field, _("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid.field(field, _("Use at most %(num)d characters.", num=MAX_PASSWORD_LENGTH))


def check_timezone(tz: str, field: str = "timezone") -> str:
    return time_zone(tz, field)


def check_language(value: str | None, field: str = "language") -> str | None:
    """One of the interface languages (en, de, es, it, fr), or None for the browser's."""
    from ...core.i18n import LANGUAGES

    if value is None or value == "":
        return None
    if value not in LANGUAGES:
        raise Invalid.field(field, _("Language must be one of: %(values)s.", values=", ".join(LANGUAGES)))
    return value


def check_name(name: str | None, field: str = "name", max_len: int | None = None) -> str:
    """A person's name: one line, no control characters (it goes into e-mail headers,
    calendar files and CSV exports)."""
    return single_line(name, field, max_len or column_length(User.name)) or ""  # required: never None


def city_or_invalid(city_id: int | None) -> City | None:
    if city_id is None:
        return None
    city = db.session.get(City, city_id)
    if city is None:
        raise Invalid.field("city_id", _("No city with this id."))
    return city


def email_taken(email: str, exclude_id: int | None = None) -> bool:
    stmt = select(User.id).where(func.lower(User.email) == email.lower())
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt) is not None


def check_country(country: str) -> str:
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise Invalid.field("country", _("Use the two-letter ISO 3166 country code, e.g. DE."))
    return country


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
