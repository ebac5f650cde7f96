"""A person's plan changes in the data export, and what erasing the account does to them."""

from __future__ import annotations

from sqlalchemy import select, update

from ...accounts.models import User
from ...core.db import transactional
from ...core.time import isoformat_z
from ...extensions import db
from ..models import ERASED_ACTOR, PlanHistory


def export_plan_history(user: User) -> list[dict]:
    """The plan changes this user made."""
    return [
        {
            "plan_id": h.plan_id,
            "milestone_key": h.milestone_key,
            "field": h.field,
            "from": h.old_value,
            "to": h.new_value,
            "when": isoformat_z(h.changed_at),
            "name_recorded": h.actor_name,
        }
        for h in db.session.scalars(select(PlanHistory).where(PlanHistory.actor_id == user.id).order_by(PlanHistory.id))
    ]


@transactional()
def erase_plan_history_names(user: User) -> None:
    """The changes stay (the plan's record), the actor's name does not. Runs in the
    eraser's unit of work (`user_erased`)."""
    db.session.execute(
        update(PlanHistory)
        .where(PlanHistory.actor_id == user.id)
        .values(actor_name=ERASED_ACTOR)
        .execution_options(synchronize_session=False)
    )
