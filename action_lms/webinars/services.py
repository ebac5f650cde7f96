"""Business rules of the webinars domain: scheduling, registration with capacity and a
waitlist, notifications, reminders, calendar files, attendance, personal data.

Every registration change runs under a row lock on the webinar (`_lock_webinar`), so
counting seats and handing out waitlist positions is never raced; the unique indexes
on the registrations table hold the same rules in the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core import outbox
from ..core.calendar import CalendarEvent, build_calendar
from ..core.content import render_markdown
from ..core.csvfile import csv_text
from ..core.db import is_unique_violation
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import OutboxMessage
from ..core.policy import ADMIN, ANY_USER, Policy
from ..core.time import UTC, format_local, is_valid_timezone, utcnow, zone
from ..core.validators import column_length, date_in_range, multi_line, single_line
from ..extensions import db
from ..plans.template import BY_KEY, is_milestone_key
from .models import Webinar, WebinarRegistration

Reg = WebinarRegistration

policy = Policy(
    "webinars",
    {
        "webinar.list": ANY_USER,
        "webinar.view": ANY_USER,
        "webinar.view_drafts": {ADMIN},
        "webinar.create": {ADMIN},
        "webinar.update": {ADMIN},
        "webinar.cancel": {ADMIN},
        "webinar.register": ANY_USER,
        "webinar.unregister": ANY_USER,
        "webinar.registrations": {ADMIN},
        "webinar.attendance": {ADMIN},
        "webinar.calendar": ANY_USER,  # object level: registrants and admins
        "webinar.join_url_always": {ADMIN},  # others only when confirmed
        "webinar.my": ANY_USER,
    },
)

MAX_DURATION_MINUTES = 24 * 60
MAX_CAPACITY = 10_000
REMINDERS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
FEED_HISTORY = timedelta(days=180)
EDITABLE = (
    "title",
    "description",
    "starts_at",
    "duration_minutes",
    "timezone",
    "capacity",
    "join_url",
    "recording_url",
    "registration_closes_at",
    "status",
    "course_module_keys",
    "milestone_keys",
)


# ---------------------------------------------------------------- transactions


def _atomic(fn):
    """A public write is one transaction: on any error nothing half-done stays in the
    session (and a row lock is released at once)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


# ---------------------------------------------------------------- validation helpers

MAX_DESCRIPTION = 20000
MAX_REASON = 2000
MAX_MODULE_KEY = 120


def _title(value) -> str:
    return single_line(value, "title", column_length(Webinar.title))


def _description(value) -> str:
    return multi_line(value, "description", MAX_DESCRIPTION) or ""


def _url(value, field: str) -> str | None:
    value = single_line(value, field, column_length(getattr(Webinar, field)), required=False)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid.field(field, "Enter a full link starting with https://.")
    return value


def _aware(value, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise Invalid.field(field, "Enter a date and time.")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise Invalid.field(field, "Give the time with an offset, e.g. 2027-03-01T10:00:00+01:00.")
    date_in_range(value, field)  # before converting: year 9999 with an offset overflows in UTC
    value = value.astimezone(UTC)
    date_in_range(value, field)
    return value


def _int(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid.field(field, "Enter a whole number.")
    if value < low or value > high:
        raise Invalid.field(field, f"Enter a number from {low} to {high}.")
    return value


def _timezone(value) -> str:
    if not is_valid_timezone(value):
        raise Invalid.field("timezone", "Unknown time zone: use an IANA name such as Europe/Berlin.")
    return value


def _milestone_keys(values) -> list[str]:
    values = list(dict.fromkeys(v.strip() for v in (values or []) if v and v.strip()))
    unknown = [v for v in values if not is_milestone_key(v)]
    if unknown:
        raise Invalid.field("milestone_keys", "Unknown milestone key: " + ", ".join(unknown) + ".")
    return values


def _module_keys(values) -> list[str]:
    keys = (single_line(v, "course_module_keys", MAX_MODULE_KEY, required=False) for v in (values or []))
    return list(dict.fromkeys(k for k in keys if k))


def local_to_utc(naive: datetime, tz_name: str, field: str = "starts_at") -> datetime:
    """A wall-clock time in a zone (from the HTML form) to UTC. Times that do not exist
    because the clocks go forward are refused; ambiguous ones take the first occurrence."""
    date_in_range(naive, field)
    tz = zone(tz_name)
    local = naive.replace(tzinfo=tz, fold=0)
    back = local.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        raise Invalid.field(
            field,
            f"{naive:%H:%M} does not exist on {naive:%d %b %Y} in {tz_name} "
            "(the clocks go forward); choose another time.",
        )
    return local.astimezone(UTC)


# ---------------------------------------------------------------- loading and presenting

MAX_ID = 2**31 - 1  # integer primary keys: a larger id is simply not found


def _load(webinar_id: int) -> Webinar | None:
    if not 0 < webinar_id <= MAX_ID:
        return None
    return db.session.get(Webinar, webinar_id)


def _lock_webinar(webinar_id: int) -> Webinar | None:
    """Row lock on the webinar for the rest of the transaction (PostgreSQL FOR UPDATE;
    SQLite writers are already serialised by BEGIN IMMEDIATE)."""
    if not 0 < webinar_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Webinar).where(Webinar.id == webinar_id).with_for_update().execution_options(populate_existing=True)
    )


