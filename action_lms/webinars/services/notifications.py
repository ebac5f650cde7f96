"""The e-mails of the webinars domain, queued in the outbox of the caller's transaction
(each with its dedupe key, so a retried change never mails twice)."""

from __future__ import annotations

from ...core import outbox
from ...core.calendar import build_calendar
from ...core.time import format_local
from ..models import Webinar
from .calendar import calendar_event, webinar_url
from .rules import Reg

# Kinds whose e-mail carries the webinar as a calendar file.
WITH_CALENDAR_FILE = frozenset(
    {"webinar_confirmed", "webinar_promoted", "webinar_rescheduled", "webinar_cancelled", "webinar_join_link"}
)


def _ics_attachment(webinar: Webinar, show_join_url: bool) -> tuple[str, str, str]:
    ics = build_calendar([calendar_event(webinar, show_join_url)], name=webinar.title)
    return (f"webinar-{webinar.id}.ics", "text/calendar", ics.decode("utf-8"))


def notify(reg: Reg, webinar: Webinar, kind: str, subject: str, dedupe_key: str, **extra) -> bool:
    """Queue one e-mail about `webinar` to the person of `reg` (template webinars/<kind>.txt)."""
    user = reg.user
    confirmed = reg.status == Reg.CONFIRMED and webinar.status != Webinar.CANCELLED
    context = {
        "webinar": webinar,
        "registration": reg,
        "when_local": format_local(webinar.starts_at, user.timezone),
        "when_webinar": format_local(webinar.starts_at, webinar.timezone),
        "ends_local": format_local(webinar.ends_at, user.timezone, "%H:%M"),
        "join_url": webinar.join_url if confirmed else None,
        "webinar_url": webinar_url(webinar),
        **extra,
    }
    attachment = _ics_attachment(webinar, show_join_url=confirmed) if kind in WITH_CALENDAR_FILE else None
    return outbox.queue(
        user, kind, subject, f"webinars/{kind.removeprefix('webinar_')}.txt", context, dedupe_key, attachment=attachment
    )


def notify_registered(reg: Reg, webinar: Webinar) -> None:
    """The confirmation, or the waitlist notice, of a new registration."""
    if reg.status == Reg.CONFIRMED:
        notify(
            reg,
            webinar,
            "webinar_confirmed",
            f"Registered: {webinar.title}",
            f"webinar:{webinar.id}:reg:{reg.id}:confirmed",
        )
    else:
        notify(
            reg,
            webinar,
            "webinar_waitlisted",
            f"On the waitlist: {webinar.title}",
            f"webinar:{webinar.id}:reg:{reg.id}:waitlisted",
        )
