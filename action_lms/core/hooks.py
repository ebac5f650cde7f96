"""How domains contribute to the app and talk to each other, in one place.

Two mechanisms, each for what it suits:

- **Contributions** (`contributions(app)`): what a domain adds to the whole app when it is
  wired in `create_app` — navigation links, scheduler jobs, demo seeders, calendar events
  of the personal feed, figures of the cross-city overview, resources and actions shown under plan
  milestones, sections of the personal-data export, who else may see a city's plans, and
  the formats whose events ask for feedback (`add_feedback_format`), and what the signed-in
  home page shows each role (`add_home_panel`, `add_home_todo`, `add_home_figure`).
  They live on the app (`app.extensions`), so two apps (tests, the scheduler) never share
  or leak them, and each list keeps an explicit order.
- **Signals** (blinker, `SIGNALS`): announcements of something that happened, to which
  other domains react — `user_erased` (every domain removes or anonymises its rows; the
  accounts domain anonymises the account itself afterwards, so that order is explicit in
  its code, not in a name), and the new domains' events.

No domain edits another's lists: each calls `contributions(app).add_*` in its own
`init_app`, or connects to a signal there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from blinker import Namespace
from flask import Flask, current_app

from .i18n import _l

SIGNALS = Namespace()

#: Sent by accounts when a person erases their account, before the account row itself is
#: anonymised: `user_erased.send(app, user=user)`. Receivers delete or anonymise their rows
#: in the caller's transaction.
user_erased = SIGNALS.signal("user-erased")

#: Sent by exchanges when the office writes (or rewrites) an exchange's report:
#: `exchange_reported.send(app, exchange=exchange)`, inside the writer's transaction.
exchange_reported = SIGNALS.signal("exchange-reported")

EXTENSION_KEY = "action_lms.contributions"


#: The groups of the main navigation, in the order the header shows them.
NAV_GROUPS: tuple[str, ...] = ("Learn", "Events", "Consulting", "Exchanges", "My city", "Office")

#: What the header shows for each group (NAV_GROUPS are keys: they stay English).
NAV_GROUP_LABELS = {
    "Learn": _l("Learn"),
    "Events": _l("Events"),
    "Consulting": _l("Consulting"),
    "Exchanges": _l("Exchanges"),
    "My city": _l("My city"),
    "Office": _l("Office"),
}


def nav_group_label(group: str) -> str:
    """A group of the navigation in the reader's language."""
    label = NAV_GROUP_LABELS.get(group)
    return str(label) if label is not None else group


#: The group of a domain's links when `add_nav_item` names none (by the endpoint's blueprint).
NAV_GROUP_BY_DOMAIN: dict[str, str] = {
    "courses": "Learn",
    "webinars": "Events",
    "feedback": "Events",
    "consulting": "Consulting",
    "practices": "Exchanges",
    "exchanges": "Exchanges",
    "plans": "My city",
    "accounts": "Office",
}


def default_nav_group(endpoint: str) -> str:
    """The group of a link whose domain registered it without one: by its blueprint, else "Office"."""
    return NAV_GROUP_BY_DOMAIN.get(endpoint.partition(".")[0], "Office")


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str] | None  # None: everyone signed in
    order: int
    group: str = "Office"  # one of NAV_GROUPS


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[..., Any]  # called as func(now=<aware UTC datetime>)
    seconds: int


@dataclass(frozen=True)
class CityStat:
    """`fn(city_ids) -> {city_id: value}`, answered for all cities in ONE query (the
    overview loads in a constant number of queries however many cities there are).

    A counted figure (`live=False`, the default) is read from the overview's snapshot
    (`core.snapshots`), so `fn` must return JSON values (numbers); a figure that changes
    with the clock rather than with the data (the next session) is `live` and asked on
    every view."""

    key: str
    label: str
    fn: Callable[[list[int]], dict]
    live: bool = False


@dataclass(frozen=True)
class SnapshotSource:
    """Figures kept by `core.snapshots`: `compute(**params) -> JSON-safe dict`, and the
    scopes each refresh counts even when nobody asked for them, `defaults(now) -> [params]`."""

    name: str
    compute: Callable[..., dict]
    defaults: Callable[[datetime], list[dict]]


@dataclass(frozen=True)
class MilestoneResource:
    """`fn(city_id, keys) -> {milestone key: [{"title", "url", "detail"}]}`, in a fixed
    number of queries (lessons tagged with the key, bookings and follow-ups naming it...)."""

    kind: str
    label: str
    fn: Callable[..., dict]
    # The provider takes an optional `viewer` keyword (the signed-in user) and may then add
    # the viewer's state to its items (lessons: done, open, locked, enroll).
    viewer_aware: bool = False


