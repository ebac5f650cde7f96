"""Models of the plans domain: a city's action plans, their milestones (one per template
entry) and the append-only history of every change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City
from ..core.db import UTCDateTime
from ..core.i18n import _l
from ..core.time import to_zone, utcnow
from ..extensions import Model

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
BLOCKED = "blocked"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED, BLOCKED)
STATUS_LABELS = {
    NOT_STARTED: _l("Not started"),
    IN_PROGRESS: _l("In progress"),
    COMPLETED: _l("Completed"),
    BLOCKED: _l("Blocked"),
}

#: Stored as the author of an erased user's changes (a key: pages show its label).
ERASED_ACTOR = "Erased user"

# Limits of a milestone's free text (Text columns; one-line fields carry their length:
# `column_length(Milestone.owner)`). Services, API schemas and forms read them from here.
MAX_NOTE = 5000
MAX_BLOCKED_REASON = 2000


def milestone_overdue(due_date: date | None, status: str, today: date) -> bool:
    """Due date passed (in the city's calendar) and not completed."""
    return due_date is not None and due_date < today and status != COMPLETED


def city_today(city: City, now: datetime | None = None) -> date:
    """Today's date in the city's own calendar (due dates are city dates)."""
    local = to_zone(now or utcnow(), city.timezone)
    if local is None:  # to_zone answers None only for None, and it is given a time
        raise ValueError("no time to convert")
    return local.date()


class Plan(Model):
    """One local action plan of a city. A city may have several (a renewed plan after the
    first expires); exactly one is current, held by a partial unique index."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    focus: Mapped[str] = mapped_column(String(300), nullable=False)
    # Numbers of the Ten-Point Plan commitments (1-10) the plan addresses.
    commitments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    is_current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    city: Mapped[City] = relationship(lazy="joined", innerjoin=True)
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="plan", order_by="Milestone.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(
            "uq_plans_one_current_per_city",
            "city_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )


class Milestone(Model):
    __tablename__ = "plan_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(60), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=NOT_STARTED)
    due_date: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="milestones")

    __table_args__ = (
        UniqueConstraint("plan_id", "key", name="uq_plan_milestones_plan_key"),
        CheckConstraint("status IN ('not_started', 'in_progress', 'completed', 'blocked')", name="status"),
        CheckConstraint(
            "status <> 'completed' OR evidence_url IS NOT NULL OR note IS NOT NULL", name="completed_has_evidence"
        ),
        CheckConstraint("status <> 'blocked' OR blocked_reason IS NOT NULL", name="blocked_has_reason"),
    )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def template(self):
        from .template import BY_KEY

        return BY_KEY.get(self.key)

    @property
    def title(self) -> str:
        return str(self.template.title) if self.template else self.key

    @property
    def description(self) -> str:
        return str(self.template.description) if self.template else ""

    @property
    def phase(self) -> str:
        """The phase's key; `phase_label` is what people read."""
        return self.template.phase if self.template else ""

    @property
    def phase_label(self) -> str:
        return self.template.phase_label if self.template else ""

    def is_overdue(self, today: date) -> bool:
        return milestone_overdue(self.due_date, self.status, today)

    @property
    def overdue(self) -> bool:
        return self.is_overdue(city_today(self.plan.city))


class PlanHistory(Model):
    """Append-only record of every change to a plan and its milestones. Nothing updates or
    deletes a row, except the eraser, which anonymises `actor_name` of an erased user."""

    __tablename__ = "plan_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True)
    milestone_key: Mapped[str | None] = mapped_column(String(60))
    field: Mapped[str] = mapped_column(String(40), nullable=False)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


@event.listens_for(PlanHistory, "before_update")
def _history_is_append_only(mapper, connection, target):
    """Only the anonymisation of an erased user's name may touch a history row."""
    from sqlalchemy import inspect

    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed - {"actor_name"} or target.actor_name != ERASED_ACTOR:
        raise RuntimeError("plan history is append-only")


@event.listens_for(PlanHistory, "before_delete")
def _history_is_not_deleted(mapper, connection, target):
    raise RuntimeError("plan history is append-only")