def _visible(actor, webinar: Webinar | None) -> Webinar:
    if webinar is None or (webinar.status == Webinar.DRAFT and not policy.allows(actor, "webinar.view_drafts")):
        raise NotFound("No webinar with this id.")
    return webinar


def get_webinar(actor, webinar_id: int) -> Webinar:
    policy.require(actor, "webinar.view")
    return _visible(actor, _load(webinar_id))


def _counts(webinar_id: int) -> tuple[int, int]:
    rows = db.session.execute(
        select(Reg.status, func.count(Reg.id))
        .where(Reg.webinar_id == webinar_id, Reg.status.in_(Reg.ACTIVE))
        .group_by(Reg.status)
    ).all()
    found = {key: value for key, value in rows}
    return found.get(Reg.CONFIRMED, 0), found.get(Reg.WAITLISTED, 0)


def _active_registration(webinar_id: int, user_id: int) -> Reg | None:
    return db.session.scalar(
        select(Reg).where(Reg.webinar_id == webinar_id, Reg.user_id == user_id, Reg.status.in_(Reg.ACTIVE))
    )


def registration_open(webinar: Webinar, confirmed: int | None = None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return webinar.status == Webinar.PUBLISHED and now < webinar.closes_at


def may_see_join_url(actor, webinar: Webinar, my_registration: Reg | None) -> bool:
    if policy.allows(actor, "webinar.join_url_always"):
        return True
    return (
        my_registration is not None and my_registration.status == Reg.CONFIRMED and webinar.status != Webinar.CANCELLED
    )


def present(
    actor, webinar: Webinar, confirmed: int, waitlisted: int, mine: Reg | None, now: datetime | None = None
) -> dict:
    """Everything the API and the pages show about one webinar for this viewer."""
    now = now or utcnow()
    return {
        "obj": webinar,
        "id": webinar.id,
        "title": webinar.title,
        "description": webinar.description,
        "description_html": webinar.description_html,
        "starts_at": webinar.starts_at,
        "ends_at": webinar.ends_at,
        "duration_minutes": webinar.duration_minutes,
        "timezone": webinar.timezone,
        "capacity": webinar.capacity,
        "confirmed_count": confirmed,
        "seats_left": max(webinar.capacity - confirmed, 0),
        "waitlist_length": waitlisted,
        "status": webinar.status,
        "past": webinar.is_past(now),
        "started": webinar.has_started(now),
        "registration_open": registration_open(webinar, now=now),
        "registration_closes_at": webinar.closes_at,
        "join_url": webinar.join_url if may_see_join_url(actor, webinar, mine) else None,
        "recording_url": webinar.recording_url,
        "cancel_reason": webinar.cancel_reason,
        "course_module_keys": list(webinar.course_module_keys or []),
        "milestone_keys": list(webinar.milestone_keys or []),
        "sequence": webinar.sequence,
        "my_registration": _present_registration(mine) if mine is not None else None,
    }


def _present_registration(reg: Reg) -> dict:
    return {
        "id": reg.id,
        "webinar_id": reg.webinar_id,
        "status": reg.status,
        "waitlist_position": reg.waitlist_position,
        "attended": reg.attended,
        "created_at": reg.created_at,
    }


def _confirmed_count_col():
    return (
        select(func.count(Reg.id))
        .where(Reg.webinar_id == Webinar.id, Reg.status == Reg.CONFIRMED)
        .correlate(Webinar)
        .scalar_subquery()
        .label("confirmed")
    )


def _waitlist_count_col():
    return (
        select(func.count(Reg.id))
        .where(Reg.webinar_id == Webinar.id, Reg.status == Reg.WAITLISTED)
        .correlate(Webinar)
        .scalar_subquery()
        .label("waitlisted")
    )


def list_webinars_query(
    actor,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    include_past: bool = False,
    when: str = "upcoming",
    now: datetime | None = None,
):
    """A select of (Webinar, confirmed, waitlisted) rows. `when`: upcoming (not yet ended),
    past (ended, newest first) or all; `include_past` widens upcoming to all."""
    policy.require(actor, "webinar.list")
    now = now or utcnow()
    stmt = select(Webinar, _confirmed_count_col(), _waitlist_count_col())
    if not policy.allows(actor, "webinar.view_drafts"):
        stmt = stmt.where(Webinar.status != Webinar.DRAFT)
    if include_past and when == "upcoming":
        when = "all"
    if when == "upcoming":
        stmt = stmt.where(Webinar.ends_at > now).order_by(Webinar.starts_at, Webinar.id)
    elif when == "past":
        stmt = stmt.where(Webinar.ends_at <= now).order_by(Webinar.starts_at.desc(), Webinar.id.desc())
    else:
        stmt = stmt.order_by(Webinar.starts_at, Webinar.id)
    if starts_from is not None:
        stmt = stmt.where(Webinar.starts_at >= starts_from)
    if starts_to is not None:
        stmt = stmt.where(Webinar.starts_at < starts_to)
    return stmt


def present_rows(actor, rows, now: datetime | None = None) -> list[dict]:
    """Turn (Webinar, confirmed, waitlisted) rows into presented dicts with the viewer's
    own registrations loaded in one more query."""
    now = now or utcnow()
    ids = [row[0].id for row in rows]
    mine: dict[int, Reg] = {}
    if ids and getattr(actor, "is_authenticated", False):
        for reg in db.session.scalars(
            select(Reg).where(Reg.webinar_id.in_(ids), Reg.user_id == actor.id, Reg.status.in_(Reg.ACTIVE))
        ):
            mine[reg.webinar_id] = reg
    return [
        present(actor, w, confirmed or 0, waitlisted or 0, mine.get(w.id), now) for w, confirmed, waitlisted in rows
    ]


def webinar_detail(actor, webinar_id: int) -> dict:
    webinar = get_webinar(actor, webinar_id)
    confirmed, waitlisted = _counts(webinar.id)
    mine = _active_registration(webinar.id, actor.id)
    return present(actor, webinar, confirmed, waitlisted, mine)


# ---------------------------------------------------------------- notifications


def _webinar_url(webinar: Webinar) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/webinars/{webinar.id}"


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_event(webinar: Webinar, show_join_url: bool, waitlisted: bool = False) -> CalendarEvent:
    page = _webinar_url(webinar)
    lines = []
    if webinar.status == Webinar.CANCELLED:
        lines.append(
            "This webinar has been cancelled." + (f" Reason: {webinar.cancel_reason}" if webinar.cancel_reason else "")
        )
    if waitlisted:
        lines.append("You are on the waitlist; you will get an e-mail if a seat becomes free.")
    if show_join_url and webinar.join_url:
        lines.append(f"Join: {webinar.join_url}")
    lines.append(f"Details: {page}")
    if webinar.description:
        lines.append("")
        lines.append(webinar.description)
    return CalendarEvent(
        uid=f"webinar-{webinar.id}@action-lms",
        starts_at=webinar.starts_at,
        ends_at=webinar.ends_at,
        summary=("[Waitlist] " if waitlisted else "") + f"Webinar: {webinar.title}",
        description="\n".join(lines),
        url=webinar.join_url if show_join_url and webinar.join_url else page,
        location=webinar.join_url if show_join_url and webinar.join_url else "Online",
        sequence=webinar.sequence,
        cancelled=webinar.status == Webinar.CANCELLED,
        last_modified=webinar.updated_at,
    )


def _ics_attachment(webinar: Webinar, show_join_url: bool) -> tuple[str, str, str]:
    ics = build_calendar([calendar_event(webinar, show_join_url)], name=webinar.title)
    return (f"webinar-{webinar.id}.ics", "text/calendar", ics.decode("utf-8"))


def _notify(reg: Reg, webinar: Webinar, kind: str, subject: str, dedupe_key: str, **extra) -> bool:
    user = reg.user or db.session.get(User, reg.user_id)
    confirmed = reg.status == Reg.CONFIRMED and webinar.status != Webinar.CANCELLED
    context = {
        "webinar": webinar,
        "registration": reg,
        "when_local": format_local(webinar.starts_at, user.timezone),
        "when_webinar": format_local(webinar.starts_at, webinar.timezone),
        "ends_local": format_local(webinar.ends_at, user.timezone, "%H:%M"),
        "join_url": webinar.join_url if confirmed else None,
        "webinar_url": _webinar_url(webinar),
        **extra,
    }
    attachment = None
    if kind in (
        "webinar_confirmed",
        "webinar_promoted",
        "webinar_rescheduled",
        "webinar_cancelled",
        "webinar_join_link",
    ):
        attachment = _ics_attachment(webinar, show_join_url=confirmed)
    return outbox.queue(
        user, kind, subject, f"webinars/{kind.removeprefix('webinar_')}.txt", context, dedupe_key, attachment=attachment
    )


def _notify_registered(reg: Reg, webinar: Webinar) -> None:
    if reg.status == Reg.CONFIRMED:
        _notify(
            reg,
            webinar,
            "webinar_confirmed",
            f"Registered: {webinar.title}",
            f"webinar:{webinar.id}:reg:{reg.id}:confirmed",
        )
    else:
        _notify(
            reg,
            webinar,
            "webinar_waitlisted",
            f"On the waitlist: {webinar.title}",
            f"webinar:{webinar.id}:reg:{reg.id}:waitlisted",
        )


# ---------------------------------------------------------------- waitlist


def _renumber_waitlist(webinar_id: int) -> None:
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


def _fill_seats(webinar: Webinar, now: datetime) -> list[Reg]:
    """Confirm waitlisted people in order while seats are free (webinar locked)."""
    if webinar.status != Webinar.PUBLISHED or webinar.has_started(now):
        return []
    confirmed, _ = _counts(webinar.id)
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
    _renumber_waitlist(webinar.id)
    for reg in promoted:
        _notify(
            reg,
            webinar,
            "webinar_promoted",
            f"A seat is yours: {webinar.title}",
            f"webinar:{webinar.id}:reg:{reg.id}:promoted",
        )
    return promoted


# ---------------------------------------------------------------- scheduling (admins)


@_atomic
def create_webinar(actor, data: dict) -> Webinar:
    policy.require(actor, "webinar.create")
    now = utcnow()
    starts_at = _aware(data.get("starts_at"), "starts_at")
    if starts_at <= now:
        raise Invalid.field("starts_at", "Choose a start time in the future.")
    duration = _int(data.get("duration_minutes"), "duration_minutes", 1, MAX_DURATION_MINUTES)
    closes = data.get("registration_closes_at")
    closes = _aware(closes, "registration_closes_at") if closes is not None else None
    if closes is not None and closes > starts_at:
        raise Invalid.field("registration_closes_at", "Registration must close at or before the start.")
    status = data.get("status") or Webinar.DRAFT
    if status not in (Webinar.DRAFT, Webinar.PUBLISHED):
        raise Invalid.field("status", "Status must be draft or published.")
    description = _description(data.get("description"))
    webinar = Webinar(
        title=_title(data.get("title")),
        description=description,
        description_html=render_markdown(description),
        timezone=_timezone(data.get("timezone")),
        capacity=_int(data.get("capacity"), "capacity", 1, MAX_CAPACITY),
        join_url=_url(data.get("join_url"), "join_url"),
        recording_url=_url(data.get("recording_url"), "recording_url"),
        registration_closes_at=closes,
        status=status,
        course_module_keys=_module_keys(data.get("course_module_keys")),
        milestone_keys=_milestone_keys(data.get("milestone_keys")),
        sequence=0,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        updated_at=now,
    )
    webinar.set_time(starts_at, duration)
    db.session.add(webinar)
    db.session.commit()
    return webinar


@_atomic
def update_webinar(actor, webinar_id: int, changes: dict) -> Webinar:
    """Edit, publish, reschedule, change capacity. A change of time notifies everyone
    registered (in their own zone) and increases the calendar SEQUENCE."""
    policy.require(actor, "webinar.update")
    webinar = _lock_webinar(webinar_id)
    if webinar is None:
        raise NotFound("No webinar with this id.")
    if webinar.status == Webinar.CANCELLED:
        raise Conflict("This webinar has been cancelled and can no longer be changed.")
    now = utcnow()
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    old_join_url = None  # set when the join link changes
    if "title" in changes:
        webinar.title = _title(changes["title"])
    if "description" in changes:
        webinar.description = _description(changes["description"])
        webinar.description_html = render_markdown(webinar.description)
    if "timezone" in changes:
        webinar.timezone = _timezone(changes["timezone"])
    if "join_url" in changes:
        new_join_url = _url(changes["join_url"], "join_url")
        if new_join_url != webinar.join_url:
            old_join_url = webinar.join_url or ""
        webinar.join_url = new_join_url
    if "recording_url" in changes:
        webinar.recording_url = _url(changes["recording_url"], "recording_url")
    if "course_module_keys" in changes:
        webinar.course_module_keys = _module_keys(changes["course_module_keys"])
    if "milestone_keys" in changes:
        webinar.milestone_keys = _milestone_keys(changes["milestone_keys"])

    old_start, old_end = webinar.starts_at, webinar.ends_at
    starts_at = _aware(changes["starts_at"], "starts_at") if changes.get("starts_at") is not None else webinar.starts_at
    duration = (
        _int(changes["duration_minutes"], "duration_minutes", 1, MAX_DURATION_MINUTES)
        if changes.get("duration_minutes") is not None
        else webinar.duration_minutes
    )
    if "registration_closes_at" in changes:
        closes = changes["registration_closes_at"]
        webinar.registration_closes_at = _aware(closes, "registration_closes_at") if closes is not None else None
        if webinar.registration_closes_at is not None and webinar.registration_closes_at > starts_at:
            raise Invalid.field("registration_closes_at", "Registration must close at or before the start.")
    if starts_at != old_start or duration != webinar.duration_minutes:
        if webinar.has_started(now) and starts_at != old_start:
            raise Conflict("This webinar has already started; its time can no longer be changed.")
        webinar.set_time(starts_at, duration)
    time_changed = webinar.starts_at != old_start or webinar.ends_at != old_end

    confirmed, waitlisted = _counts(webinar.id)
    if "status" in changes and changes["status"] is not None and changes["status"] != webinar.status:
        new_status = changes["status"]
        if new_status not in (Webinar.DRAFT, Webinar.PUBLISHED):
            raise Invalid.field("status", "Status must be draft or published; cancel with the cancel action.")
        if new_status == Webinar.DRAFT and confirmed + waitlisted:
            raise Conflict("People are registered for this webinar; it cannot go back to draft. Cancel it instead.")
        webinar.status = new_status
    if changes.get("capacity") is not None:
        capacity = _int(changes["capacity"], "capacity", 1, MAX_CAPACITY)
        if capacity < confirmed:
            raise Conflict(f"{confirmed} people are already confirmed; the capacity cannot go below {confirmed}.")
        webinar.capacity = capacity

    if time_changed:
        webinar.sequence += 1
    webinar.updated_at = now
    db.session.flush()
    _fill_seats(webinar, now)
    if time_changed and webinar.status == Webinar.PUBLISHED:
        for reg in db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status.in_(Reg.ACTIVE))):
            _notify(
                reg,
                webinar,
                "webinar_rescheduled",
                f"New time: {webinar.title}",
                f"webinar:{webinar.id}:reg:{reg.id}:rescheduled:{webinar.sequence}:{_stamp(webinar.starts_at)}",
                old_when_local=format_local(old_start, reg.user.timezone),
            )
    elif (
        old_join_url is not None
        and webinar.join_url
        and webinar.status == Webinar.PUBLISHED
        and not webinar.is_past(now)
    ):
        # A new join link (and no new time, whose e-mail carries it anyway): confirmed people need it.
        for reg in db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status == Reg.CONFIRMED)):
            _notify(
                reg,
                webinar,
                "webinar_join_link",
                f"New join link: {webinar.title}",
                f"webinar:{webinar.id}:reg:{reg.id}:join_link:{_stamp(now)}",
            )
    db.session.commit()
    return webinar


