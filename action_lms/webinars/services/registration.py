"""Registration: a seat while seats are left, otherwise a place on the waitlist; cancelling
one's own registration; and one's own webinars. Every change holds the webinar's row lock,
and the unique index on active registrations refuses a second one even from a race."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...core.db import flush_or_conflict, transactional, unit_of_work
from ...core.errors import Conflict, NotFound
from ...core.i18n import _
from ...core.time import format_local, utcnow
from ...extensions import db
from ..models import Webinar
from .catalogue import (
    active_registration,
    confirmed_count_col,
    load_webinar,
    lock_webinar,
    present,
    seat_counts,
    visible,
    waitlist_count_col,
)
from .notifications import notify_registered
from .rules import Reg, policy
from .waitlist import release_registration


def already_registered() -> str:
    """The refusal of a second registration (also when the unique index answers a race)."""
    return _("You are already registered for this webinar.")


def _why_closed(webinar: Webinar, now: datetime) -> str | None:
    if webinar.status == Webinar.CANCELLED:
        return _("This webinar has been cancelled, so registration is closed.")
    if webinar.status == Webinar.DRAFT:
        return _("This webinar is not published yet, so registration is not open.")
    if webinar.is_past(now):
        return _("This webinar has already taken place.")
    if webinar.has_started(now):
        return _("This webinar has already started, so registration is closed.")
    if now >= webinar.closes_at:
        return _("Registration closed on %(when)s.", when=format_local(webinar.closes_at, webinar.timezone))
    return None


def _already_message(reg: Reg) -> str:
    if reg.status == Reg.WAITLISTED:
        return _(
            "You are already on the waitlist for this webinar (position %(position)s).",
            position=reg.waitlist_position,
        )
    return already_registered()


def register(actor, webinar_id: int) -> Reg:
    """Register the actor: confirmed while seats are left, otherwise waitlisted."""
    # The unit of work of `transactional`, with its refusal written in the asker's language.
    with unit_of_work(already_registered()):
        return _register(actor, webinar_id)


def _register(actor, webinar_id: int) -> Reg:
    policy.require(actor, "webinar.register")
    visible(actor, load_webinar(webinar_id))
    webinar = lock_webinar(webinar_id)
    now = utcnow()
    reason = _why_closed(webinar, now)
    if reason:
        raise Conflict(reason)
    existing = active_registration(webinar.id, actor.id)
    if existing is not None:
        raise Conflict(_already_message(existing))
    confirmed, _waitlisted = seat_counts(webinar.id)
    reg = Reg(webinar_id=webinar.id, user_id=actor.id, created_at=now, attended=False)
    if confirmed < webinar.capacity:
        reg.status, reg.confirmed_at = Reg.CONFIRMED, now
    else:
        last = db.session.scalar(
            select(func.max(Reg.waitlist_position)).where(Reg.webinar_id == webinar.id, Reg.status == Reg.WAITLISTED)
        )
        reg.status, reg.waitlist_position = Reg.WAITLISTED, (last or 0) + 1
    db.session.add(reg)
    flush_or_conflict(already_registered())  # a second request of the same person, at the same moment
    notify_registered(reg, webinar)
    return reg


@transactional()
def cancel_registration(actor, webinar_id: int) -> None:
    """Cancel my own registration; the first waitlisted person gets the seat at once."""
    policy.require(actor, "webinar.unregister")
    visible(actor, load_webinar(webinar_id))
    webinar = lock_webinar(webinar_id)
    reg = active_registration(webinar.id, actor.id)
    if reg is None:
        raise NotFound(_("You are not registered for this webinar."))
    now = utcnow()
    if webinar.has_started(now) and webinar.status != Webinar.CANCELLED:
        raise Conflict(_("This webinar has already started; the registration can no longer be cancelled."))
    release_registration(reg, webinar, now)


# ---------------------------------------------------------------- my webinars


@dataclass
class MyWebinars:
    upcoming: list[dict]
    attended: list[dict]
    missed: list[dict]


def my_webinars(actor, now: datetime | None = None) -> MyWebinars:
    """The viewer's active registrations, split into upcoming, attended and not attended
    (three fixed queries however many there are)."""
    policy.require(actor, "webinar.my")
    now = now or utcnow()
    rows = db.session.execute(
        select(Reg, Webinar, confirmed_count_col(), waitlist_count_col())
        .join(Webinar, Reg.webinar_id == Webinar.id)
        .where(Reg.user_id == actor.id, Reg.status.in_(Reg.ACTIVE), Webinar.status != Webinar.DRAFT)
        .order_by(Webinar.starts_at)
    ).all()
    result = MyWebinars([], [], [])
    for reg, webinar, confirmed, waitlisted in rows:
        item = present(actor, webinar, confirmed or 0, waitlisted or 0, reg, now)
        if not webinar.is_past(now):
            result.upcoming.append(item)
        elif reg.attended:
            result.attended.insert(0, item)
        elif webinar.status != Webinar.CANCELLED and reg.status == Reg.CONFIRMED:
            result.missed.insert(0, item)
    return result
