"""Input rules of plans and milestones. Every field is checked before refusing, so a form
shows all its problems at once: each helper returns the cleaned value, or None with its
message added to `errors`."""

from __future__ import annotations

from datetime import date, datetime

from ...core.errors import Invalid
from ...core.i18n import _, _l
from ...core.validators import column_length, date_in_range, http_url, multi_line, single_line
from ..models import MAX_BLOCKED_REASON, MAX_NOTE, Milestone, Plan
from ..template import COMMITMENTS

SINGLE_LINE_COLUMNS = {
    "title": Plan.title,
    "focus": Plan.focus,
    "owner": Milestone.owner,
    "evidence_url": Milestone.evidence_url,
}
MULTI_LINE_MAX = {"note": MAX_NOTE, "blocked_reason": MAX_BLOCKED_REASON}
COMMITMENTS_MESSAGE = _l("Commitments are numbers from 1 to %(max)d.", max=len(COMMITMENTS))


def text(errors: dict, field: str, value, required: bool = False) -> str | None:
    """One-line fields take their length from the column; notes and reasons may have line breaks."""
    try:
        if field in MULTI_LINE_MAX:
            return multi_line(value, field, MULTI_LINE_MAX[field], required)
        return single_line(value, field, column_length(SINGLE_LINE_COLUMNS[field]), required)
    except Invalid as exc:
        errors.update(exc.errors or {})
        return None


def invalid(errors: dict) -> Invalid:
    """One refusal for every field found wrong, naming them (the API message and the form)."""
    return Invalid(_("Invalid value for: %(fields)s.", fields=", ".join(sorted(errors))), errors)


def commitments(errors: dict, value) -> list[int]:
    if value is None:
        return []
    try:
        numbers = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        errors["commitments"] = [str(COMMITMENTS_MESSAGE)]
        return []
    if any(n not in COMMITMENTS for n in numbers):
        errors["commitments"] = [str(COMMITMENTS_MESSAGE)]
        return []
    return numbers


def evidence_url(errors: dict, value) -> str | None:
    try:
        return http_url(value, "evidence_url", column_length(Milestone.evidence_url))
    except Invalid as exc:
        errors.update(exc.errors or {})
        return None


def due_date(errors: dict, value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        errors["due_date"] = [_("Give a date (YYYY-MM-DD), not a time.")]
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            errors["due_date"] = [_("Not a valid date: use YYYY-MM-DD.")]
            return None
    try:
        date_in_range(value, "due_date")
    except Invalid as exc:
        errors.update(exc.errors or {})
        return None
    return value


def plan_fields(data: dict, partial: bool) -> tuple[dict, dict]:
    """(cleaned values, errors) of a plan's title, focus and commitments; `partial` checks
    only the fields given."""
    errors: dict = {}
    values: dict = {}
    for name in ("title", "focus"):
        if not partial or name in data:
            values[name] = text(errors, name, data.get(name), required=True)
    if not partial or "commitments" in data:
        values["commitments"] = commitments(errors, data.get("commitments"))
    return values, errors