@_atomic
def cancel_webinar(actor, webinar_id: int, reason: str) -> Webinar:
    policy.require(actor, "webinar.cancel")
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid.field("reason", "Say why the webinar is cancelled; registrants will read it.")
    reason = multi_line(reason, "reason", MAX_REASON, required=True)
    webinar = _lock_webinar(webinar_id)
    if webinar is None:
        raise NotFound("No webinar with this id.")
    now = utcnow()
    if webinar.status == Webinar.CANCELLED:
        raise Conflict("This webinar is already cancelled.")
    if webinar.is_past(now):
        raise Conflict("This webinar has already taken place and cannot be cancelled.")
    was_draft = webinar.status == Webinar.DRAFT
    webinar.status = Webinar.CANCELLED
    webinar.cancel_reason = reason
    webinar.cancelled_at = now
    webinar.sequence += 1
    webinar.updated_at = now
    db.session.flush()
    if not was_draft:
        for reg in db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status.in_(Reg.ACTIVE))):
            _notify(
                reg,
                webinar,
                "webinar_cancelled",
                f"Cancelled: {webinar.title}",
                f"webinar:{webinar.id}:reg:{reg.id}:cancelled",
                reason=reason,
            )
    db.session.commit()
    return webinar


# ---------------------------------------------------------------- registration


