"""The e-mails of the webinars domain, queued in the outbox of the caller's transaction
(each with its dedupe key, so a retried change never mails twice). Subjects are lazy
strings and times are written in the recipient's language, not the sender's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import outbox
from ...core.calendar import build_calendar
from ...core.i18n import _l, in_language, user_language
from ...core.time import format_local
from ..models import Webinar
from .calendar import calendar_event, webinar_url
from .rules import Reg

# Kinds whose e-mail carries the webinar as a calendar file.
WITH_CALENDAR_FILE = frozenset(
    {"webinar_confirmed", "webinar_promoted", "webinar_rescheduled", "webinar_cancelled", "webinar_join_link"}
)


def _ics_attachment(webinar: Webinar, show_join_url: bool) -> tuple[str, str, Callable[[], str]]:
    """The calendar file, built when the outbox renders the e-mail (in the recipient's language)."""

    def build() -> str:
        return build_calendar([calendar_event(webinar, show_join_url)], name=webinar.title).decode("utf-8")

    return (f"webinar-{webinar.id}.ics", "text/calendar", build)


def notify(reg: Reg, webinar: Webinar, kind: str, subject: Any, dedupe_key: str, **extra: Any) -> bool:
    """Queue one e-mail about `webinar` to the person of `reg` (template webinars/<kind>.txt).
    `subject` is a lazy string; a value of `extra` that is a function (a time to write out)
    is called in the recipient's language."""
    user = reg.user
    confirmed = reg.status == Reg.CONFIRMED and webinar.status != Webinar.CANCELLED
    with in_language(user_language(user)):
        context = {
            "webinar": webinar,
            "registration": reg,
            "when_local": format_local(webinar.starts_at, user.timezone),
            "when_webinar": format_local(webinar.starts_at, webinar.timezone),
            "ends_local": format_local(webinar.ends_at, user.timezone, "%H:%M"),
            "join_url": webinar.join_url if confirmed else None,
            "webinar_url": webinar_url(webinar),
            **{key: value() if callable(value) else value for key, value in extra.items()},
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
            _l("Registered: %(title)s", title=webinar.title),
            f"webinar:{webinar.id}:reg:{reg.id}:confirmed",
        )
    else:
        notify(
            reg,
            webinar,
            "webinar_waitlisted",
            _l("On the waitlist: %(title)s", title=webinar.title),
            f"webinar:{webinar.id}:reg:{reg.id}:waitlisted",
        )
