"""The append-only history of a plan: every change recorded as it is made, listed newest
first. There is no way to edit or delete an entry."""

from __future__ import annotations

from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select

from ...core.time import utcnow
from ...extensions import db
from ..models import Plan, PlanHistory
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
        return template.title if template else entry.milestone_key
    return "Plan"
