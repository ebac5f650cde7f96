"""Demo data: a profile for the demo consultant and a week of open slots from next Monday."""

from __future__ import annotations

from datetime import timedelta

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
    if has_week:
        return
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