def _why_closed(webinar: Webinar, now: datetime) -> str | None:
    if webinar.status == Webinar.CANCELLED:
        return "This webinar has been cancelled, so registration is closed."
    if webinar.status == Webinar.DRAFT:
        return "This webinar is not published yet, so registration is not open."
    if webinar.is_past(now):
        return "This webinar has already taken place."
    if webinar.has_started(now):
        return "This webinar has already started, so registration is closed."
    if now >= webinar.closes_at:
        return f"Registration closed on {format_local(webinar.closes_at, webinar.timezone)}."
    return None


@_atomic
def register(actor, webinar_id: int) -> Reg:
    """Register the actor: confirmed while seats are left, otherwise waitlisted."""
    policy.require(actor, "webinar.register")
    _visible(actor, _load(webinar_id))
    try:
        webinar = _lock_webinar(webinar_id)
        now = utcnow()
        reason = _why_closed(webinar, now)
        if reason:
            raise Conflict(reason)
        existing = _active_registration(webinar.id, actor.id)
        if existing is not None:
            raise Conflict(_already_message(existing))
        confirmed, _ = _counts(webinar.id)
        reg = Reg(webinar_id=webinar.id, user_id=actor.id, created_at=now, attended=False)
        if confirmed < webinar.capacity:
            reg.status, reg.confirmed_at = Reg.CONFIRMED, now
        else:
            last = (
                db.session.scalar(
                    select(func.max(Reg.waitlist_position)).where(
                        Reg.webinar_id == webinar.id, Reg.status == Reg.WAITLISTED
                    )
                )
                or 0
            )
            reg.status, reg.waitlist_position = Reg.WAITLISTED, last + 1
        db.session.add(reg)
        db.session.flush()
        reg.user = db.session.get(User, actor.id)
        _notify_registered(reg, webinar)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if is_unique_violation(exc):
            raise Conflict("You are already registered for this webinar.") from exc
        raise
    return reg


