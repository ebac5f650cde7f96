"""The signed-in home page, put together from what each domain contributes
(`core.hooks`: `add_home_todo`, `add_home_panel`, `add_home_figure`): what waits for the
person at the top, then the panels of their role in that role's order, and for the office
the month's figures. A panel that fails is logged and left out with a notice: one broken
part never takes the page down."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..extensions import db
from .hooks import HomeContent, HomeItem, HomeNumber, contributions
from .i18n import _, format_pattern
from .policy import ADMIN
from .time import to_zone, utcnow, zone

log = logging.getLogger(__name__)


def shorten(text: str | None, limit: int) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass
class Home:
    todos: list[HomeItem] = field(default_factory=list)
    panels: list[HomeContent] = field(default_factory=list)
    failed: int = 0  # panels that could not be shown


def _call(what: str, fn, *args):
    """`fn(*args)`, or None after logging when it fails (the transaction is rolled back, so
    the next panel starts clean on PostgreSQL too)."""
    try:
        return fn(*args), False
    except Exception:  # one failing panel must not break the whole page
        log.exception("home page: %s failed", what)
        db.session.rollback()
        return None, True


def month_bounds(now: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """The first instant of this month and of the next one in the zone `tz_name`, as UTC."""
    local = to_zone(now, tz_name)
    assert local is not None
    tz = zone(tz_name)
    start = datetime(local.year, local.month, 1, tzinfo=tz)
    end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_panel(user, now: datetime) -> HomeContent | None:
    """The office's figures of this calendar month (in the viewer's zone), each linking to its page."""
    if user.role != ADMIN:
        return None
    start, end = month_bounds(now, user.timezone)
    figures = sorted(contributions().home_figures.values(), key=lambda f: f.order)
    numbers = tuple(
        HomeNumber(str(label), str(value), url=url) for figure in figures for label, value, url in figure.fn(start, end)
    )
    local = to_zone(now, user.timezone)
    assert local is not None
    return HomeContent(title=_("This month (%(month)s)", month=format_pattern(local, "%B %Y")), figures=numbers)


def home_page(user, now: datetime | None = None) -> Home:
    """What the home page shows this signed-in person."""
    now = now or utcnow()
    hooks = contributions()
    home = Home()
    for fn in hooks.home_todos:
        items, failed = _call(getattr(fn, "__qualname__", "a to-do"), fn, user, now)
        home.todos.extend(items or [])
        home.failed += failed
    panels = sorted(
        (p for p in hooks.home_panels.values() if user.role in p.orders), key=lambda p: (p.orders[user.role], p.key)
    )
    for panel in panels:
        content, failed = _call(f"panel {panel.key}", panel.fn, user, now)
        home.failed += failed
        if content is not None:
            home.panels.append(content)
    return home
