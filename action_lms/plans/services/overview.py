"""The cross-city overview (admin): per city its current plan's progress and phase, overdue
milestones, every figure other domains registered, a chart, and the same as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import select

from ...accounts.models import City
from ...core import snapshots
from ...core.csvfile import csv_text
from ...core.errors import Invalid
from ...core.hooks import contributions
from ...core.i18n import _
from ...core.time import isoformat_z, utcnow
from ...extensions import db
from ..models import COMPLETED, Milestone, Plan, milestone_overdue
from ..progress import city_today, completed_count, current_phase, phase_label, progress_percent
from ..template import BY_KEY, MILESTONES
from .rules import ALL_PHASES, NO_PLAN_PHASE, policy

BASE_SORTS = ("city", "country", "progress", "phase", "overdue")


def csv_header() -> list[str]:
    """The CSV's first columns, in the reader's language (English: the API's field names)."""
    return [
        _("city"),
        _("country"),
        _("plan"),
        _("progress_percent"),
        _("milestones_completed"),
        _("milestones_total"),
        _("current_phase"),
        _("overdue_milestones"),
    ]


class OverviewRow(TypedDict):
    city: City
    plan: OverviewPlan | None
    plan_id: int | None
    plan_title: str | None
    progress_percent: int | None
    milestones_completed: int
    milestones_total: int
    current_phase: str
    overdue_milestones: int
    completed_keys: set[str]
    stats: dict[str, Any]


#: The snapshot (core.snapshots) of the counted city figures: learners, enrollments,
#: attendances, sessions and exchanges counted over whole tables, kept per city.
CITY_FIGURES = "city_figures"


def count_city_figures() -> dict:
    """Every counted (not live) city statistic for every city: {stat key: {city_id: value}}."""
    city_ids = list(db.session.scalars(select(City.id)))
    return {
        key: {str(cid): value for cid, value in values.items()}
        for key, values in contributions().all_city_stats(city_ids, live=False).items()
    }


def city_figures_defaults(now: datetime) -> list[dict]:
    return [{}]


def recount_city_figures(actor) -> None:
    """Count the overview's figures again now (they are otherwise counted by the scheduler)."""
    policy.require(actor, "overview.view")
    snapshots.recount(CITY_FIGURES, {})


def _city_stats(city_ids: list[int], now: datetime) -> tuple[dict[str, dict], datetime]:
    """{stat key: {city_id: value}} in registration order: the counted ones from the snapshot
    (a city added since it was counted has none yet), the live ones asked now."""
    kept = snapshots.read(CITY_FIGURES, {}, now)
    live = contributions().all_city_stats(city_ids, live=True)
    stats = {}
    for key, stat in contributions().city_stats.items():
        stats[key] = live[key] if stat.live else snapshots.int_keys(kept.data.get(key, {}))
    return stats, kept.computed_at


def stat_columns() -> list[tuple[str, str]]:
    """(key, label) of every statistic other domains registered, in registration order."""
    return [(s.key, s.label) for s in contributions().city_stats.values()]


def _phase_rank(phase: str) -> int:
    return ALL_PHASES.index(phase) if phase in ALL_PHASES else len(ALL_PHASES)


def _check_filters(country: str | None, phase: str | None, sort: str, order: str) -> None:
    errors: dict = {}
    sorts = BASE_SORTS + tuple(key for key, __ in stat_columns())
    if sort not in sorts:
        errors["sort"] = [_("Sort by one of: %(values)s.", values=", ".join(sorts))]
    if order not in ("asc", "desc"):
        errors["order"] = [_("Order is asc or desc.")]
    if phase and phase not in ALL_PHASES:
        errors["phase"] = [_("Phase is one of: %(values)s.", values=", ".join(ALL_PHASES))]
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = [_("Give a two-letter country code, e.g. DE.")]
    if errors:
        raise Invalid(_("Some filters are invalid."), errors)


class OverviewPlan(NamedTuple):
    """What the overview shows of a current plan, from its milestones' plain rows."""

    id: int
    title: str
    total: int
    completed: int
    percent: int
    overdue: int
    phase: str
    completed_keys: frozenset[str]


class _MilestoneRow(NamedTuple):
    """A milestone as a plain row, with what `plans.progress` reads of a Milestone."""

    key: str
    position: int
    status: str
    due_date: date | None

    @property
    def phase(self) -> str:
        template = BY_KEY.get(self.key)
        return template.phase if template else ""

    def is_overdue(self, today: date) -> bool:
        return milestone_overdue(self.due_date, self.status, today)


def _plan_summaries(cities: Sequence[City], now: datetime) -> dict[int, OverviewPlan]:
    """{city_id: summary} of each city's current plan, in one query of plain rows (no ORM
    objects: a deployment has thousands of milestones), summed by the rules of
    `plans.progress` like every other page."""
    today = {c.id: city_today(c, now) for c in cities}
    plans: dict[int, tuple[int, str]] = {}
    rows: dict[int, list[_MilestoneRow]] = {}
    for plan_id, city_id, title, key, position, status, due in db.session.execute(
        select(
            Plan.id, Plan.city_id, Plan.title, Milestone.key, Milestone.position, Milestone.status, Milestone.due_date
        )
        .outerjoin(Milestone, Milestone.plan_id == Plan.id)
        .where(Plan.is_current)
    ):
        plans[city_id] = (plan_id, title)
        if key is not None:  # None: a plan without milestones
            rows.setdefault(city_id, []).append(_MilestoneRow(key, position, status, due))
    summaries = {}
    for city_id, (plan_id, title) in plans.items():
        milestones = rows.get(city_id, [])
        summaries[city_id] = OverviewPlan(
            plan_id,
            title,
            len(milestones),
            completed_count(milestones),
            progress_percent(milestones),
            sum(1 for m in milestones if city_id in today and m.is_overdue(today[city_id])),
            current_phase(milestones),
            frozenset(m.key for m in milestones if m.status == COMPLETED),
        )
    return summaries


def _row(city: City, plan: OverviewPlan | None, stats: dict[str, dict]) -> OverviewRow:
    return {
        "city": city,
        "plan": plan,
        "plan_id": plan.id if plan else None,
        "plan_title": plan.title if plan else None,
        "progress_percent": plan.percent if plan else None,
        "milestones_completed": plan.completed if plan else 0,
        "milestones_total": plan.total if plan else 0,
        "current_phase": plan.phase if plan else NO_PLAN_PHASE,
        "overdue_milestones": plan.overdue if plan else 0,
        "completed_keys": set(plan.completed_keys) if plan else set(),
        "stats": {key: values.get(city.id) for key, values in stats.items()},
    }


def _sort_value(row: OverviewRow, sort: str):
    if sort == "city":
        return row["city"].name.lower()
    if sort == "country":
        return (row["city"].country, row["city"].name.lower())
    if sort == "progress":
        return row["progress_percent"]
    if sort == "phase":
        return _phase_rank(row["current_phase"])
    if sort == "overdue":
        return row["overdue_milestones"]
    return row["stats"].get(sort)


def overview(
    actor,
    country: str | None = None,
    phase: str | None = None,
    sort: str = "city",
    order: str = "asc",
    now: datetime | None = None,
) -> dict:
    """One row per city: current plan's progress and phase, overdue milestones, and every
    registered city statistic. Constant number of queries: cities, current plans,
    their milestones, the snapshot of the counted figures (`figures_counted_at` says when),
    and one call per live statistic with all city ids."""
    policy.require(actor, "overview.view")
    _check_filters(country, phase, sort, order)
    now = now or utcnow()

    city_stmt = select(City).order_by(City.name)
    if country:
        city_stmt = city_stmt.where(City.country == country.upper())
    cities = db.session.scalars(city_stmt).all()
    plans = _plan_summaries(cities, now)
    stats, counted_at = _city_stats([c.id for c in cities], now)

    rows = [_row(city, plans.get(city.id), stats) for city in cities]
    if phase:
        rows = [r for r in rows if r["current_phase"] == phase]
    present = [r for r in rows if _sort_value(r, sort) is not None]
    missing = [r for r in rows if _sort_value(r, sort) is None]
    present.sort(key=lambda r: (_sort_value(r, sort), r["city"].name.lower()), reverse=(order == "desc"))
    rows = present + sorted(missing, key=lambda r: r["city"].name.lower())  # absent values always last

    chart = [
        {"key": m.key, "title": str(m.title), "cities": sum(1 for r in rows if m.key in r["completed_keys"])}
        for m in MILESTONES
    ]
    return {
        "rows": rows,
        "chart": chart,
        "stat_columns": stat_columns(),
        "cities_with_plan": sum(1 for r in rows if r["plan"]),
        "figures_counted_at": counted_at,
        "filters": {"country": country.upper() if country else None, "phase": phase, "sort": sort, "order": order},
    }


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return isoformat_z(value) or ""
    return str(value)


def overview_csv(data: dict) -> str:
    """The overview as CSV (one row per city, the same columns as the page)."""
    columns = data["stat_columns"]
    rows: list[list] = [[*csv_header(), *(key for key, __ in columns)]]
    for row in data["rows"]:
        rows.append(
            [
                row["city"].name,
                row["city"].country,
                row["plan_title"] or "",
                csv_value(row["progress_percent"]),
                row["milestones_completed"],
                row["milestones_total"],
                phase_label(row["current_phase"]),
                row["overdue_milestones"],
            ]
            + [csv_value(row["stats"].get(key)) for key, __ in columns]
        )
    return csv_text(rows)
