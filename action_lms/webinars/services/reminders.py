"""The reminder job of the scheduler: 24 hours and 1 hour before a webinar starts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ...core.db import transactional
from ...core.i18n import _l
from ...core.models import OutboxMessage
from ...core.time import utcnow
from ...extensions import db
from ..models import Webinar
from .calendar import stamp
from .notifications import notify
from .rules import REMINDERS, Reg


@transactional()
def send_webinar_reminders(now: datetime | None = None) -> dict:
    """Queue the reminders due now: 24 hours and 1 hour before the start, to confirmed
    registrants of published webinars that have not started. Idempotent: the dedupe key
    holds the webinar, the person, the kind and the webinar's sequence and start, so a
    second run (or a second process) sends nothing, and a rescheduled webinar gets fresh
    reminders. Reminders missed while the scheduler was down go out late as long as the
    webinar has not started; the 24-hour one is skipped once the 1-hour window is reached."""
    now = now or utcnow()
    horizon = now + max(offset for _kind, offset in REMINDERS)
    due_webinars = select(Webinar.id).where(
        Webinar.status == Webinar.PUBLISHED, Webinar.starts_at > now, Webinar.starts_at <= horizon
    )
    # Lock the webinars being reminded about: a second process waits here, then sees the
    # first one's outbox rows and skips them (the unique dedupe key is the last guard).
    webinar_ids = db.session.scalars(due_webinars.order_by(Webinar.id).with_for_update()).all()
    counts = {"queued": 0, "already_sent": 0}
    if not webinar_ids:
        return counts
    rows = db.session.execute(
        select(Reg, Webinar)
        .join(Webinar, Reg.webinar_id == Webinar.id)
        .where(Webinar.id.in_(webinar_ids), Reg.status == Reg.CONFIRMED)
        .order_by(Webinar.starts_at, Reg.id)
    ).all()
    due: list[tuple[Reg, Webinar, str, str]] = []
    for reg, webinar in rows:
        kind = _reminder_kind(webinar, now)
        if kind is None:
            continue
        reminder_at = webinar.starts_at - dict(REMINDERS)[kind]
        if reg.confirmed_at is not None and reg.confirmed_at > reminder_at:
            continue  # confirmed after this reminder was due: the confirmation said it all
        key = f"webinar-reminder:{webinar.id}:{reg.user_id}:{kind}:{webinar.sequence}:{stamp(webinar.starts_at)}"
        due.append((reg, webinar, kind, key))
    sent = (
        set(
            db.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_([d[3] for d in due]))
            )
        )
        if due
        else set()
    )
    for reg, webinar, kind, key in due:
        if key in sent:
            counts["already_sent"] += 1
            continue
        label = _reminder_label(kind, webinar.starts_at - now)
        notify(
            reg,
            webinar,
            "webinar_reminder",
            _l("Reminder: %(title)s starts %(when)s", title=webinar.title, when=label),
            key,
            reminder_kind=kind,
            reminder_label=label,
        )
        counts["queued"] += 1
    return counts


def _reminder_label(kind: str, left: timedelta) -> Any:
    """'tomorrow' / 'in one hour' on time; the real time left when sent late. A lazy string:
    the e-mail writes it in the recipient's language."""
    minutes = int(left.total_seconds() // 60)
    if kind == "24h":
        return _l("tomorrow") if minutes >= 20 * 60 else _l("in %(num)d hours", num=minutes // 60)
    return _l("in one hour") if minutes >= 50 else _l("in %(num)d minutes", num=max(minutes, 1))


def _reminder_kind(webinar: Webinar, now: datetime) -> str | None:
    """The latest reminder whose time has come, or None before the first is due."""
    left = webinar.starts_at - now
    if left <= timedelta(0):
        return None
    for kind, offset in sorted(REMINDERS, key=lambda r: r[1]):
        if left <= offset:
            return kind
    return None
