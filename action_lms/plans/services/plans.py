"""A city's plans: the milestone template a plan starts from, listing, creating, editing,
and which plan is the city's current one (exactly one, held by a partial unique index)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import lazyload, selectinload

from ...accounts.models import City
from ...core.db import transactional
from ...core.errors import NotFound
from ...core.i18n import _l
from ...core.time import utcnow
from ...extensions import db
from ..models import NOT_STARTED, Milestone, Plan
from ..progress import current_phase, overdue_milestones, progress_percent
from ..template import MILESTONES
from .history import record
from .rules import NO_PLAN_PHASE, city_or_404, current_plan_of, policy, require_editor, require_viewer, visible_plan
from .validation import invalid, plan_fields

PLAN_CREATED_CONFLICT = _l("Another plan for this city was created at the same moment; please reload and try again.")
CURRENT_CHANGED_CONFLICT = _l("The current plan changed at the same moment; please reload and try again.")


def milestone_template() -> list[dict]:
    """The ordered milestone template (the one source: template.py)."""
    return [
        {"key": m.key, "title": m.title, "description": m.description, "phase": m.phase, "position": i + 1}
        for i, m in enumerate(MILESTONES)
    ]


# ---------------------------------------------------------------- reading


def list_city_plans_query(actor, city_id: int) -> Select:
    """A city's plans, the current one first, then newest first."""
    policy.require(actor, "plan.list")
    city_or_404(city_id)
    require_viewer(actor, city_id)
    return (
        select(Plan)
        .where(Plan.city_id == city_id)
        .options(selectinload(Plan.milestones))
        .order_by(Plan.is_current.desc(), Plan.created_at.desc(), Plan.id.desc())
    )


def list_city_plans(actor, city_id: int) -> Sequence[Plan]:
    return db.session.scalars(list_city_plans_query(actor, city_id)).all()


def list_all_plans_query(actor, country: str | None = None) -> Select:
    """Every city's plans (admin), by city, the current plan first."""
    policy.require(actor, "plans.all")
    stmt = (
        select(Plan)
        .join(Plan.city)
        .options(selectinload(Plan.milestones))
        .order_by(City.name, Plan.is_current.desc(), Plan.created_at.desc(), Plan.id.desc())
    )
    if country:
        stmt = stmt.where(City.country == country.upper())
    return stmt


def list_all_plans(actor, country: str | None = None) -> Sequence[Plan]:
    return db.session.scalars(list_all_plans_query(actor, country)).all()


def get_plan(actor, plan_id: int) -> Plan:
    policy.require(actor, "plan.view")
    return visible_plan(actor, plan_id)


def current_plan(actor, city_id: int) -> Plan | None:
    policy.require(actor, "plan.view")
    require_viewer(actor, city_id)
    return current_plan_of(city_id)


@dataclass(frozen=True)
class PlanSummary:
    """One line of `flask plans list`."""

    city: str
    plan_id: int | None
    title: str | None
    is_current: bool
    progress_percent: int | None
    phase: str
    overdue: int


def _city_named(name: str) -> City:
    """The city of this name, in any case (names are compared casefolded, so also ß or É)."""
    wanted = name.strip().casefold()
    for city in db.session.scalars(select(City)):
        if city.name.casefold() == wanted:
            return city
    raise NotFound(f"No city named {name.strip()}.")


def plan_summaries(
    city: str | None = None, include_earlier: bool = False, now: datetime | None = None
) -> list[PlanSummary]:
    """For the operator's shell (`flask plans list`, every city): per city, by name, its
    current plan's progress, phase and overdue milestones; a city without one says so.
    `include_earlier` adds the earlier plans after the current one; `city` keeps one city
    (its name, any case). A fixed number of queries however many plans there are."""
    joined = Plan.city_id == City.id if include_earlier else and_(Plan.city_id == City.id, Plan.is_current)
    stmt = (
        select(City, Plan)
        .outerjoin(Plan, joined)
        # The plan's city is the row's city, already in the session: no eager (inner) join,
        # which would drop the cities without a plan.
        .options(lazyload(Plan.city), selectinload(Plan.milestones))
        .order_by(City.name, Plan.is_current.desc(), Plan.created_at.desc(), Plan.id.desc())
    )
    if city:
        stmt = stmt.where(City.id == _city_named(city).id)
    rows = db.session.execute(stmt).all()
    summaries = []
    for row_city, plan in rows:
        if plan is None:
            summaries.append(PlanSummary(row_city.name, None, None, False, None, NO_PLAN_PHASE, 0))
            continue
        summaries.append(
            PlanSummary(
                city=row_city.name,
                plan_id=plan.id,
                title=plan.title,
                is_current=plan.is_current,
                progress_percent=progress_percent(plan.milestones),
                phase=current_phase(plan.milestones),
                overdue=len(overdue_milestones(plan, now)),
            )
        )
    return summaries


