"""Demo data: a profile for the demo consultant, a week of open slots from next Monday, one of
them booked by Graz, and a session on the last working day whose notes are still to write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..core.time import utcnow, zone
from ..extensions import db
from .models import ConsultantProfile, Slot

DEMO_CONSULTANT = "consultant@demo.action-lms.eu"


def seed_demo() -> None:
    """Idempotent: the profile is created once; slots that already exist are skipped."""
    from . import services

    consultant = db.session.scalar(select(User).where(func.lower(User.email) == DEMO_CONSULTANT))
    if consultant is None or services.consultant_user(consultant.id) is None:
        return
    if db.session.get(ConsultantProfile, consultant.id) is None:
        services.update_profile(
            consultant,
            consultant.id,
            expertise=[2, 4, 8],
            languages=["English", "German", "French"],
            bio="Advises cities on baseline data, participatory processes with civil society "
            "and anti-racism education; drafted two local 10-point plans.",
            timezone="Europe/Vienna",
        )
    today = utcnow().astimezone(zone("Europe/Vienna")).date()
    monday = today + timedelta(days=7 - today.weekday())
    has_week = db.session.scalar(
        select(func.count(Slot.id)).where(
            Slot.consultant_id == consultant.id,
            Slot.availability_rule_id.is_not(None),
            Slot.starts_at >= utcnow() + timedelta(days=(monday - today).days - 1),
        )
    )
    if not has_week:
        services.publish_availability(
            consultant,
            weekdays=[0, 1, 2, 3, 4],
            start_time="09:00",
            end_time="12:00",
            timezone="Europe/Vienna",
            slot_minutes=60,
            buffer_minutes=0,
            valid_from=monday,
            valid_until=monday + timedelta(days=4),
        )
    _seed_demo_sessions(consultant)


DEMO_COORDINATOR = "coordinator@demo.action-lms.eu"
DEMO_TOPIC = "Baseline data for the plan"
DEMO_PAST_TOPIC = "Who to invite to the stakeholder consultation"


def _seed_demo_sessions(consultant: User) -> None:
    """Graz books the first slot of next week, with questions sent ahead; a session held on the last
    working day still waits for its notes (so the consultant's home page has something to do)."""
    from . import services
    from .models import Booking

    coordinator = db.session.scalar(select(User).where(func.lower(User.email) == DEMO_COORDINATOR))
    if coordinator is None or coordinator.city_id is None:
        return
    topics = set(db.session.scalars(select(Booking.topic).where(Booking.city_id == coordinator.city_id)))
    if DEMO_TOPIC not in topics:
        first = db.session.scalar(
            select(Slot)
            .where(Slot.consultant_id == consultant.id, Slot.status == Slot.OPEN, Slot.starts_at > utcnow())
            .order_by(Slot.starts_at)
            .limit(1)
        )
        if first is not None:
            services.book_slot(
                coordinator,
                first.id,
                DEMO_TOPIC,
                "1. Which figures on discrimination complaints does the city already hold?\n"
                "2. How do we ask civil society for the cases that are never reported?",
                milestone_key="baseline_assessment",
            )
    if DEMO_PAST_TOPIC not in topics:
        now = utcnow()
        vienna = zone("Europe/Vienna")
        day = now.astimezone(vienna).date() - timedelta(days=1)
        while day.weekday() >= 5:  # the last working day before today, 10:00 in Vienna
            day -= timedelta(days=1)
        start = datetime(day.year, day.month, day.day, 10, tzinfo=vienna).astimezone(UTC)
        slot = Slot(
            consultant_id=consultant.id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            status=Slot.BOOKED,
            created_at=now,
        )
        db.session.add(slot)
        db.session.flush()
        db.session.add(
            Booking(
                slot_id=slot.id,
                city_id=coordinator.city_id,
                booked_by_id=coordinator.id,
                topic=DEMO_PAST_TOPIC,
                questions="Which groups did other cities reach, and how?",
                milestone_key="stakeholder_consultation",
                status=Booking.BOOKED,
                sequence=0,
                created_at=start - timedelta(days=5),
                updated_at=start - timedelta(days=5),
            )
        )
        db.session.commit()