def _already_message(reg: Reg) -> str:
    if reg.status == Reg.WAITLISTED:
        return f"You are already on the waitlist for this webinar (position {reg.waitlist_position})."
    return "You are already registered for this webinar."


def _cancel_registration(reg: Reg, webinar: Webinar, now: datetime, notify: bool = True) -> None:
    was_confirmed = reg.status == Reg.CONFIRMED
    reg.status = Reg.CANCELLED
    reg.waitlist_position = None
    reg.cancelled_at = now
    db.session.flush()
    if notify:
        _notify(
            reg,
            webinar,
            "webinar_registration_cancelled",
            f"Registration cancelled: {webinar.title}",
            f"webinar:{webinar.id}:reg:{reg.id}:registration_cancelled",
        )
    if was_confirmed:
        _fill_seats(webinar, now)
    else:
        _renumber_waitlist(webinar.id)


@_atomic
def cancel_registration(actor, webinar_id: int) -> None:
    """Cancel my own registration; the first waitlisted person gets the seat at once."""
    policy.require(actor, "webinar.unregister")
    _visible(actor, _load(webinar_id))
    webinar = _lock_webinar(webinar_id)
    reg = _active_registration(webinar.id, actor.id)
    if reg is None:
        raise NotFound("You are not registered for this webinar.")
    now = utcnow()
    if webinar.has_started(now) and webinar.status != Webinar.CANCELLED:
        raise Conflict("This webinar has already started; the registration can no longer be cancelled.")
    _cancel_registration(reg, webinar, now)
    db.session.commit()