# ---------------------------------------------------------------- writing


def _end_current(city_id: int, actor, now: datetime) -> None:
    """The city's current plan, if any, stops being current (recorded)."""
    previous = db.session.scalar(select(Plan).where(Plan.city_id == city_id, Plan.is_current).with_for_update(of=Plan))
    if previous is not None:
        previous.is_current = False
        previous.updated_at = now
        record(previous, actor, "is_current", True, False, now=now)
        db.session.flush()


def new_plan(city: City, actor, title: str, focus: str, commitments: list[int]) -> Plan:
    """Insert a plan with one milestone per template entry and make it the city's current
    plan; the previous current plan stops being current, in the same transaction."""
    now = utcnow()
    _end_current(city.id, actor, now)
    plan = Plan(
        city_id=city.id,
        city=city,
        title=title,
        focus=focus,
        commitments=commitments,
        is_current=True,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        updated_at=now,
    )
    plan.milestones = [
        Milestone(key=m.key, position=i + 1, status=NOT_STARTED, updated_at=now) for i, m in enumerate(MILESTONES)
    ]
    db.session.add(plan)
    db.session.flush()
    record(plan, actor, "plan", None, f"created: {title}", now=now)
    return plan


@transactional(PLAN_CREATED_CONFLICT)
def create_plan(actor, city_id: int, title: str, focus: str, commitments: list[int] | None = None) -> Plan:
    """A coordinator (own city) or an admin starts a plan; it becomes the current one."""
    policy.require(actor, "plan.create")
    city = city_or_404(city_id, for_update=True)  # serialises plan creation per city on PostgreSQL
    require_editor(actor, city.id)
    values, errors = plan_fields({"title": title, "focus": focus, "commitments": commitments}, partial=False)
    if errors:
        raise invalid(errors)
    return new_plan(city, actor, **values)


@transactional()
def update_plan(actor, plan_id: int, changes: dict) -> Plan:
    """Change a plan's title, focus or commitments; each change is recorded."""
    policy.require(actor, "plan.update")
    plan = visible_plan(actor, plan_id, for_update=True)
    require_editor(actor, plan.city_id)
    values, errors = plan_fields(changes, partial=True)
    if errors:
        raise invalid(errors)
    now = utcnow()
    changed = False
    for name, value in values.items():
        if getattr(plan, name) != value:
            record(plan, actor, name, getattr(plan, name), value, now=now)
            setattr(plan, name, value)
            changed = True
    if changed:
        plan.updated_at = now
    return plan


@transactional(CURRENT_CHANGED_CONFLICT)
def make_current(actor, plan_id: int) -> Plan:
    """Make an earlier plan the city's current one again (the other stops being current)."""
    policy.require(actor, "plan.update")
    plan = visible_plan(actor, plan_id)
    require_editor(actor, plan.city_id)
    if plan.is_current:
        return plan
    city_or_404(plan.city_id, for_update=True)
    now = utcnow()
    _end_current(plan.city_id, actor, now)
    plan.is_current = True
    plan.updated_at = now
    record(plan, actor, "is_current", False, True, now=now)
    return plan


@transactional(CURRENT_CHANGED_CONFLICT)
def patch_plan(actor, plan_id: int, changes: dict) -> Plan:
    """The API's PATCH: field changes and `is_current: true`, in ONE unit of work, so a
    request never half-applies (a refused switch also leaves the title as it was)."""
    changes = dict(changes)
    switch = changes.pop("is_current", None)
    plan = update_plan(actor, plan_id, changes) if changes else get_plan(actor, plan_id)
    if switch:
        plan = make_current(actor, plan_id)
    return plan
