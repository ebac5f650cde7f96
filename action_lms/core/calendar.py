"""Calendar files (RFC 5545) with the icalendar package.

Domains describe events as `CalendarEvent`s; `build_calendar()` turns them into an
.ics document with UTC times. The personal subscription feed collects events from every
source the domains contributed (`contributions(app).add_calendar_source(fn)`,
`fn(user) -> list[CalendarEvent]`).

Every text that goes into the file is cleaned here, whatever the domains pass: stored text
from before the input rules may hold CR/LF, NUL or other control characters, which
icalendar refuses (an exception, hence a 500) or which would break the content lines.
One-line properties (summary, location, uid, calendar name) are folded onto one line; the
description keeps its line breaks (icalendar escapes them) and loses the other controls.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import Response

from .csvfile import attachment_headers
from .time import UTC, utcnow
from .validators import fold_single_line

PRODID = "-//ECCAR ACTION//ACTION LMS//EN"


@dataclass
class CalendarEvent:
    uid: str  # stable across edits, e.g. "webinar-12@action-lms"
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    summary: str
    description: str = ""
    url: str | None = None
    location: str | None = None
    sequence: int = 0  # increases on every reschedule
    cancelled: bool = False
    last_modified: datetime | None = None


def events_for(user) -> list[CalendarEvent]:
    from .hooks import contributions

    events: list[CalendarEvent] = []
    for fn in contributions().calendar_sources:
        events.extend(fn(user))
    return sorted(events, key=lambda e: e.starts_at)


_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# Characters kept in a URI as they are; anything else (spaces, controls) is percent-encoded.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def calendar_text(value: str | None) -> str:
    """Multi-line text for a calendar (DESCRIPTION): line breaks normalised to LF (icalendar
    escapes them), every other control character and lone surrogate dropped (tab kept)."""
    if not value:
        return ""
    value = _LINE_BREAKS.sub("\n", value)
    return "".join(
        ch for ch in value if ch in "\n\t" or not (unicodedata.category(ch) == "Cc" or 0xD800 <= ord(ch) <= 0xDFFF)
    )


def calendar_uri(value: str | None) -> str | None:
    """A URI property: one line, without spaces or controls (percent-encoded), or None."""
    folded = fold_single_line(value)
    return quote(folded, safe=_URI_SAFE) if folded else None


def _event(item: CalendarEvent, now: datetime):
    from icalendar import Event  # imported when a file is built, not at start-up (75 ms)

    event = Event()
    event.add("uid", fold_single_line(item.uid) or "event@action-lms")
    event.add("dtstamp", now)
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", item.ends_at.astimezone(UTC))
    event.add("summary", fold_single_line(item.summary))
    description = calendar_text(item.description)
    if description:
        event.add("description", description)
    url = calendar_uri(item.url)
    if url:
        event.add("url", url)
    location = fold_single_line(item.location)
    if location:
        event.add("location", location)
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.last_modified:
        event.add("last-modified", item.last_modified.astimezone(UTC))
    return event


def build_calendar(events: list[CalendarEvent], name: str = "ACTION LMS") -> bytes:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", fold_single_line(name) or "ACTION LMS")
    now = utcnow()
    for item in events:
        cal.add_component(_event(item, now))
    return cal.to_ical()


def calendar_response(events: list[CalendarEvent], filename: str, name: str = "ACTION LMS") -> Response:
    return Response(build_calendar(events, name), mimetype="text/calendar", headers=attachment_headers(filename))