# ---------------------------------------------------------------- registrations list, attendance, CSV


def registrations_query(actor, webinar_id: int, status: str | None = None):
    policy.require(actor, "webinar.registrations")
    webinar = _load(webinar_id)
    if webinar is None:
        raise NotFound("No webinar with this id.")
    stmt = (
        select(Reg)
        .where(Reg.webinar_id == webinar_id)
        .order_by(
            Reg.status != Reg.CONFIRMED, Reg.status != Reg.WAITLISTED, Reg.waitlist_position, Reg.created_at, Reg.id
        )
    )
    if status:
        if status not in (Reg.CONFIRMED, Reg.WAITLISTED, Reg.CANCELLED):
            raise Invalid.field("status", "Status must be confirmed, waitlisted or cancelled.")
        stmt = stmt.where(Reg.status == status)
    return stmt


def present_admin_registration(reg: Reg) -> dict:
    user = reg.user
    return {
        **_present_registration(reg),
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


def registrations_csv(actor, webinar_id: int, status: str | None = None) -> tuple[str, str]:
    """(filename, CSV text) of every registration with attendance."""
    regs = db.session.scalars(registrations_query(actor, webinar_id, status)).all()
    webinar = _load(webinar_id)
    rows = [CSV_COLUMNS]

    def ts(value):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""

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
                ts(reg.created_at),
                ts(reg.confirmed_at),
                ts(reg.cancelled_at),
                "yes" if reg.attended else "no",
            ]
        )
    return f"webinar-{webinar.id}-registrations.csv", csv_text(rows)


