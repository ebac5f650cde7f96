"""The append-only history of a plan: every change recorded as it is made, listed newest
first. There is no way to edit or delete an entry."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select

from ...core import i18n
from ...core.i18n import _, _l
from ...core.time import utcnow
from ...extensions import db
from ..models import ERASED_ACTOR, STATUS_LABELS, Plan, PlanHistory
from ..template import BY_KEY
from .rules import HISTORY_PAGE_SIZE, MAX_PAGE, SYSTEM_ACTOR, policy, visible_plan


def _text_of(value) -> str | None:
    """A value as the history stores it."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def record(
    plan: Plan, actor, field: str, old, new, milestone_key: str | None = None, now: datetime | None = None
) -> None:
    """Add one history entry (in the caller's unit of work)."""
    db.session.add(
        PlanHistory(
            plan_id=plan.id,
            milestone_key=milestone_key,
            field=field,
            old_value=_text_of(old),
            new_value=_text_of(new),
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "name", None) or SYSTEM_ACTOR,
            changed_at=now or utcnow(),
        )
    )


def history_query(actor, plan_id: int) -> Select:
    """Every change to a plan, newest first."""
    policy.require(actor, "history.view")
    plan = visible_plan(actor, plan_id)
    return (
        select(PlanHistory)
        .where(PlanHistory.plan_id == plan.id)
        .order_by(PlanHistory.changed_at.desc(), PlanHistory.id.desc())
    )


def history_page(actor, plan_id: int, page: int = 1, per_page: int = HISTORY_PAGE_SIZE) -> Pagination:
    """One page of the history page (a `db.paginate` result)."""
    return db.paginate(
        history_query(actor, plan_id), page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False
    )


def history_label(entry: PlanHistory) -> str:
    """What an entry is about: the milestone's title, or the plan itself."""
    if entry.milestone_key:
        template = BY_KEY.get(entry.milestone_key)
        return str(template.title) if template else entry.milestone_key
    return _("Plan")


#: Recorded authors that are not a person's name, as the pages show them.
ACTOR_LABELS = {SYSTEM_ACTOR: _l("System"), ERASED_ACTOR: _l("Erased user")}


def actor_label(entry: PlanHistory) -> str:
    """Who made a change, as the pages show it: the recorded name, or the system's or an
    erased user's label in the reader's language (the stored value stays as it is)."""
    if entry.actor_name == ERASED_ACTOR or (entry.actor_id is None and entry.actor_name == SYSTEM_ACTOR):
        return str(ACTOR_LABELS[entry.actor_name])
    return entry.actor_name


# ---------------------------------------------------------------- in words

#: What each recorded field is called on the pages (the milestone form's and plan form's labels).
FIELD_LABELS = {
    "status": _l("Status"),
    "due_date": _l("Due date"),
    "evidence_url": _l("Evidence link"),
    "note": _l("Note"),
    "owner": _l("Owner"),
    "blocked_reason": _l("Reason it is blocked"),
    "title": _l("Title"),
    "focus": _l("Focus"),
    "commitments": _l("Commitments"),
}
NO_VALUE = "—"
LONG_TEXT = 160  # longer notes and reasons are shortened in a history line


def format_day(value: date) -> str:
    """A date as the plan pages show it: 1 Feb 2027 (in the reader's language)."""
    return i18n.format_day(value, "%-d %b %Y")


def value_in_words(field: str, value: str | None, shorten: bool = True) -> str:
    """A stored history value as a person reads it: status labels, dates formatted, "—" for
    none; long texts shortened unless `shorten` is False."""
    if value is None or value == "":
        return NO_VALUE
    if field == "status":
        return str(STATUS_LABELS.get(value, value))
    if field == "due_date":
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    if shorten and len(value) > LONG_TEXT:
        return value[: LONG_TEXT - 1].rstrip() + "…"
    return value


def describe_change(entry: PlanHistory, shorten: bool = True) -> str:
    """One history entry in words, e.g. "Status: Not started → In progress"."""
    if entry.field == "plan":
        created = (entry.new_value or "").removeprefix("created: ")
        return _("Plan created: “%(title)s”", title=created)
    if entry.field == "is_current":
        became = entry.new_value == "true"
        return _("Made the city's current plan") if became else _("No longer the city's current plan")
    label = FIELD_LABELS.get(entry.field) or entry.field.replace("_", " ").capitalize()
    old = value_in_words(entry.field, entry.old_value, shorten)
    new = value_in_words(entry.field, entry.new_value, shorten)
    return _("%(field)s: %(old)s \u2192 %(new)s", field=label, old=old, new=new)


def milestone_history(plan: Plan, limit: int = 5) -> dict[str, list[PlanHistory]]:
    """The latest `limit` entries of each milestone of the plan, newest first (one query)."""
    by_key: dict[str, list[PlanHistory]] = defaultdict(list)
    rows = db.session.scalars(
        select(PlanHistory)
        .where(PlanHistory.plan_id == plan.id, PlanHistory.milestone_key.is_not(None))
        .order_by(PlanHistory.changed_at.desc(), PlanHistory.id.desc())
    )
    for entry in rows:
        if len(by_key[entry.milestone_key or ""]) < limit:
            by_key[entry.milestone_key or ""].append(entry)
    return dict(by_key)
