"""Scheduling by administrators: create, edit (publish, reschedule, change capacity) and
cancel a webinar. Everyone registered hears of a new time, a new join link or a cancellation."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select

from ...core.content import render_markdown
from ...core.db import transactional
from ...core.errors import Conflict, Invalid
from ...core.i18n import _, _l
from ...core.time import format_local, utcnow
from ...core.validators import aware_utc
from ...extensions import db
from ..models import MAX_CAPACITY, MAX_DURATION_MINUTES, Webinar
from .calendar import stamp
from .catalogue import lock_webinar, seat_counts
from .notifications import notify
from .rules import EDITABLE, Reg, default_closes_at, policy, registration_closes_minutes_before
from .validation import (
    clean_cancel_reason,
    clean_description,
    clean_milestone_keys,
    clean_module_keys,
    clean_timezone,
    clean_title,
    clean_url,
    whole_number,
)
from .waitlist import fill_seats


def is_default_deadline(closes: datetime | None, starts_at: datetime) -> bool:
    """Whether a stored deadline is the default for this start (or none at all): the form
    shows it as an empty field, whose hint names the default."""
    return closes is None or closes == starts_at - timedelta(minutes=registration_closes_minutes_before())


def follows_start(closes: datetime | None, starts_at: datetime) -> bool:
    """Whether a stored deadline moves when the start moves and the deadline is not given:
    the default, none, or the start itself (the default of a webinar set at short notice)."""
    return is_default_deadline(closes, starts_at) or closes == starts_at


@transactional()
def create_webinar(actor, data: dict) -> Webinar:
    policy.require(actor, "webinar.create")
    now = utcnow()
    starts_at = aware_utc(data.get("starts_at"), "starts_at")
    if starts_at <= now:
        raise Invalid.field("starts_at", _("Choose a start time in the future."))
    duration = whole_number(data.get("duration_minutes"), "duration_minutes", 1, MAX_DURATION_MINUTES)
    closes = data.get("registration_closes_at")
    closes = aware_utc(closes, "registration_closes_at") if closes is not None else default_closes_at(starts_at, now)
    if closes > starts_at:
        raise Invalid.field("registration_closes_at", _("Registration must close at or before the start."))
    status = data.get("status") or Webinar.DRAFT
    if status not in (Webinar.DRAFT, Webinar.PUBLISHED):
        raise Invalid.field("status", _("Status must be draft or published."))
    description = clean_description(data.get("description"))
    webinar = Webinar(
        title=clean_title(data.get("title")),
        description=description,
        description_html=render_markdown(description),
        timezone=clean_timezone(data.get("timezone")),
        capacity=whole_number(data.get("capacity"), "capacity", 1, MAX_CAPACITY),
        join_url=clean_url(data.get("join_url"), "join_url"),
        recording_url=clean_url(data.get("recording_url"), "recording_url"),
        registration_closes_at=closes,
        status=status,
        course_module_keys=clean_module_keys(data.get("course_module_keys")),
        milestone_keys=clean_milestone_keys(data.get("milestone_keys")),
        sequence=0,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        updated_at=now,
    )
    webinar.set_time(starts_at, duration)
    db.session.add(webinar)
    db.session.flush()
    return webinar


@transactional()
def update_webinar(actor, webinar_id: int, changes: dict) -> Webinar:
    """Edit, publish, reschedule, change capacity. A change of time notifies everyone
    registered (in their own zone) and increases the calendar SEQUENCE."""
    policy.require(actor, "webinar.update")
    webinar = lock_webinar(webinar_id)
    if webinar.status == Webinar.CANCELLED:
        raise Conflict(_("This webinar has been cancelled and can no longer be changed."))
    now = utcnow()
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    old_join_url = None  # set when the join link changes
    if "title" in changes:
        webinar.title = clean_title(changes["title"])
    if "description" in changes:
        webinar.description = clean_description(changes["description"])
        webinar.description_html = render_markdown(webinar.description)
    if "timezone" in changes:
        webinar.timezone = clean_timezone(changes["timezone"])
    if "join_url" in changes:
        new_join_url = clean_url(changes["join_url"], "join_url")
        if new_join_url != webinar.join_url:
            old_join_url = webinar.join_url or ""
        webinar.join_url = new_join_url
    if "recording_url" in changes:
        webinar.recording_url = clean_url(changes["recording_url"], "recording_url")
    if "course_module_keys" in changes:
        webinar.course_module_keys = clean_module_keys(changes["course_module_keys"], kept=webinar.course_module_keys)
    if "milestone_keys" in changes:
        webinar.milestone_keys = clean_milestone_keys(changes["milestone_keys"])

    old_start, old_end = webinar.starts_at, webinar.ends_at
    starts_at = (
        aware_utc(changes["starts_at"], "starts_at") if changes.get("starts_at") is not None else webinar.starts_at
    )
    duration = (
        whole_number(changes["duration_minutes"], "duration_minutes", 1, MAX_DURATION_MINUTES)
        if changes.get("duration_minutes") is not None
        else webinar.duration_minutes
    )
    if "registration_closes_at" in changes:
        closes = changes["registration_closes_at"]
        webinar.registration_closes_at = (
            aware_utc(closes, "registration_closes_at") if closes is not None else default_closes_at(starts_at, now)
        )
        if webinar.registration_closes_at > starts_at:
            raise Invalid.field("registration_closes_at", _("Registration must close at or before the start."))
    elif starts_at != old_start and follows_start(webinar.registration_closes_at, old_start):
        # The deadline was the default (or the start itself): it moves with the new start.
        webinar.registration_closes_at = default_closes_at(starts_at, now)
    if starts_at != old_start or duration != webinar.duration_minutes:
        if webinar.has_started(now) and starts_at != old_start:
            raise Conflict(_("This webinar has already started; its time can no longer be changed."))
        webinar.set_time(starts_at, duration)
    time_changed = webinar.starts_at != old_start or webinar.ends_at != old_end

    confirmed, waitlisted = seat_counts(webinar.id)
    if "status" in changes and changes["status"] is not None and changes["status"] != webinar.status:
        new_status = changes["status"]
        if new_status not in (Webinar.DRAFT, Webinar.PUBLISHED):
            raise Invalid.field("status", _("Status must be draft or published; cancel with the cancel action."))
        if new_status == Webinar.DRAFT and confirmed + waitlisted:
            raise Conflict(_("People are registered for this webinar; it cannot go back to draft. Cancel it instead."))
        webinar.status = new_status
    if changes.get("capacity") is not None:
        capacity = whole_number(changes["capacity"], "capacity", 1, MAX_CAPACITY)
        if capacity < confirmed:
            raise Conflict(
                _(
                    "%(num)d people are already confirmed; the capacity cannot go below %(num)d.",
                    num=confirmed,
                )
            )
        webinar.capacity = capacity

    if time_changed:
        webinar.sequence += 1
    webinar.updated_at = now
    db.session.flush()
    fill_seats(webinar, now)
    if time_changed and webinar.status == Webinar.PUBLISHED:
        for reg in db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status.in_(Reg.ACTIVE))):
            notify(
                reg,
                webinar,
                "webinar_rescheduled",
                _l("New time: %(title)s", title=webinar.title),
                f"webinar:{webinar.id}:reg:{reg.id}:rescheduled:{webinar.sequence}:{stamp(webinar.starts_at)}",
                old_when_local=partial(format_local, old_start, reg.user.timezone),
            )
    elif (
        old_join_url is not None
        and webinar.join_url
        and webinar.status == Webinar.PUBLISHED
        and not webinar.is_past(now)
    ):
        # A new join link (and no new time, whose e-mail carries it anyway): confirmed people need it.
        for reg in db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status == Reg.CONFIRMED)):
            notify(
                reg,
                webinar,
                "webinar_join_link",
                _l("New join link: %(title)s", title=webinar.title),
                f"webinar:{webinar.id}:reg:{reg.id}:join_link:{stamp(now)}",
            )
    return webinar


@transactional()
def cancel_webinar(actor, webinar_id: int, reason: str) -> Webinar:
    """Cancel with a reason; everyone registered (of a published webinar) is told why."""
    policy.require(actor, "webinar.cancel")
    reason = clean_cancel_reason(reason)
    webinar = lock_webinar(webinar_id)
    now = utcnow()
    if webinar.status == Webinar.CANCELLED:
        raise Conflict(_("This webinar is already cancelled."))
    if webinar.is_past(now):
        raise Conflict(_("This webinar has already taken place and cannot be cancelled."))
    was_draft = webinar.status == Webinar.DRAFT
    webinar.status = Webinar.CANCELLED
    webinar.cancel_reason = reason
    webinar.cancelled_at = now
    webinar.sequence += 1
    webinar.updated_at = now
    db.session.flush()
    if not was_draft:
        for reg in db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status.in_(Reg.ACTIVE))):
            notify(
                reg,
                webinar,
                "webinar_cancelled",
                _l("Cancelled: %(title)s", title=webinar.title),
                f"webinar:{webinar.id}:reg:{reg.id}:cancelled",
                reason=reason,
            )
    return webinar
