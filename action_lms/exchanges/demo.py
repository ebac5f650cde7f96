"""Demo data: a coordinator for Berlin, Barcelona and Bologna, and Berlin's request to learn
from Barcelona and Bologna, both invited (DOMAIN.md's example)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..accounts.models import City
from ..extensions import db
from ..practices.models import Practice
from .models import Exchange
from .services import OPERATOR, create_exchange, invite_city

# Demo accounts for a local try-out only (`flask demo seed` refuses to run in production).
DEMO_COORDINATORS = [
    ("berlin@demo.action-lms.eu", "Berlin Coordinator", "Berlin", "demo-berlin-pass"),
    ("barcelona@demo.action-lms.eu", "Barcelona Coordinator", "Barcelona", "demo-barcelona-pass"),
    ("bologna@demo.action-lms.eu", "Bologna Coordinator", "Bologna", "demo-bologna-pass"),
]


def _seed_coordinators(cities: dict) -> None:
    from ..accounts import services as accounts
    from ..accounts.models import User

    for email, name, city_name, password in DEMO_COORDINATORS:
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is None:
            city = cities[city_name]
            accounts.create_user(
                None,
                email=email,
                name=name,
                role="coordinator",
                city_id=city.id,
                password=password,
                timezone=city.timezone,
            )


DEMO_TOPIC = "Drafting a municipal plan against anti-Muslim racism"


def seed_demo() -> None:
    """Idempotent: the exchange is created once (found again by its topic and city)."""
    cities = {
        c.name: c for c in db.session.scalars(select(City).where(City.name.in_(["Berlin", "Barcelona", "Bologna"])))
    }
    if len(cities) < 3:
        return
    _seed_coordinators(cities)
    berlin = cities["Berlin"]
    exists = db.session.scalar(select(Exchange.id).where(Exchange.city_id == berlin.id, Exchange.topic == DEMO_TOPIC))
    if exists is not None:
        return
    practices = {
        p.city_id: p
        for p in db.session.scalars(
            select(Practice)
            .where(
                Practice.status == Practice.PUBLISHED,
                Practice.city_id.in_([cities["Barcelona"].id, cities["Bologna"].id]),
            )
            .order_by(func.length(Practice.title))
        )
    }
    exchange = create_exchange(
        OPERATOR,
        topic=DEMO_TOPIC,
        objective="Berlin's equal-treatment office is drafting a plan against anti-Muslim racism and wants to "
        "hear how two cities featured in the Guidebook wrote theirs, consulted communities and made the "
        "administration change how it works.",
        questions=[
            "How did you involve Muslim communities and civil society while drafting the plan?",
            "Which departments own the measures, and how do you keep them accountable?",
            "What would you do differently if you started again?",
        ],
        languages_=["de", "en"],
        commitments_=[1, 3, 5],
        milestone_key="stakeholder_consultation",
        practice_ids=[p.id for p in practices.values()],
        preferred_city_ids=[cities["Barcelona"].id, cities["Bologna"].id],
        city_id=berlin.id,
    )
    for name in ("Barcelona", "Bologna"):
        practice = practices.get(cities[name].id)
        invite_city(
            OPERATOR,
            exchange.id,
            cities[name].id,
            practice.id if practice else None,
            "Berlin asks to learn from your plan; the questions are below.",
        )
