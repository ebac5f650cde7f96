"""Template helpers: times in the viewer's zone, navigation by role."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from .time import format_local, to_zone

# (label, endpoint, roles or None for everyone signed in). Domains append theirs.
NAV_ITEMS: list[tuple[str, str, frozenset[str] | None]] = []


def add_nav_item(label: str, endpoint: str, roles=None) -> None:
    if all(e != endpoint for _, e, _ in NAV_ITEMS):
        NAV_ITEMS.append((label, endpoint, frozenset(roles) if roles else None))


def viewer_timezone() -> str:
    return getattr(current_user, "timezone", None) or "Europe/Brussels"


def local_time(value, tz_name=None, fmt="%a %d %b %Y, %H:%M"):
    """{{ dt|local_time }}: in the viewer's zone with its abbreviation."""
    return format_local(value, tz_name or viewer_timezone(), fmt)


def nav_links():
    links = []
    role = getattr(current_user, "role", None)
    for label, endpoint, roles in NAV_ITEMS:
        if not current_user.is_authenticated:
            continue
        if roles is not None and role not in roles:
            continue
        try:
            links.append((label, url_for(endpoint), endpoint))
        except BuildError:
            continue
    return links


def init_app(app) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(lambda v, tz: to_zone(v, tz), "in_zone")
    app.jinja_env.globals.update(nav_links=nav_links, viewer_timezone=viewer_timezone)
    add_nav_item("Cities", "accounts.admin_cities", {"admin"})
    add_nav_item("Users", "accounts.admin_users", {"admin"})
    add_nav_item("People asking to join", "accounts.join_requests", {"coordinator", "admin"})
