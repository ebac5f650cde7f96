"""Input rules shared by API schemas, forms, services and the CLI.

Each function takes the raw value and the field name, and either returns the cleaned
value or raises `Invalid` naming the field. Lengths come from the caller (ideally the
model column: `column_length(Model.attr)`), so one number lives in one place.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Literal, overload
from urllib.parse import urlsplit

from .errors import Invalid
from .i18n import _
from .time import is_valid_timezone

# C0 controls (tab included: a title is one line), DEL, C1 controls, and the Unicode line and
# paragraph separators, which e-mail headers and calendar files treat as line breaks.
_SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Multi-line text may hold tabs and line breaks, nothing else below 0x20.
_MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def N_(message: str) -> str:
    """Marks a message for the catalogue (`N_` is one of pybabel's keywords) and leaves it as
    it is: these constants stay plain English strings (other modules and tests compare with
    them); where one is raised it goes through `_()`, in the reader's language."""
    return message


TIMEZONE_MESSAGE = N_("Unknown time zone: use an IANA name such as Europe/Berlin.")
URL_MESSAGE = N_("Enter a full web address starting with https:// (or http://).")
OFFSET_MESSAGE = N_("Give the time with its offset, e.g. 2027-03-01T10:00:00+01:00.")
CONTROL_CHARACTERS_MESSAGE = N_("Use one line of text, without line breaks or control characters.")
MULTI_LINE_CONTROL_MESSAGE = N_("Remove the control characters from this text.")
SURROGATE_MESSAGE = N_("This text contains characters that are not valid Unicode.")

# Dates the service accepts anywhere (slots, webinars, milestones, windows).
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def column_length(attr) -> int:
    """The declared length of a String column (`Model.attr`), the single source of a limit."""
    return int(attr.property.columns[0].type.length)


def has_control_characters(value: str) -> bool:
    return bool(_SINGLE_LINE_FORBIDDEN.search(value))


def _has_surrogates(value: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


def _present_text(value, field: str, required: bool, one_line: bool) -> str | None:
    """The stripped text (line breaks unified for multi-line text), None when empty and
    optional; refuses non-strings, lone surrogates and a missing required value."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid.field(field, _("Not a valid string."))
    if _has_surrogates(value):
        raise Invalid.field(field, _(SURROGATE_MESSAGE))
    if not one_line:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    if not value:
        if required:
            raise Invalid.field(field, _("This field is required."))
        return None
    return value


@overload
def single_line(value, field: str, max_len: int, required: Literal[True] = ...) -> str: ...
@overload
def single_line(value, field: str, max_len: int, required: bool) -> str | None: ...
def single_line(value, field: str, max_len: int, required: bool = True) -> str | None:
    """A title, name, topic, owner or reason: stripped, one line, at most `max_len` characters.

    Returns None for an empty optional value.
    """
    value = _present_text(value, field, required, one_line=True)
    if value is None:
        return None
    if has_control_characters(value):
        raise Invalid.field(field, _(CONTROL_CHARACTERS_MESSAGE))
    if len(value) > max_len:
        raise Invalid.field(field, _("Use at most %(num)d characters.", num=max_len))
    return value


@overload
def multi_line(value, field: str, max_len: int, required: Literal[True]) -> str: ...
@overload
def multi_line(value, field: str, max_len: int, required: bool = ...) -> str | None: ...
def multi_line(value, field: str, max_len: int, required: bool = False) -> str | None:
    """Free text (descriptions, notes, questions): line breaks allowed, other controls not."""
    value = _present_text(value, field, required, one_line=False)
    if value is None:
        return None
    if _MULTI_LINE_FORBIDDEN.search(value):
        raise Invalid.field(field, _(MULTI_LINE_CONTROL_MESSAGE))
    if len(value) > max_len:
        raise Invalid.field(field, _("Use at most %(num)d characters.", num=max_len))
    return value


def date_in_range(value: date | datetime | None, field: str) -> None:
    """Refuse dates before 2000 or after 2100: no event of this service is that far away,
    and such years break calendars, time-zone arithmetic and the pages that list them."""
    if value is None:
        return
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise Invalid.field(
            field, _("Use a date between %(first)d and %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR)
        )


def time_zone(value, field: str = "timezone") -> str:
    """An IANA time zone name such as Europe/Berlin."""
    if not isinstance(value, str) or not is_valid_timezone(value):
        raise Invalid.field(field, _(TIMEZONE_MESSAGE))
    return value


def http_url(value, field: str, max_len: int, required: bool = False) -> str | None:
    """A link people will open: one line, http or https, with a host."""
    value = single_line(value, field, max_len, required=required)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid.field(field, _(URL_MESSAGE))
    return value


def aware_utc(value, field: str) -> datetime:
    """An aware time (naive ones are refused: whose 10:00?) within the service's years, in UTC."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise Invalid.field(field, _(OFFSET_MESSAGE))
    date_in_range(value, field)  # before converting: year 9999 with an offset overflows in UTC
    value = value.astimezone(UTC)
    date_in_range(value, field)
    return value


def fold_single_line(value: str | None) -> str:
    """For output only (e-mail subjects, headers, file names, calendar summaries): stored text
    from before the input rules, folded onto one line so it can never break a header."""
    if not value:
        return ""
    cleaned = "".join(
        " " if (unicodedata.category(ch) in ("Cc", "Zl", "Zp") or 0xD800 <= ord(ch) <= 0xDFFF) else ch for ch in value
    )
    return " ".join(cleaned.split())
