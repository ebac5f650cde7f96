"""Webinars as calendar events: the .ics of one webinar, the events of the personal feed,
and the links and stamps e-mails and calendar files share."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ...core.calendar import CalendarEvent
from ...core.errors import Forbidden
from ...core.i18n import _
from ...core.time import UTC, utcnow
from ...extensions import db
from ..models import Webinar
from .catalogue import active_registration, get_webinar
from .rules import FEED_HISTORY, Reg, can_download_calendar, can_see_join_url, policy


def webinar_url(webinar: Webinar) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/webinars/{webinar.id}"


def stamp(value: datetime) -> str:
    """A time as it appears in dedupe keys (UTC, to the second)."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_event(webinar: Webinar, show_join_url: bool, waitlisted: bool = False) -> CalendarEvent:
    page = webinar_url(webinar)
    lines = []
    if webinar.status == Webinar.CANCELLED:
        lines.append(
            _("This webinar has been cancelled. Reason: %(reason)s", reason=webinar.cancel_reason)
            if webinar.cancel_reason
            else _("This webinar has been cancelled.")
        )
    if waitlisted:
        lines.append(_("You are on the waitlist; you will get an e-mail if a seat becomes free."))
    if show_join_url and webinar.join_url:
        lines.append(_("Join: %(url)s", url=webinar.join_url))
    lines.append(_("Details: %(url)s", url=page))
    if webinar.description:
        lines.append("")
        lines.append(webinar.description)
    return CalendarEvent(
        uid=f"webinar-{webinar.id}@action-lms",
        starts_at=webinar.starts_at,
        ends_at=webinar.ends_at,
        summary=_("[Waitlist] Webinar: %(title)s", title=webinar.title)
        if waitlisted
        else _("Webinar: %(title)s", title=webinar.title),
        description="\n".join(lines),
        url=webinar.join_url if show_join_url and webinar.join_url else page,
        location=webinar.join_url if show_join_url and webinar.join_url else _("Online"),
        sequence=webinar.sequence,
        cancelled=webinar.status == Webinar.CANCELLED,
        last_modified=webinar.updated_at,
    )


def webinar_calendar(actor, webinar_id: int) -> tuple[list[CalendarEvent], str]:
    """The .ics for one webinar: for registrants (confirmed or waitlisted) and admins.
    The join link is in it only for confirmed registrants and admins."""
    policy.require(actor, "webinar.calendar")
    webinar = get_webinar(actor, webinar_id)
    mine = active_registration(webinar.id, actor.id)
    if not can_download_calendar(actor, mine):
        raise Forbidden(_("Register for this webinar first to add it to your calendar."))
    event = calendar_event(
        webinar, can_see_join_url(actor, webinar, mine), waitlisted=mine is not None and mine.status == Reg.WAITLISTED
    )
    return [event], f"webinar-{webinar.id}.ics"


def feed_events(user) -> list[CalendarEvent]:
    """Source for the personal calendar feed: every webinar I am registered for."""
    since = utcnow() - FEED_HISTORY
    rows = db.session.execute(
        select(Reg, Webinar)
        .join(Webinar, Reg.webinar_id == Webinar.id)
        .where(
            Reg.user_id == user.id,
            Reg.status.in_(Reg.ACTIVE),
            Webinar.status != Webinar.DRAFT,
            Webinar.ends_at >= since,
        )
    ).all()
    return [
        calendar_event(webinar, can_see_join_url(user, webinar, reg), waitlisted=reg.status == Reg.WAITLISTED)
        for reg, webinar in rows
    ]
