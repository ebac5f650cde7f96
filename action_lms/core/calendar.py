"""Calendar files (RFC 5545) with the icalendar package.

Domains describe events as `CalendarEvent`s; `build_calendar()` turns them into an
.ics document with UTC times. The personal subscription feed collects events from every
registered source (`register_source(fn)`, `fn(user) -> list[CalendarEvent]`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Response
from icalendar import Calendar, Event

from .time import UTC, utcnow

PRODID = "-//ECCAR ACTION//ACTION LMS//EN"


@dataclass
class CalendarEvent:
    uid: str                      # stable across edits, e.g. "webinar-12@action-lms"
    starts_at: datetime           # aware
    ends_at: datetime             # aware
    summary: str
    description: str = ""
    url: str | None = None
    location: str | None = None
    sequence: int = 0             # increases on every reschedule
    cancelled: bool = False
    last_modified: datetime | None = None


_sources: list[Callable] = []


def register_source(fn: Callable) -> None:
    """Add a source of events for the personal feed: fn(user) -> list[CalendarEvent]."""
    if fn not in _sources:
        _sources.append(fn)


def events_for(user) -> list[CalendarEvent]:
    events: list[CalendarEvent] = []
    for fn in _sources:
        events.extend(fn(user))
    return sorted(events, key=lambda e: e.starts_at)


def build_calendar(events: list[CalendarEvent], name: str = "ACTION LMS") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    now = utcnow()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.location:
            event.add("location", item.location)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.last_modified:
            event.add("last-modified", item.last_modified.astimezone(UTC))
        cal.add_component(event)
    return cal.to_ical()


def calendar_response(events: list[CalendarEvent], filename: str, name: str = "ACTION LMS") -> Response:
    return Response(build_calendar(events, name), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})
