"""Input rules of a webinar (the API, the pages and the CLI all reach them through the
scheduling services): each field cleaned, or refused with `Invalid` naming it."""

from __future__ import annotations

from datetime import datetime

from ...core.errors import Invalid
from ...core.i18n import _, format_day, format_pattern
from ...core.time import UTC, to_zone, zone
from ...core.validators import (
    TIMEZONE_MESSAGE,
    column_length,
    date_in_range,
    http_url,
    multi_line,
    single_line,
    time_zone,
)
from ...courses.services import module_choices
from ...plans.template import is_milestone_key
from ..models import MAX_CANCEL_REASON, MAX_DESCRIPTION, MAX_MODULE_KEY, Webinar

UNKNOWN_TIMEZONE = TIMEZONE_MESSAGE


def clean_title(value) -> str:
    return single_line(value, "title", column_length(Webinar.title))


def clean_description(value) -> str:
    return multi_line(value, "description", MAX_DESCRIPTION) or ""


def clean_cancel_reason(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field("reason", _("Say why the webinar is cancelled; registrants will read it."))
    return multi_line(value, "reason", MAX_CANCEL_REASON, required=True)


def clean_url(value, field: str) -> str | None:
    return http_url(value, field, column_length(getattr(Webinar, field)))


def whole_number(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid.field(field, _("Enter a whole number."))
    if value < low or value > high:
        raise Invalid.field(field, _("Enter a number from %(low)d to %(high)d.", low=low, high=high))
    return value


def clean_timezone(value) -> str:
    return time_zone(value)


def clean_milestone_keys(values) -> list[str]:
    values = list(dict.fromkeys(v.strip() for v in (values or []) if v and v.strip()))
    unknown = [v for v in values if not is_milestone_key(v)]
    if unknown:
        raise Invalid.field("milestone_keys", _("Unknown milestone key: %(keys)s.", keys=", ".join(unknown)))
    return values


def clean_module_keys(values, kept=()) -> list[str]:
    """Keys (`<course slug>/<module key>`) of modules of published courses, each once, in the
    order given. `kept`: keys the webinar already holds, accepted even if their module has
    since gone, so that saving a webinar does not fail on a link it already had."""
    keys = (single_line(v, "course_module_keys", MAX_MODULE_KEY, required=False) for v in (values or []))
    keys_list = list(dict.fromkeys(k for k in keys if k))
    if not keys_list:
        return []
    known = {choice.key for choice in module_choices()} | set(kept or ())
    unknown = [k for k in keys_list if k not in known]
    if unknown:
        raise Invalid.field(
            "course_module_keys",
            _("Unknown course module: %(keys)s. Choose modules of published courses.", keys=", ".join(unknown)),
        )
    return keys_list


def local_to_utc(naive: datetime, tz_name: str, field: str = "starts_at") -> datetime:
    """A wall-clock time in a zone (from the HTML form) to UTC. Times that do not exist
    because the clocks go forward are refused; ambiguous ones take the first occurrence."""
    date_in_range(naive, field)
    tz = zone(tz_name)
    local = naive.replace(tzinfo=tz, fold=0)
    back = local.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        raise Invalid.field(
            field,
            _(
                "%(time)s does not exist on %(day)s in %(zone)s (the clocks go forward); choose another time.",
                time=format_pattern(naive, "%H:%M"),
                day=format_day(naive, "%d %b %Y"),
                zone=tz_name,
            ),
        )
    return local.astimezone(UTC)


def utc_to_local(value: datetime | None, tz_name: str) -> datetime | None:
    """A stored time as the wall-clock time of a zone, without zone (for the HTML form's
    datetime-local fields); None stays None. The inverse of `local_to_utc`."""
    local = to_zone(value, tz_name)
    return local.replace(tzinfo=None) if local is not None else None
