"""Time helpers: UTC inside, the user's or city's IANA zone at the edges."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC = UTC


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (never use datetime.utcnow())."""
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def all_timezones() -> tuple[str, ...]:
    zones = {
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    }
    zones.add("UTC")
    return tuple(sorted(zones))


def is_valid_timezone(name: str | None) -> bool:
    if not name or name not in set(all_timezones()):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1024)
def zone(name: str | None) -> ZoneInfo:
    """The zone, kept once loaded. ZoneInfo's own cache holds only the last eight zones
    strongly: a page with cities in fifteen zones read the zone files again for every row
    (bench/: a tenth of the cross-city overview's time). There are fewer than 600 IANA names."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def ensure_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; refuse naive ones loudly."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("naive datetime given where an aware one is required")
    return value.astimezone(UTC)


def to_zone(value: datetime | None, tz_name: str | None) -> datetime | None:
    """The time in a zone. A stored time at the very edge of the calendar (31 Dec 9999, from
    before the date rules) is already year 10000 east of UTC: it stays in UTC rather than
    breaking the page that shows it."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(zone(tz_name))
    except (OverflowError, ValueError):
        return value.astimezone(UTC)


def format_local(value: datetime | None, tz_name: str | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """A datetime shown in a zone, with the zone's abbreviation, in the current language:
    'Mon 01 Mar 2027, 10:00 CET', 'Mo., 1. März 2027, 10:00 MEZ' (see core.i18n)."""
    from .i18n import format_in_zone

    return format_in_zone(value, tz_name, fmt)


def isoformat_z(value: datetime | None) -> str | None:
    if value is None:
        return None
    return ensure_utc(value if value.tzinfo else value.replace(tzinfo=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
