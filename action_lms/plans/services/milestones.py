"""Milestones of the current plan: status, due date, evidence, note, owner and the reason
it is blocked, with the rules that tie them together."""

from __future__ import annotations

from sqlalchemy import select

from ...core.db import transactional
from ...core.errors import Conflict, Invalid, NotFound
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import BLOCKED, COMPLETED, STATUSES, Milestone
from ..template import is_milestone_key
from .history import record
from .rules import MILESTONE_FIELDS, policy, require_editor, visible_plan
from .validation import due_date, evidence_url, invalid, text


@transactional()
def update_milestone(actor, plan_id: int, key: str, changes: dict) -> Milestone:
    """Apply a partial change to one milestone.

    Rules: statuses are not_started, in_progress, completed, blocked; `completed` needs an
    evidence link or a note (after the change), and sets the completed date; `blocked`
    needs a reason; leaving `completed` (reopening) clears the completed date and is
    recorded like every other change; leaving `blocked` clears the reason. Only the
    current plan is edited: earlier plans are the record of what was.
    """
    policy.require(actor, "milestone.update")
    plan = visible_plan(actor, plan_id)
    require_editor(actor, plan.city_id)
    if not is_milestone_key(key):
        raise NotFound(_("No milestone with this key."))
    if not plan.is_current:
        raise Conflict(_("This plan is no longer the city's current plan; its milestones are kept as they were."))
    milestone = db.session.scalar(
        select(Milestone)
        .where(Milestone.plan_id == plan.id, Milestone.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if milestone is None:
        raise NotFound(_("No milestone with this key."))

    unknown = set(changes) - set(MILESTONE_FIELDS)
    errors: dict = {name: [_("Unknown field.")] for name in unknown}
    new = {name: getattr(milestone, name) for name in MILESTONE_FIELDS}
    if "status" in changes:
        if changes["status"] not in STATUSES:
            errors["status"] = [_("Must be one of: %(values)s.", values=", ".join(STATUSES))]
        else:
            new["status"] = changes["status"]
    if "due_date" in changes:
        new["due_date"] = due_date(errors, changes["due_date"])
    if "evidence_url" in changes:
        new["evidence_url"] = evidence_url(errors, changes["evidence_url"])
    for name in ("note", "owner", "blocked_reason"):
        if name in changes:
            new[name] = text(errors, name, changes[name])
    if errors:
        raise invalid(errors)

    if new["status"] == COMPLETED and not (new["evidence_url"] or new["note"]):
        message = _("Add an evidence link or a note to complete this milestone.")
        raise Invalid(message, {"evidence_url": [message], "note": [message]})
    if new["status"] == BLOCKED and not new["blocked_reason"]:
        raise Invalid.field("blocked_reason", _("Say why the milestone is blocked."))
    if new["status"] != BLOCKED:
        new["blocked_reason"] = None

    now = utcnow()
    changed = False
    for name in MILESTONE_FIELDS:
        old = getattr(milestone, name)
        if old != new[name]:
            record(plan, actor, name, old, new[name], milestone_key=key, now=now)
            setattr(milestone, name, new[name])
            changed = True
    if not changed:
        return milestone
    if milestone.status == COMPLETED and milestone.completed_at is None:
        milestone.completed_at = now
    elif milestone.status != COMPLETED:
        milestone.completed_at = None
    milestone.updated_at = now
    plan.updated_at = now
    return milestone
