"""Input rules of a practice, for the API, the forms, the CLI import and the demo alike.
Every field is checked before refusing, so a form shows all its problems at once: one
`Invalid` names every field found wrong (links as `links.<i>.title` / `links.<i>.url`)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ...accounts.models import User
from ...core.errors import Invalid
from ...core.i18n import _, _l
from ...core.validators import http_url, multi_line, single_line
from ...extensions import db
from ...plans.template import COMMITMENTS, is_milestone_key
from ..models import Practice
from .rules import FEATURED_IN_MAX, LINK_TITLE_MAX, LINK_URL_MAX, TITLE_MAX, valid_id

#: The fields a city writes; `contact_id` and the lists are checked on their own below.
MULTI_LINE = {
    "summary": Practice.MAX_SUMMARY,
    "description": Practice.MAX_TEXT,
    "problem": Practice.MAX_TEXT,
    "actions": Practice.MAX_TEXT,
    "resources": Practice.MAX_TEXT,
    "results": Practice.MAX_TEXT,
    "transfer": Practice.MAX_TEXT,
}
REQUIRED = ("title", "summary", "description", "commitments", "languages")
FIELDS = (
    "title",
    *MULTI_LINE,
    "commitments",
    "milestone_keys",
    "languages",
    "links",
    "contact_id",
    "started_year",
    "featured_in",
)

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Lazy: `str(...)` where they are raised, in the asker's language.
COMMITMENTS_MESSAGE = _l(
    "Choose at least one commitment of the Ten-Point Plan (numbers 1 to %(max)d).", max=len(COMMITMENTS)
)
LANGUAGES_MESSAGE = _l(
    "Give at least one language the city can talk about it in, as an ISO 639 code such as es, ca or en."
)
MILESTONE_MESSAGE = _l("Unknown milestone: use the keys of the milestone template, e.g. stakeholder_consultation.")
YEAR_MESSAGE = _l(
    "Use a year between %(first)d and %(last)d.", first=Practice.EARLIEST_START, last=Practice.LATEST_START
)


def invalid(errors: dict) -> Invalid:
    """One refusal for every field found wrong, naming them (the API message and the form)."""
    return Invalid(_("Invalid value for: %(fields)s.", fields=", ".join(sorted(errors))), errors)


def _collect(errors: dict, fn, *args) -> Any:
    try:
        return fn(*args)
    except Invalid as exc:
        errors.update(exc.errors or {})
        return None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def commitments(value) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        raise Invalid.field("commitments", str(COMMITMENTS_MESSAGE))
    if any(not _is_int(v) or v not in COMMITMENTS for v in value):
        raise Invalid.field("commitments", str(COMMITMENTS_MESSAGE))
    return sorted(set(value))


def milestone_keys(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or any(not isinstance(k, str) or not is_milestone_key(k) for k in value):
        raise Invalid.field("milestone_keys", str(MILESTONE_MESSAGE))
    return list(dict.fromkeys(value))


def languages(value) -> list[str]:
    """ISO 639 codes, lower-cased, each once, in the order given (the first is the main one)."""
    if not isinstance(value, list | tuple) or not value:
        raise Invalid.field("languages", str(LANGUAGES_MESSAGE))
    codes: list[str] = []
    for item in value:
        code = item.strip().lower() if isinstance(item, str) else None
        if code is None or not LANGUAGE_CODE.match(code):
            shown = item if isinstance(item, str) and len(item) <= 40 else _("this")
            raise Invalid.field(
                "languages",
                _("Use ISO 639 codes of 2 or 3 letters, such as es, ca or en (%(code)r is not one).", code=shown),
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > Practice.MAX_LANGUAGES:
        raise Invalid.field("languages", _("Name at most %(num)d languages.", num=Practice.MAX_LANGUAGES))
    return codes


def links(errors: dict, value) -> list[dict]:
    """[{title, url}]: a one-line title and an http(s) address each."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        errors["links"] = [_("Give a list of links, each with a title and an address.")]
        return []
    if len(value) > Practice.MAX_LINKS:
        errors["links"] = [_("Give at most %(num)d links.", num=Practice.MAX_LINKS)]
        return []
    cleaned = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            errors[f"links.{i}"] = [_("A link has a title and an address (url).")]
            continue
        title = _collect(errors, single_line, item.get("title"), f"links.{i}.title", LINK_TITLE_MAX)
        url = _collect(errors, http_url, item.get("url"), f"links.{i}.url", LINK_URL_MAX, True)
        if title is not None and url is not None:
            cleaned.append({"title": title, "url": url})
    return cleaned


def started_year(value) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or not Practice.EARLIEST_START <= value <= Practice.LATEST_START:
        raise Invalid.field("started_year", str(YEAR_MESSAGE))
    return value


def contact(value, city_id: int) -> int | None:
    """The contact person is an active member of the practice's city."""
    if value is None:
        return None
    if valid_id(value):
        user = db.session.scalar(
            select(User).where(
                User.id == value, User.city_id == city_id, User.active.is_(True), User.erased_at.is_(None)
            )
        )
        if user is not None:
            return user.id
    raise Invalid.field("contact_id", _("The contact person must be an active member of the practice's city."))


def clean_fields(data: dict, city_id: int, partial: bool = False) -> dict:
    """The cleaned values of `data` (only those given when `partial`), or one `Invalid`
    naming every field that is wrong or missing."""
    errors: dict[str, list[str]] = {}
    unknown = [k for k in data if k not in FIELDS]
    for name in unknown:
        errors[name] = [_("Unknown field.")]
    cleaned: dict[str, Any] = {}
    for name in FIELDS:
        if name not in data:
            if not partial and name in REQUIRED:
                errors[name] = [_("This field is required.")]
            continue
        value = data[name]
        if name == "title":
            cleaned[name] = _collect(errors, single_line, value, name, TITLE_MAX)
        elif name in MULTI_LINE:
            cleaned[name] = _collect(errors, multi_line, value, name, MULTI_LINE[name], name in REQUIRED)
        elif name == "featured_in":
            cleaned[name] = _collect(errors, single_line, value, name, FEATURED_IN_MAX, False)
        elif name == "commitments":
            cleaned[name] = _collect(errors, commitments, value)
        elif name == "milestone_keys":
            cleaned[name] = _collect(errors, milestone_keys, value)
        elif name == "languages":
            cleaned[name] = _collect(errors, languages, value)
        elif name == "links":
            cleaned[name] = links(errors, value)
        elif name == "started_year":
            cleaned[name] = _collect(errors, started_year, value)
        elif name == "contact_id":
            cleaned[name] = _collect(errors, contact, value, city_id)
    if errors:
        raise invalid(errors)
    return cleaned
