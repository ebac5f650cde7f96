"""A person's exchange data: what `GET /api/v1/me/data` shows, and what erasure removes."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from ...core.db import transactional
from ...extensions import db
from ..models import Exchange, Invitation, Participant


def export_personal_data(user) -> dict:
    requested = db.session.scalars(select(Exchange).where(Exchange.requested_by_id == user.id).order_by(Exchange.id))
    taking_part = db.session.execute(
        select(Participant, Exchange)
        .join(Exchange, Exchange.id == Participant.exchange_id)
        .where(Participant.user_id == user.id)
        .order_by(Exchange.id)
    )
    answered = db.session.scalars(
        select(Invitation).where(or_(Invitation.responded_by_id == user.id, Invitation.invited_by_id == user.id))
    )
    return {
        "requested": [
            {
                "id": e.id,
                "city": e.city.name,
                "topic": e.topic,
                "status": e.status,
                "created_at": e.created_at.isoformat(),
            }
            for e in requested
        ],
        "participations": [
            {"exchange_id": e.id, "topic": e.topic, "status": e.status, "attended": p.attended} for p, e in taking_part
        ],
        "invitations": [
            {
                "exchange_id": i.exchange_id,
                "city": i.city.name,
                "status": i.status,
                "invited_by_me": i.invited_by_id == user.id,
                "answered_by_me": i.responded_by_id == user.id,
                "decline_reason": i.decline_reason if i.responded_by_id == user.id else None,
            }
            for i in answered
        ],
    }


@transactional()
def erase_personal_data(user) -> None:
    """Participations in sessions still ahead go; those that took place stay as anonymous
    attendance (the city's figures keep them); the requests and answers no longer name the person."""
    not_held = select(Exchange.id).where(Exchange.status.in_(Exchange.OPEN + Exchange.ENDED))
    db.session.execute(
        delete(Participant)
        .where(Participant.user_id == user.id, Participant.exchange_id.in_(not_held))
        .execution_options(synchronize_session=False)
    )
    for model, column in (
        (Participant, Participant.user_id),
        (Participant, Participant.added_by_id),
        (Exchange, Exchange.requested_by_id),
        (Exchange, Exchange.closed_by_id),
        (Invitation, Invitation.invited_by_id),
        (Invitation, Invitation.responded_by_id),
    ):
        db.session.execute(
            update(model).where(column == user.id).values({column: None}).execution_options(synchronize_session=False)
        )
