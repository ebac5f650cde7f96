"""A person's webinar registrations in the data export, and what erasing the account does
to them."""

from __future__ import annotations

from sqlalchemy import select

from ...core.db import transactional
from ...core.time import utcnow
from ...extensions import db
from ..models import Webinar
from .catalogue import active_registration, lock_webinar
from .rules import Reg
from .waitlist import release_registration


def export_registrations(user) -> list[dict]:
    rows = db.session.execute(
        select(Reg, Webinar).join(Webinar, Reg.webinar_id == Webinar.id).where(Reg.user_id == user.id).order_by(Reg.id)
    ).all()
    return [
        {
            "webinar_id": w.id,
            "webinar_title": w.title,
            "starts_at": w.starts_at.isoformat(),
            "status": r.status,
            "waitlist_position": r.waitlist_position,
            "attended": r.attended,
            "registered_at": r.created_at.isoformat(),
            "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
        }
        for r, w in rows
    ]


@transactional()
def erase_registrations(user) -> None:
    """Free the seats of upcoming webinars (the waitlist moves up); past registrations
    stay as anonymous attendance figures of the (anonymised) account. Runs in the
    eraser's unit of work (`user_erased`)."""
    now = utcnow()
    ids = db.session.scalars(
        select(Reg.webinar_id)
        .join(Webinar, Reg.webinar_id == Webinar.id)
        .where(Reg.user_id == user.id, Reg.status.in_(Reg.ACTIVE), Webinar.ends_at > now)
    ).all()
    for webinar_id in sorted(set(ids)):
        webinar = lock_webinar(webinar_id)
        reg = active_registration(webinar_id, user.id)
        if reg is not None:
            release_registration(reg, webinar, now, notify_person=False)