@_atomic
def record_attendance(actor, webinar_id: int, user_ids: list[int], replace: bool = False) -> dict:
    """Mark who attended. With `replace`, everyone else registered is marked absent
    (the checkbox page); otherwise the given people are added."""
    policy.require(actor, "webinar.attendance")
    webinar = _lock_webinar(webinar_id)
    if webinar is None:
        raise NotFound("No webinar with this id.")
    now = utcnow()
    if webinar.status == Webinar.CANCELLED:
        raise Conflict("This webinar was cancelled; there is no attendance to record.")
    if not webinar.has_started(now):
        raise Conflict("Attendance can be recorded once the webinar has started.")
    wanted = set(user_ids or [])
    regs = list(db.session.scalars(select(Reg).where(Reg.webinar_id == webinar.id, Reg.status.in_(Reg.ACTIVE))))
    by_user = {reg.user_id: reg for reg in regs}
    unknown = sorted(wanted - set(by_user))
    if unknown:
        raise Invalid.field("user_ids", "Not registered for this webinar: user " + ", ".join(map(str, unknown)) + ".")
    for reg in regs:
        attended = reg.user_id in wanted or (reg.attended and not replace)
        if attended != reg.attended:
            reg.attended = attended
            reg.attended_marked_at = now
    db.session.commit()
    attended_ids = sorted(reg.user_id for reg in regs if reg.attended)
    return {"webinar_id": webinar.id, "attended_user_ids": attended_ids, "attended_count": len(attended_ids)}


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
        select(Reg, Webinar, _confirmed_count_col(), _waitlist_count_col())
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


# ---------------------------------------------------------------- calendar


def webinar_calendar(actor, webinar_id: int) -> tuple[list[CalendarEvent], str]:
    """The .ics for one webinar: for registrants (confirmed or waitlisted) and admins.
    The join link is in it only for confirmed registrants and admins."""
    policy.require(actor, "webinar.calendar")
    webinar = get_webinar(actor, webinar_id)
    mine = _active_registration(webinar.id, actor.id)
    if mine is None and not policy.allows(actor, "webinar.join_url_always"):
        raise Forbidden("Register for this webinar first to add it to your calendar.")
    event = calendar_event(
        webinar, may_see_join_url(actor, webinar, mine), waitlisted=mine is not None and mine.status == Reg.WAITLISTED
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
        calendar_event(webinar, may_see_join_url(user, webinar, reg), waitlisted=reg.status == Reg.WAITLISTED)
        for reg, webinar in rows
    ]


# ---------------------------------------------------------------- reminders (scheduler job)


@_atomic
def send_webinar_reminders(now: datetime | None = None) -> dict:
    """Queue the reminders due now: 24 hours and 1 hour before the start, to confirmed
    registrants of published webinars that have not started. Idempotent: the dedupe key
    holds the webinar, the person, the kind and the webinar's sequence and start, so a
    second run (or a second process) sends nothing, and a rescheduled webinar gets fresh
    reminders. Reminders missed while the scheduler was down go out late as long as the
    webinar has not started; the 24-hour one is skipped once the 1-hour window is reached."""
    now = now or utcnow()
    horizon = now + max(offset for _, offset in REMINDERS)
    due_webinars = select(Webinar.id).where(
        Webinar.status == Webinar.PUBLISHED, Webinar.starts_at > now, Webinar.starts_at <= horizon
    )
    # Lock the webinars being reminded about: a second process waits here, then sees the
    # first one's outbox rows and skips them (the unique dedupe key is the last guard).
    webinar_ids = db.session.scalars(due_webinars.order_by(Webinar.id).with_for_update()).all()
    counts = {"queued": 0, "already_sent": 0}
    if not webinar_ids:
        db.session.commit()
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
        key = f"webinar-reminder:{webinar.id}:{reg.user_id}:{kind}:{webinar.sequence}:{_stamp(webinar.starts_at)}"
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
        _notify(
            reg,
            webinar,
            "webinar_reminder",
            f"Reminder: {webinar.title} starts {label}",
            key,
            reminder_kind=kind,
            reminder_label=label,
        )
        counts["queued"] += 1
    db.session.commit()
    return counts


