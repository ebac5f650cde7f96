"""What every webinar use case shares: the role table, the limits, and the object-level
permissions (`can_*`) that pages and services both ask."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from flask import current_app

from ...core.policy import ADMIN, ANY_USER, Policy
from ...core.time import utcnow
from ..models import Webinar, WebinarRegistration

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
        "webinar.calendar": ANY_USER,  # object level: registrants and admins (can_download_calendar)
        "webinar.join_url_always": {ADMIN},  # others only when confirmed (can_see_join_url)
        "webinar.my": ANY_USER,
    },
)

REMINDERS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
FEED_HISTORY = timedelta(days=180)
PAGE_SIZE = 20  # webinars per HTML page
MAX_PAGE = 100_000  # beyond any real list; keeps the offset bindable on every engine
# Registration closes this many minutes before the start unless the office sets another deadline
# (environment variable or app config of the same name; 0 = at the start).
CLOSES_BEFORE_SETTING = "WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE"
DEFAULT_CLOSES_MINUTES_BEFORE = 60
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


def registration_closes_minutes_before() -> int:
    """The setting `WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE` (app config, else environment,
    else 60); a value that is not a whole number of minutes from 0 stops the request loudly."""
    value = current_app.config.get(CLOSES_BEFORE_SETTING)
    if value in (None, ""):
        value = os.environ.get(CLOSES_BEFORE_SETTING) or DEFAULT_CLOSES_MINUTES_BEFORE
    minutes = int(value)
    if minutes < 0:
        raise ValueError(f"{CLOSES_BEFORE_SETTING} must be 0 or more minutes, not {minutes}.")
    return minutes


def default_closes_at(starts_at: datetime, now: datetime) -> datetime:
    """The registration deadline when the office sets none: the setting's minutes before the
    start; at the start itself when that moment has already passed (a webinar scheduled at
    short notice stays open for registration until it begins)."""
    closes = starts_at - timedelta(minutes=registration_closes_minutes_before())
    return closes if closes > now else starts_at


# ---------------------------------------------------------------- object-level permissions


def can_create_webinar(user) -> bool:
    return policy.allows(user, "webinar.create")


def can_edit_webinar(user, webinar: Webinar) -> bool:
    """Administrators edit a webinar until it is cancelled (update_webinar refuses after)."""
    return policy.allows(user, "webinar.update") and webinar.status != Webinar.CANCELLED


def can_cancel_webinar(user, webinar: Webinar, now: datetime | None = None) -> bool:
    """Administrators cancel a webinar that is neither cancelled nor over (cancel_webinar's rule)."""
    return (
        policy.allows(user, "webinar.cancel")
        and webinar.status != Webinar.CANCELLED
        and not webinar.is_past(now or utcnow())
    )


def can_see_registrations(user) -> bool:
    return policy.allows(user, "webinar.registrations")


def can_see_join_url(user, webinar: Webinar, my_registration: Reg | None) -> bool:
    """Administrators always; others once confirmed, until the webinar is cancelled."""
    if policy.allows(user, "webinar.join_url_always"):
        return True
    return (
        my_registration is not None and my_registration.status == Reg.CONFIRMED and webinar.status != Webinar.CANCELLED
    )


may_see_join_url = can_see_join_url  # the name callers used before the split


def can_download_calendar(user, my_registration: object | None) -> bool:
    """The webinar's .ics: for registrants (confirmed or waitlisted) and administrators."""
    return my_registration is not None or policy.allows(user, "webinar.join_url_always")


def webinar_permissions(user, webinar: Webinar, my_registration: object | None) -> dict[str, bool]:
    """The flags a webinar page shows its buttons by (the same rules the services apply)."""
    return {
        "edit": can_edit_webinar(user, webinar),
        "cancel": can_cancel_webinar(user, webinar),
        "registrations": can_see_registrations(user),
        "calendar": can_download_calendar(user, my_registration),
    }
