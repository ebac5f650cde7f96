"""A person's consulting data: what `GET /api/v1/me/data` shows, and what erasure removes."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from ...core.db import transactional
from ...extensions import db
from ..models import Booking, ConsultantExpertise, ConsultantProfile, Slot


def export_personal_data(user) -> dict:
    profile = db.session.get(ConsultantProfile, user.id)
    expertise = list(
        db.session.scalars(select(ConsultantExpertise.commitment).where(ConsultantExpertise.user_id == user.id))
    )
    booked = db.session.scalars(
        select(Booking).where(or_(Booking.booked_by_id == user.id, Booking.cancelled_by_id == user.id))
    )
    slots = db.session.scalars(select(Slot).where(Slot.consultant_id == user.id).order_by(Slot.starts_at))
    return {
        "profile": None
        if profile is None
        else {
            "languages": list(profile.languages),
            "bio": profile.bio,
            "timezone": user.timezone,  # the account's zone, the one a consultant works in
            "expertise": expertise,
        },
        "slots": [
            {"id": s.id, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(), "status": s.status}
            for s in slots
        ],
        "bookings": [
            {
                "id": b.id,
                "city": b.city.name,
                "starts_at": b.slot.starts_at.isoformat(),
                "topic": b.topic,
                "questions": b.questions,
                "status": b.status,
                "booked_by_me": b.booked_by_id == user.id,
                "cancelled_by_me": b.cancelled_by_id == user.id,
                "cancel_reason": b.cancel_reason if b.cancelled_by_id == user.id else None,
            }
            for b in booked
        ],
    }


@transactional()
def erase_personal_data(user) -> None:
    """Profile and open future slots go; the city's bookings stay, no longer naming the person.

    Called on the `user_erased` signal, it joins the eraser's unit of work (which commits once)."""
    db.session.execute(delete(ConsultantExpertise).where(ConsultantExpertise.user_id == user.id))
    db.session.execute(delete(ConsultantProfile).where(ConsultantProfile.user_id == user.id))
    for column in (Booking.booked_by_id, Booking.cancelled_by_id):
        db.session.execute(
            update(Booking).where(column == user.id).values({column: None}).execution_options(synchronize_session=False)
        )
    has_bookings = select(Booking.id).where(Booking.slot_id == Slot.id).exists()
    db.session.execute(
        delete(Slot)
        .where(Slot.consultant_id == user.id, Slot.status == Slot.OPEN, ~has_bookings)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Slot)
        .where(Slot.consultant_id == user.id, Slot.status == Slot.OPEN)
        .values(status=Slot.REMOVED)
        .execution_options(synchronize_session=False)
    )