def _reminder_label(kind: str, left: timedelta) -> str:
    """'tomorrow' / 'in one hour' on time; the real time left when sent late."""
    minutes = int(left.total_seconds() // 60)
    if kind == "24h":
        return "tomorrow" if minutes >= 20 * 60 else f"in {minutes // 60} hours"
    return "in one hour" if minutes >= 50 else f"in {max(minutes, 1)} minutes"


def _reminder_kind(webinar: Webinar, now: datetime) -> str | None:
    """The latest reminder whose time has come, or None before the first is due."""
    left = webinar.starts_at - now
    if left <= timedelta(0):
        return None
    for kind, offset in sorted(REMINDERS, key=lambda r: r[1]):
        if left <= offset:
            return kind
    return None


# ---------------------------------------------------------------- cross-domain figures


def attendances_by_city(city_ids: list[int]) -> dict[int, int]:
    """{city_id: attended registrations by users of that city} in one query."""
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(User.city_id, func.count(Reg.id))
        .join(Reg, Reg.user_id == User.id)
        .where(User.city_id.in_(city_ids), Reg.attended.is_(True))
        .group_by(User.city_id)
    ).all()
    found = {key: value for key, value in rows}
    return {city_id: found.get(city_id, 0) for city_id in city_ids}


def webinars_for_milestones(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]:
    """Published webinars related to each milestone key (one query)."""
    wanted = set(keys or [])
    result: dict[str, list[dict]] = {key: [] for key in wanted}
    if not wanted:
        return result
    since = utcnow() - timedelta(days=365)
    for webinar in db.session.scalars(
        select(Webinar).where(Webinar.status == Webinar.PUBLISHED, Webinar.ends_at >= since).order_by(Webinar.starts_at)
    ):
        for key in webinar.milestone_keys or []:
            if key in wanted:
                result[key].append(
                    {
                        "title": webinar.title,
                        "url": f"/webinars/{webinar.id}",
                        "detail": format_local(webinar.starts_at, webinar.timezone),
                    }
                )
    return result


def milestone_choices() -> list[tuple[str, str]]:
    return [(key, m.title) for key, m in BY_KEY.items()]


# ---------------------------------------------------------------- personal data


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


def erase_registrations(user) -> None:
    """Free the seats of upcoming webinars (the waitlist moves up); past registrations
    stay as anonymous attendance figures of the (anonymised) account."""
    now = utcnow()
    ids = db.session.scalars(
        select(Reg.webinar_id)
        .join(Webinar, Reg.webinar_id == Webinar.id)
        .where(Reg.user_id == user.id, Reg.status.in_(Reg.ACTIVE), Webinar.ends_at > now)
    ).all()
    for webinar_id in sorted(set(ids)):
        webinar = _lock_webinar(webinar_id)
        reg = _active_registration(webinar_id, user.id)
        if reg is not None:
            _cancel_registration(reg, webinar, now, notify=False)


# ---------------------------------------------------------------- demo data

DEMO_WEBINARS = (
    (
        "Drafting a local action plan: lessons from Barcelona and Bologna",
        14,
        90,
        40,
        "Europe/Madrid",
        "Two cities share how they drafted their plans.\n\n- the participatory process\n- indicators that work",
        ["draft_plan", "stakeholder_consultation"],
    ),
    (
        "Measuring discrimination: data and indicators for cities",
        30,
        60,
        30,
        "Europe/Vienna",
        "How to build a **baseline assessment** with local data.",
        ["baseline_assessment"],
    ),
    (
        "Supporting victims of racism: city services that work",
        -21,
        60,
        50,
        "Europe/Berlin",
        "A look at counselling and reporting services in member cities.",
        [],
    ),
)


def seed_demo() -> None:
    """Two upcoming published webinars and one past one, by title (idempotent)."""
    existing = set(db.session.scalars(select(Webinar.title)))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    admin = db.session.scalar(select(User).where(User.role == ADMIN).order_by(User.id))
    learner = db.session.scalar(select(User).where(User.email == "learner@demo.action-lms.eu"))
    for title, days, minutes, capacity, tz, description, milestones in DEMO_WEBINARS:
        if title in existing:
            continue
        local = (now + timedelta(days=days)).astimezone(zone(tz)).replace(hour=10, minute=0)
        starts_at = local.astimezone(UTC)
        webinar = Webinar(
            title=title,
            description=description,
            description_html=render_markdown(description),
            timezone=tz,
            capacity=capacity,
            join_url="https://meet.example.org/action-" + str(abs(days)),
            recording_url="https://video.example.org/action-recording" if days < 0 else None,
            status=Webinar.PUBLISHED,
            course_module_keys=[],
            milestone_keys=milestones,
            sequence=0,
            created_by_id=admin.id if admin else None,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        webinar.set_time(starts_at, minutes)
        db.session.add(webinar)
        if days < 0 and learner is not None:  # the demo learner attended the past one
            db.session.flush()
            db.session.add(
                Reg(
                    webinar_id=webinar.id,
                    user_id=learner.id,
                    status=Reg.CONFIRMED,
                    attended=True,
                    attended_marked_at=webinar.ends_at,
                    created_at=starts_at - timedelta(days=7),
                    confirmed_at=starts_at - timedelta(days=7),
                )
            )
    db.session.commit()
