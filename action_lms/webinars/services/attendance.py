"""For administrators: who registered for a webinar (list and CSV) and who attended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select

from ...core.csvfile import csv_text
from ...core.db import transactional
from ...core.errors import Conflict, Invalid, NotFound
from ...core.i18n import _
from ...core.time import UTC, utcnow
from ...extensions import db
from ..models import Webinar
from .catalogue import load_webinar, lock_webinar, present_registration
from .rules import Reg, policy

CSV_COLUMNS = (
    "registration_id",
    "user_id",
    "name",
    "email",
    "city",
    "status",
    "waitlist_position",
    "registered_at_utc",
    "confirmed_at_utc",
    "cancelled_at_utc",
    "attended",
)


def _webinar_or_404(webinar_id: int) -> Webinar:
    webinar = load_webinar(webinar_id)
    if webinar is None:
        raise NotFound(_("No webinar with this id."))
    return webinar


def registrations_query(actor, webinar_id: int, status: str | None = None) -> Select:
    """A webinar's registrations: confirmed, then the waitlist in order, then cancelled."""
    policy.require(actor, "webinar.registrations")
    _webinar_or_404(webinar_id)
    stmt = (
        select(Reg)
        .where(Reg.webinar_id == webinar_id)
        .order_by(
            Reg.status != Reg.CONFIRMED, Reg.status != Reg.WAITLISTED, Reg.waitlist_position, Reg.created_at, Reg.id
        )
    )
    if status:
        if status not in (Reg.CONFIRMED, Reg.WAITLISTED, Reg.CANCELLED):
            raise Invalid.field("status", _("Status must be confirmed, waitlisted or cancelled."))
        stmt = stmt.where(Reg.status == status)
    return stmt


def list_registrations(actor, webinar_id: int, status: str | None = None) -> Sequence[Reg]:
    """Every registration of a webinar (the attendance page)."""
    return db.session.scalars(registrations_query(actor, webinar_id, status)).all()


def present_admin_registration(reg: Reg) -> dict:
    user = reg.user
    return {
        **present_registration(reg),
        "user": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "city": user.city.name if user.city else None,
            "timezone": user.timezone,
        },
        "confirmed_at": reg.confirmed_at,
        "cancelled_at": reg.cancelled_at,
        "attended_marked_at": reg.attended_marked_at,
    }


def _utc_text(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def registrations_csv(actor, webinar_id: int, status: str | None = None) -> tuple[str, str]:
    """(filename, CSV text) of every registration with attendance."""
    regs = list_registrations(actor, webinar_id, status)
    webinar = _webinar_or_404(webinar_id)
    rows: list[Sequence[object]] = [CSV_COLUMNS]
    for reg in regs:
        user = reg.user
        rows.append(
            [
                reg.id,
                user.id,
                user.name,
                user.email,
                user.city.name if user.city else "",
                reg.status,
                reg.waitlist_position or "",
                _utc_text(reg.created_at),
                _utc_text(reg.confirmed_at),
                _utc_text(reg.cancelled_at),
                "yes" if reg.attended else "no",
            ]
        )
    return f"webinar-{webinar.id}-registrations.csv", csv_text(rows)


@transactional()
def record_attendance(actor, webinar_id: int, user_ids: list[int], replace: bool = False) -> dict:
    """Mark who attended. With `replace`, everyone else registered is marked absent
    (the checkbox page); otherwise the given people are added."""
    policy.require(actor, "webinar.attendance")
    webinar = lock_webinar(webinar_id)
    now = utcnow()
    if webinar.status == Webinar.CANCELLED:
        raise Conflict(_("This webinar was cancelled; there is no attendance to record."))
    if not webinar.has_started(now):
        raise Conflict(_("Attendance can be recorded once the webinar has started."))
    wanted = set(user_ids or [])
    regs = list(db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status.in_(Reg.ACTIVE))))
    by_user = {reg.user_id: reg for reg in regs}
    unknown = sorted(wanted - set(by_user))
    if unknown:
        raise Invalid.field(
            "user_ids", _("Not registered for this webinar: user %(ids)s.", ids=", ".join(map(str, unknown)))
        )
    for reg in regs:
        attended = reg.user_id in wanted or (reg.attended and not replace)
        if attended != reg.attended:
            reg.attended = attended
            reg.attended_marked_at = now
    attended_ids = sorted(reg.user_id for reg in regs if reg.attended)
    return {"webinar_id": webinar.id, "attended_user_ids": attended_ids, "attended_count": len(attended_ids)}
