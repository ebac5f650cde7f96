"""Small helpers for the formats' feedback figures (`core.hooks.FeedbackFormat`): a year as a
UTC range, and the shape `{"total": {...}, "by_city": {city_id: {...}}}` built from grouped rows."""

from __future__ import annotations

from datetime import datetime

from .time import UTC


def year_range(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def figures(events_by_city: dict, requests_by_city: dict, events_total: int | None = None) -> dict:
    """Combine per-city counts of events and of requests made; `events_total` when events are
    not per city (a webinar is one event however many cities attend)."""
    by_city: dict = {}
    for key, counts in (("events", events_by_city), ("requests_made", requests_by_city)):
        for city_id, n in counts.items():
            if city_id is not None:
                by_city.setdefault(city_id, {"events": 0, "requests_made": 0})[key] = int(n)
    total_events = events_total if events_total is not None else sum(int(n) for n in events_by_city.values())
    return {
        "total": {"events": int(total_events), "requests_made": sum(int(n) for n in requests_by_city.values())},
        "by_city": by_city,
    }
