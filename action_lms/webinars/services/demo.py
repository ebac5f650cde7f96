"""Demo data of `flask demo seed`: two upcoming webinars and a past one the demo learner attended."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select

from ...accounts.models import User
from ...core.content import render_markdown
from ...core.db import transactional
from ...core.policy import ADMIN
from ...core.time import UTC, utcnow, zone
from ...extensions import db
from ..models import Webinar
from .rules import Reg


class DemoWebinar(NamedTuple):
    title: str
    days_from_now: int
    minutes: int
    capacity: int
    timezone: str
    description: str
    milestone_keys: list[str]


DEMO_WEBINARS: tuple[DemoWebinar, ...] = (
    DemoWebinar(
        "Drafting a local action plan: lessons from Barcelona and Bologna",
        14,
        90,
        40,
        "Europe/Madrid",
        "Two cities share how they drafted their plans.\n\n- the participatory process\n- indicators that work",
        ["draft_plan", "stakeholder_consultation"],
    ),
    DemoWebinar(
        "Measuring discrimination: data and indicators for cities",
        30,
        60,
        30,
        "Europe/Vienna",
        "How to build a **baseline assessment** with local data.",
        ["baseline_assessment"],
    ),
    DemoWebinar(
        "Supporting victims of racism: city services that work",
        -21,
        60,
        50,
        "Europe/Berlin",
        "A look at counselling and reporting services in member cities.",
        [],
    ),
)


@transactional()
def seed_demo() -> None:
    """Two upcoming published webinars and one past one, by title (idempotent)."""
    existing = set(db.session.scalars(select(Webinar.title)))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    admin = db.session.scalar(select(User).where(User.role == ADMIN).order_by(User.id))
    learner = db.session.scalar(select(User).where(User.email == "learner@demo.action-lms.eu"))
    for title, days, minutes, capacity, tz, description, milestones in DEMO_WEBINARS:
        if title in existing:
            continue
        local = (now + timedelta(days=days)).astimezone(zone(tz)).replace(hour=10, minute=0)
        starts_at = local.astimezone(UTC)
        webinar = Webinar(
            title=title,
            description=description,
            description_html=render_markdown(description),
            timezone=tz,
            capacity=capacity,
            join_url="https://meet.example.org/action-" + str(abs(days)),
            recording_url="https://video.example.org/action-recording" if days < 0 else None,
            status=Webinar.PUBLISHED,
            course_module_keys=[],
            milestone_keys=milestones,
            sequence=0,
            created_by_id=admin.id if admin else None,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        webinar.set_time(starts_at, minutes)
        db.session.add(webinar)
        if days < 0 and learner is not None:  # the demo learner attended the past one
            db.session.flush()
            db.session.add(
                Reg(
                    webinar_id=webinar.id,
                    user_id=learner.id,
                    status=Reg.CONFIRMED,
                    attended=True,
                    attended_marked_at=webinar.ends_at,
                    created_at=starts_at - timedelta(days=7),
                    confirmed_at=starts_at - timedelta(days=7),
                )
            )
