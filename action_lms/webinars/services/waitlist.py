"""Seats and the waitlist, always under the webinar's row lock (`lock_webinar`): free seats
go to the waitlist in order, positions stay 1..n, a cancelled registration hands its seat on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...core.i18n import _l
from ...extensions import db
from ..models import Webinar
from .catalogue import seat_counts
from .notifications import notify
from .rules import Reg


def renumber_waitlist(webinar_id: int) -> None:
    """Close gaps: positions become 1..n in queue order. Two steps (negative, then
    final) so the unique index on (webinar, position) never sees a collision."""
    waiting = list(
        db.session.scalars(
            select(Reg)
            .where(Reg.webinar_id == webinar_id, Reg.status == Reg.WAITLISTED)
            .order_by(Reg.waitlist_position)
        )
    )
    if all(reg.waitlist_position == i for i, reg in enumerate(waiting, start=1)):
        return
    for i, reg in enumerate(waiting, start=1):
        reg.waitlist_position = -i
    db.session.flush()
    for i, reg in enumerate(waiting, start=1):
        reg.waitlist_position = i
    db.session.flush()


def fill_seats(webinar: Webinar, now: datetime) -> list[Reg]:
    """Confirm waitlisted people in order while seats are free (webinar locked)."""
    if webinar.status != Webinar.PUBLISHED or webinar.has_started(now):
        return []
    confirmed, _waitlisted = seat_counts(webinar.id)
    free = webinar.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        db.session.scalars(
            select(Reg)
            .where(Reg.webinar_id == webinar.id, Reg.status == Reg.WAITLISTED)
            .order_by(Reg.waitlist_position)
            .limit(free)
        )
    )
    for reg in promoted:
        reg.status = Reg.CONFIRMED
        reg.waitlist_position = None
        reg.confirmed_at = now
    db.session.flush()
    renumber_waitlist(webinar.id)
    for reg in promoted:
        notify(
            reg,
            webinar,
            "webinar_promoted",
            _l("A seat is yours: %(title)s", title=webinar.title),
            f"webinar:{webinar.id}:reg:{reg.id}:promoted",
        )
    return promoted


def release_registration(reg: Reg, webinar: Webinar, now: datetime, notify_person: bool = True) -> None:
    """Cancel one registration (webinar locked): a confirmed seat goes to the waitlist, a
    waitlist place closes its gap."""
    was_confirmed = reg.status == Reg.CONFIRMED
    reg.status = Reg.CANCELLED
    reg.waitlist_position = None
    reg.cancelled_at = now
    db.session.flush()
    if notify_person:
        notify(
            reg,
            webinar,
            "webinar_registration_cancelled",
            _l("Registration cancelled: %(title)s", title=webinar.title),
            f"webinar:{webinar.id}:reg:{reg.id}:registration_cancelled",
        )
    if was_confirmed:
        fill_seats(webinar, now)
    else:
        renumber_waitlist(webinar.id)
