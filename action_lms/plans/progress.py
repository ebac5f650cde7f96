"""How far a plan is, from its milestones alone (no session, no rules about who asks):
progress in percent, the current phase, and which milestones are overdue in the city's
own calendar. Models, schemas, services and pages all use these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from ..core.i18n import _l
from .models import COMPLETED, Milestone, Plan, city_today
from .template import PHASE_LABELS

#: Phases beyond the template's: every milestone completed, and (in the overview) no plan.
#: Keys like the template's phases; `phase_label` gives what people read.
COMPLETED_PHASE = "Completed"
NO_PLAN_PHASE = "No plan"
OTHER_PHASE_LABELS = {COMPLETED_PHASE: _l("Completed"), NO_PLAN_PHASE: _l("No plan")}

__all__ = [
    "COMPLETED_PHASE",
    "NO_PLAN_PHASE",
    "city_today",
    "completed_count",
    "current_phase",
    "overdue_milestones",
    "phase_label",
    "progress_percent",
]


class MilestoneLike(Protocol):
    """What these rules read of a milestone: a Milestone, or a plain row of one (the overview)."""

    @property
    def status(self) -> str: ...

    @property
    def position(self) -> int: ...

    @property
    def phase(self) -> str: ...


def completed_count(milestones: Iterable[MilestoneLike]) -> int:
    return sum(1 for m in milestones if m.status == COMPLETED)


def progress_percent(milestones: Iterable[MilestoneLike]) -> int:
    """Completed milestones / all, as a whole percent."""
    milestones = list(milestones)
    if not milestones:
        return 0
    return round(100 * completed_count(milestones) / len(milestones))


def current_phase(milestones: Iterable[MilestoneLike]) -> str:
    """The template phase of the first milestone (in template order) not yet completed."""
    for m in sorted(milestones, key=lambda m: m.position):
        if m.status != COMPLETED:
            return m.phase
    return COMPLETED_PHASE


def phase_label(phase: str) -> str:
    """A phase (key) as people read it, in their language."""
    label = PHASE_LABELS.get(phase) or OTHER_PHASE_LABELS.get(phase)
    return str(label) if label is not None else phase


def overdue_milestones(plan: Plan, now: datetime | None = None) -> list[Milestone]:
    today = city_today(plan.city, now)
    return [m for m in plan.milestones if m.is_overdue(today)]
