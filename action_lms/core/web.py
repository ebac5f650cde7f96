"""Template helpers: times in the viewer's zone, navigation by role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, send_from_directory, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from .hooks import NAV_GROUPS, contributions, nav_group_label
from .policy import role_label, role_title
from .time import format_local, to_zone


def viewer_timezone() -> str:
    return getattr(current_user, "timezone", None) or "Europe/Brussels"


def local_time(value, tz_name=None, fmt="%a %d %b %Y, %H:%M"):
    """{{ dt|local_time }}: in the viewer's zone with its abbreviation."""
    return format_local(value, tz_name or viewer_timezone(), fmt)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    endpoint: str


@dataclass(frozen=True)
class NavGroup:
    """A group of the main navigation with this viewer's links; one link shows as a plain link.
    `key` is one of NAV_GROUPS; `label` is what the header shows, in the viewer's language."""

    key: str
    links: tuple[NavLink, ...]

    @property
    def label(self) -> str:
        return nav_group_label(self.key)

    def is_current(self, endpoint: str | None) -> bool:
        return any(link.endpoint == endpoint for link in self.links)


def nav_groups() -> list[NavGroup]:
    """The main navigation for the signed-in viewer: the groups of NAV_GROUPS in their fixed
    order, each with the links of this role (by `order`), empty groups left out."""
    if not current_user.is_authenticated:
        return []
    role = getattr(current_user, "role", None)
    by_group: dict[str, list[NavLink]] = {group: [] for group in NAV_GROUPS}
    for item in contributions().nav_items:
        if item.roles is not None and role not in item.roles:
            continue
        try:
            href = url_for(item.endpoint)
        except BuildError:
            continue
        by_group.setdefault(item.group, []).append(NavLink(str(item.label), href, item.endpoint))
    return [NavGroup(group, tuple(links)) for group, links in by_group.items() if links]


def nav_links() -> list[tuple[str, str, str]]:
    """Every link of the viewer's navigation as (label, href, endpoint), in menu order (the home page's list)."""
    return [(link.label, link.href, link.endpoint) for group in nav_groups() for link in group.links]


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
    app.jinja_env.globals.update(
        nav_links=nav_links,
        nav_groups=nav_groups,
        viewer_timezone=viewer_timezone,
        role_label=role_label,
        role_title=role_title,
    )
