"""Demo data of `flask demo seed`: a plan under way for Graz, and young plans for Heidelberg
and Bologna."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ...accounts.models import City, User
from ...core.db import transactional
from ...core.time import utcnow
from ...extensions import db
from ..models import COMPLETED, IN_PROGRESS, Plan
from .history import record
from .plans import new_plan


def _set_milestone(plan: Plan, key: str, actor, **changes) -> None:
    """Change one milestone of a demo plan, recorded as a person would have."""
    m = next(m for m in plan.milestones if m.key == key)
    for name, value in changes.items():
        record(plan, actor, name, getattr(m, name), value, milestone_key=key)
        setattr(m, name, value)
    if m.status == COMPLETED and m.completed_at is None:
        m.completed_at = utcnow()


@transactional()
def seed_demo() -> None:
    """Idempotent: a current plan for Graz (two milestones completed with evidence, the
    third in progress), and plans for Heidelberg and Bologna; cities with a plan are skipped."""
    cities = {
        c.name: c for c in db.session.scalars(select(City).where(City.name.in_(["Graz", "Heidelberg", "Bologna"])))
    }
    having_plans = set(db.session.scalars(select(Plan.city_id).distinct()))
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.action-lms.eu"))
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.action-lms.eu"))
    today = utcnow().date()

    graz = cities.get("Graz")
    if graz is not None and graz.id not in having_plans:
        actor = coordinator if coordinator is not None and coordinator.city_id == graz.id else admin
        plan = new_plan(
            graz,
            actor,
            "Graz local action plan against racism 2027-2030",
            "The whole Ten-Point Plan, with a focus on victim support and education",
            [1, 3, 4, 8],
        )
        _set_milestone(
            plan,
            "political_mandate",
            actor,
            owner="Office of the Mayor",
            due_date=today - timedelta(days=120),
            evidence_url="https://www.graz.at/",
            note="Council decision to draft the plan.",
            status=COMPLETED,
        )
        _set_milestone(
            plan,
            "coordination_team",
            actor,
            owner="Human rights unit",
            due_date=today - timedelta(days=60),
            note="Working group of eight departments meets monthly.",
            status=COMPLETED,
        )
        _set_milestone(
            plan,
            "baseline_assessment",
            actor,
            owner="Human rights unit",
            due_date=today + timedelta(days=45),
            status=IN_PROGRESS,
        )
        _set_milestone(plan, "stakeholder_consultation", actor, due_date=today + timedelta(days=120))
    for name, title, focus, commitments in (
        ("Heidelberg", "Heidelberg action plan for equal opportunities", "Equal access to municipal services", [5, 6]),
        (
            "Bologna",
            "Bologna plan for non-discriminatory administrative action",
            "Human-rights-based administration",
            [2, 6, 8],
        ),
    ):
        city = cities.get(name)
        if city is None or city.id in having_plans:
            continue
        plan = new_plan(city, admin, title, focus, commitments)
        _set_milestone(plan, "political_mandate", admin, note="Mandate given by the city council.", status=COMPLETED)
        _set_milestone(plan, "coordination_team", admin, due_date=today - timedelta(days=10), status=IN_PROGRESS)
