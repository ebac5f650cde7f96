"""Languages: which one a request is served in, and dates, times and numbers in it.

The language is, in order: the signed-in person's saved `language`; else the one chosen
with the header's language switch (kept in the session, so signed-out visitors keep it);
else the best match of `Accept-Language`; else English, the source language. E-mails are
rendered in the recipient's language whoever triggered them (`in_language`), so a
coordinator in Bologna gets Italian even when a Berlin colleague's action sent it.

Keys, field names, enum values and error codes never change with the language; only what a
person reads does. Catalogues: `action_lms/translations/<lang>/LC_MESSAGES/messages.po`,
compiled by `make` (the `.mo` files are not committed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TypeGuard

from babel.dates import format_skeleton, get_timezone_name
from babel.numbers import format_decimal, format_percent
from flask import has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, gettext, ngettext
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from markupsafe import escape

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "_",
    "_l",
    "current_language",
    "format_day",
    "format_in_zone",
    "format_number",
    "format_pattern",
    "format_share",
    "in_language",
    "is_language",
    "lazy_ngettext",
    "ngettext",
    "user_language",
]

from .time import to_zone

#: The interface languages, in the order the switch lists them, each named in itself.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "es": "Español", "it": "Italiano", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
SESSION_KEY = "language"

babel = Babel()


class LazyText(LazyString):
    """A translation looked up when it is shown (in the reader's language, not the importer's),
    escaped like any other text when a template prints it (Flask-Babel's own lazy strings
    count as ready-made HTML, so an apostrophe or a `<` in a translation would go out raw)."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def _l(string: str, **variables) -> LazyText:
    """`gettext` when shown: labels, subjects and messages built at import time."""
    return LazyText(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyText:
    return LazyText(ngettext, singular, plural, num, **variables)


def is_language(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value in LANGUAGES


def user_language(user) -> str:
    """The language someone reads their e-mails and pages in when they are not the one asking."""
    value = getattr(user, "language", None)
    return value if is_language(value) else DEFAULT_LANGUAGE


def select_locale() -> str:
    from flask_login import current_user

    saved = getattr(current_user, "language", None) if current_user else None
    if is_language(saved):
        return saved
    if has_request_context():
        chosen = session.get(SESSION_KEY)
        if is_language(chosen):
            return chosen
        best = request.accept_languages.best_match(list(LANGUAGES))
        if best:
            return best
    return DEFAULT_LANGUAGE


def select_timezone() -> str | None:
    from flask_login import current_user

    return getattr(current_user, "timezone", None)


def current_language() -> str:
    """The language of what is being rendered now (a request, or an e-mail in `in_language`)."""
    try:
        locale = get_locale()
    except RuntimeError:  # no app context
        return DEFAULT_LANGUAGE
    return str(locale.language) if locale is not None and is_language(str(locale.language)) else DEFAULT_LANGUAGE


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Render what follows in `language` (a recipient's), whatever the request's language is."""
    with force_locale(language if is_language(language) else DEFAULT_LANGUAGE):
        yield


# ---------------------------------------------------------------- dates, times and numbers

#: The strftime patterns the pages use, each with the CLDR skeleton that says the same in
#: any language (Babel orders and spells it: "Tue 01 Dec 2026" / "Di., 1. Dez. 2026").
SKELETONS: dict[str, tuple[str | None, str | None]] = {
    "%a %d %b %Y, %H:%M": ("yMMMEd", "Hm"),
    "%d %b %Y": ("yMMMd", None),
    "%d %B %Y": ("yMMMMd", None),
    "%-d %B %Y": ("yMMMMd", None),
    "%-d %b %Y": ("yMMMd", None),
    "%A %d %B %Y": ("yMMMMEEEEd", None),
    "%A %d %b": ("MMMEEEEd", None),
    "%a %d %b": ("MMMEd", None),
    "%B %Y": ("yMMMM", None),
    "%b %Y": ("yMMM", None),
    "%H:%M": (None, "Hm"),
    "%a %H:%M": ("E", "Hm"),
}


def format_pattern(value: datetime | date, fmt: str, language: str | None = None) -> str:
    """`value` in the pattern `fmt` (a strftime pattern of SKELETONS), in `language` (default:
    the current one). English keeps the strftime spelling; other languages get Babel's."""
    language = language or current_language()
    if language == DEFAULT_LANGUAGE or fmt not in SKELETONS:
        return value.strftime(fmt)
    day, clock = SKELETONS[fmt]
    parts = []
    if day:
        parts.append(format_skeleton(day, value, locale=language))
    if clock and isinstance(value, datetime):
        parts.append(format_skeleton(clock, value, locale=language))
    return ", ".join(parts)


def zone_abbreviation(local: datetime, language: str | None = None) -> str:
    """ "CET" in English, "MEZ" in German; the zone's own abbreviation where a language has
    no short name of its own (French: "CET", not "+0100")."""
    language = language or current_language()
    own = local.tzname() or ""
    if language == DEFAULT_LANGUAGE:
        return own
    name = get_timezone_name(local, width="short", locale=language, zone_variant=None)
    if not name or name[0] in "+-" or name.startswith(("GMT", "UTC")):
        return own or name
    return name


def format_in_zone(
    value: datetime | None, tz_name: str | None, fmt: str = "%a %d %b %Y, %H:%M", zone: bool = True
) -> str:
    """A UTC datetime shown in a zone and the current language, with the zone's abbreviation."""
    local = to_zone(value, tz_name)
    if local is None:
        return ""
    text = format_pattern(local, fmt)
    return f"{text} {zone_abbreviation(local)}" if zone else text


def format_day(value: date | None, fmt: str = "%d %b %Y") -> str:
    return format_pattern(value, fmt) if value is not None else ""


def format_number(value: float | int, digits: int = 0) -> str:
    return format_decimal(value, format=f"#,##0{'.' + '0' * digits if digits else ''}", locale=current_language())


def format_share(value: float, digits: int = 0) -> str:
    """0.62 → "62%" ("62 %" in German and French)."""
    return format_percent(value, format=f"#,##0{'.' + '0' * digits if digits else ''}%", locale=current_language())


def init_app(app) -> None:
    from pathlib import Path

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parent.parent / "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)  # adds jinja2.ext.i18n

    app.add_template_filter(format_day, "day")

    @app.context_processor
    def languages():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language()}