def _takes_keyword(fn: Callable[..., Any], name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class MilestoneAction:
    """A link offered under each milestone of a plan, to the people `allowed(user, city_id)`
    lets take it (e.g. "Ask other cities about this" for those who may request an exchange).
    `endpoint` is built with `milestone_key=<key>`."""

    label: str
    endpoint: str
    allowed: Callable[[Any, int], bool]


@dataclass(frozen=True)
class FeedbackDue:
    """Someone who took part in an event of a format and may now say whether it helped."""

    user_id: int
    subject_id: int  # the event: webinar, booking, exchange or course id
    title: str
    event_at: datetime  # when it took place (ended, held, completed): the report's year
    city_id: int | None  # the person's city, or the city the event was for


@dataclass(frozen=True)
class FeedbackFormat:
    """A format of support (course, webinar, consulting, peer exchange) as the feedback domain
    sees it. `due(now, since)` lists who took part in events that ended between `since` and
    `now`; `figures(year, city_ids)` counts, per city (None: no city), the events held and the
    requests cities made that year: `{city_id: {"events": n, "requests_made": n}}`, each in a
    fixed number of queries."""

    kind: str
    label: str
    order: int
    due: Callable[[datetime, datetime], list[FeedbackDue]]
    figures: Callable[[int, list[int] | None], dict]


@dataclass(frozen=True)
class HomeItem:
    """One line of a home panel: what it is, where the action happens, and optionally a
    time (shown in the viewer's zone), a detail line and a badge ("Overdue")."""

    text: str
    url: str
    detail: str = ""
    when: datetime | None = None
    badge: str = ""


@dataclass(frozen=True)
class HomeNumber:
    """A figure shown large on a home panel ("Progress 44%"), with an optional note below it
    and a link to the page behind it."""

    label: str
    value: str
    note: str = ""
    url: str | None = None


@dataclass(frozen=True)
class HomeContent:
    """What a home panel shows to one viewer: `items` (or `empty` when there are none), a
    few `figures`, and a `more` link as (label, url)."""

    title: str
    items: tuple[HomeItem, ...] = ()
    empty: str = ""
    figures: tuple[HomeNumber, ...] = ()
    more: tuple[str, str] | None = None


@dataclass(frozen=True)
class HomePanel:
    """A panel of the signed-in home page: `fn(user, now) -> HomeContent | None` (None: nothing
    for this viewer), shown to the roles in `orders`, at that role's position (lower first),
    each in a fixed number of queries."""

    key: str
    fn: Callable[[Any, datetime], HomeContent | None]
    orders: dict[str, int]


@dataclass(frozen=True)
class HomeFigure:
    """A figure of the office's "this month" panel: `fn(start, end) -> [(label, value, url)]`,
    counted over [start, end) in a fixed number of queries."""

    key: str
    fn: Callable[[datetime, datetime], list[tuple[str, int, str]]]
    order: int


@dataclass
class Contributions:
    nav_items: list[NavItem] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    seeders: dict[str, Callable[[], Any]] = field(default_factory=dict)
    calendar_sources: list[Callable[[Any], list]] = field(default_factory=list)
    city_stats: dict[str, CityStat] = field(default_factory=dict)
    milestone_resources: dict[str, MilestoneResource] = field(default_factory=dict)
    data_sections: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    city_viewers: list[Callable[[Any, int], bool]] = field(default_factory=list)
    milestone_actions: list[MilestoneAction] = field(default_factory=list)
    feedback_formats: dict[str, FeedbackFormat] = field(default_factory=dict)
    home_panels: dict[str, HomePanel] = field(default_factory=dict)
    home_todos: list[Callable[[Any, datetime], list[HomeItem]]] = field(default_factory=list)
    home_figures: dict[str, HomeFigure] = field(default_factory=dict)
    snapshots: dict[str, SnapshotSource] = field(default_factory=dict)

    # ---------------------------------------------------------------- registration

    def add_nav_item(self, label: str, endpoint: str, roles=None, order: int = 100, group: str | None = None) -> None:
        """A link of the main navigation, under `group` (one of NAV_GROUPS; by default the
        domain's, from the endpoint's blueprint); lower `order` comes first within a group,
        ties keep registration order."""
        group = group or default_nav_group(endpoint)
        if group not in NAV_GROUPS:
            raise ValueError(f"nav group {group!r} is not one of {NAV_GROUPS}")
        if all(item.endpoint != endpoint for item in self.nav_items):
            self.nav_items.append(NavItem(label, endpoint, frozenset(roles) if roles else None, order, group))
            self.nav_items.sort(key=lambda item: item.order)

    def add_job(self, job_id: str, func: Callable[..., Any], seconds: int) -> None:
        self.jobs.setdefault(job_id, Job(job_id, func, seconds))

    def add_seeder(self, name: str, fn: Callable[[], Any]) -> None:
        """Demo data, run by `flask demo seed` in registration order, after the demo accounts."""
        self.seeders.setdefault(name, fn)

    def add_calendar_source(self, fn: Callable[[Any], list]) -> None:
        """`fn(user) -> [CalendarEvent]` for the personal calendar feed."""
        if fn not in self.calendar_sources:
            self.calendar_sources.append(fn)

    def add_city_stat(self, key: str, label: str, fn: Callable[[list[int]], dict], live: bool = False) -> None:
        self.city_stats.setdefault(key, CityStat(key, label, fn, live))

    def add_snapshot(
        self, name: str, compute: Callable[..., dict], defaults: Callable[[datetime], list[dict]] | None = None
    ) -> None:
        """Figures too costly to count on each view (see `core.snapshots`)."""
        self.snapshots.setdefault(name, SnapshotSource(name, compute, defaults or (lambda now: [])))

    def add_milestone_resource(self, kind: str, label: str, fn: Callable[..., dict]) -> None:
        self.milestone_resources.setdefault(kind, MilestoneResource(kind, label, fn, _takes_keyword(fn, "viewer")))

    def add_data_section(self, section: str, fn: Callable[[Any], Any]) -> None:
        """`fn(user)` -> this domain's part of `GET /api/v1/me/data`."""
        self.data_sections.setdefault(section, fn)

    def add_city_viewer(self, fn: Callable[[Any, int], bool]) -> None:
        """`fn(user, city_id) -> bool`: someone outside the city who may still see its plans
        (a consultant who works with it)."""
        if fn not in self.city_viewers:
            self.city_viewers.append(fn)

    def add_milestone_action(self, label: str, endpoint: str, allowed: Callable[[Any, int], bool]) -> None:
        if all(action.endpoint != endpoint for action in self.milestone_actions):
            self.milestone_actions.append(MilestoneAction(label, endpoint, allowed))

    def add_feedback_format(
        self,
        kind: str,
        label: str,
        due: Callable[[datetime, datetime], list[FeedbackDue]],
        figures: Callable[[int, list[int] | None], dict],
        order: int = 100,
    ) -> None:
        self.feedback_formats.setdefault(kind, FeedbackFormat(kind, label, order, due, figures))

    def add_home_panel(
        self, key: str, fn: Callable[[Any, datetime], HomeContent | None], orders: dict[str, int]
    ) -> None:
        """A panel of the home page for the roles named in `orders` ({role: position})."""
        self.home_panels.setdefault(key, HomePanel(key, fn, dict(orders)))

    def add_home_todo(self, fn: Callable[[Any, datetime], list[HomeItem]]) -> None:
        """`fn(user, now) -> [HomeItem]`: what waits for this person (answers, reviews, notes),
        gathered at the top of their home page in registration order."""
        if fn not in self.home_todos:
            self.home_todos.append(fn)

    def add_home_figure(
        self, key: str, fn: Callable[[datetime, datetime], list[tuple[str, int, str]]], order: int = 100
    ) -> None:
        self.home_figures.setdefault(key, HomeFigure(key, fn, order))

    # ---------------------------------------------------------------- use

    def milestone_actions_for(self, user, city_id: int) -> list[MilestoneAction]:
        """The milestone actions this user may take for this city's plan."""
        return [action for action in self.milestone_actions if action.allowed(user, city_id)]

    def all_city_stats(self, city_ids: list[int], live: bool | None = None) -> dict[str, dict]:
        """{stat key: {city_id: value}} for every registered statistic (only the live or
        only the counted ones with `live`)."""
        return {key: stat.fn(city_ids) for key, stat in self.city_stats.items() if live is None or stat.live == live}

    def all_milestone_resources(self, city_id: int | None, keys: list[str], viewer: Any = None) -> dict[str, dict]:
        """{kind: {milestone key: [items]}} for every registered resource; providers that take
        a `viewer` keyword are given it (the others are called as before)."""
        return {
            kind: res.fn(city_id, keys, viewer=viewer) if res.viewer_aware else res.fn(city_id, keys)
            for kind, res in self.milestone_resources.items()
        }


def init_app(app: Flask) -> Contributions:
    """Give the app its (empty) contributions; domains fill them in their `init_app`."""
    return app.extensions.setdefault(EXTENSION_KEY, Contributions())


def app_object() -> Flask:
    """The real app behind `current_app` (signals and threads need the object, not the proxy)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy method


def contributions(app: Flask | None = None) -> Contributions:
    """The contributions of `app`, or of the current app."""
    target = app if app is not None else current_app
    return target.extensions[EXTENSION_KEY]
