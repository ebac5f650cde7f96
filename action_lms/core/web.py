"""Template helpers: times in the viewer's zone, navigation by role."""

from __future__ import annotations

from flask import current_app, send_from_directory, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from .hooks import contributions
from .time import format_local, to_zone


def viewer_timezone() -> str:
    return getattr(current_user, "timezone", None) or "Europe/Brussels"


def local_time(value, tz_name=None, fmt="%a %d %b %Y, %H:%M"):
    """{{ dt|local_time }}: in the viewer's zone with its abbreviation."""
    return format_local(value, tz_name or viewer_timezone(), fmt)


def nav_links():
    links: list[tuple[str, str, str]] = []
    role = getattr(current_user, "role", None)
    if not current_user.is_authenticated:
        return links
    for item in contributions().nav_items:
        if item.roles is not None and role not in item.roles:
            continue
        try:
            links.append((item.label, url_for(item.endpoint), item.endpoint))
        except BuildError:
            continue
    return links


FAVICON_MAX_AGE = 7 * 24 * 3600  # a week: browsers ask for it on every first visit


def favicon():
    """`/favicon.ico`, which browsers request whatever the page links: the committed icon, no redirect."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=FAVICON_MAX_AGE,
    )


def init_app(app) -> None:
    app.add_url_rule("/favicon.ico", "favicon", favicon, methods=["GET"])
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(lambda v, tz: to_zone(v, tz), "in_zone")
    app.jinja_env.globals.update(nav_links=nav_links, viewer_timezone=viewer_timezone)
