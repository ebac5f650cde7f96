"""What the plans domain puts on the home page: the city's plan at a glance for its
coordinators and learners (progress, current phase, the next milestones with their due
dates, overdue ones first), and for the office the cities with overdue milestones."""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from ...core.hooks import HomeContent, HomeItem, HomeNumber
from ...core.i18n import _, format_share
from ...core.policy import ADMIN, COORDINATOR, LEARNER
from ..models import COMPLETED, Milestone, Plan
from ..progress import city_today, completed_count, current_phase, phase_label, progress_percent
from .digest import overdue_by_city
from .history import format_day
from .rules import city_or_404, current_plan_of

#: How many open milestones the plan panel lists, and how many overdue cities the office sees.
NEXT_MILESTONES = 4
OVERDUE_CITIES = 8


def next_milestones(plan: Plan, today: date, limit: int = NEXT_MILESTONES) -> list[Milestone]:
    """The milestones still open: overdue ones first (oldest due date first), then those
    with a due date by date, then those without one, in template order within each."""
    open_ = [m for m in plan.milestones if m.status != COMPLETED]

    def rank(m: Milestone):
        if m.is_overdue(today):
            return (0, m.due_date, m.position)
        if m.due_date is not None:
            return (1, m.due_date, m.position)
        return (2, date.max, m.position)

    return sorted(open_, key=rank)[:limit]


def _milestone_detail(m: Milestone) -> str:
    parts = [m.status_label]
    if m.due_date is not None:
        parts.append(_("due %(date)s", date=format_day(m.due_date)))
    if m.owner:
        parts.append(_("owner: %(owner)s", owner=m.owner))
    return " · ".join(parts)


def plan_panel(user, now: datetime) -> HomeContent | None:
    """The viewer's city's current plan at a glance; the way to start one when there is none."""
    if user.role not in (COORDINATOR, LEARNER) or user.city_id is None:
        return None
    city = city_or_404(user.city_id)
    plan = current_plan_of(city.id)
    if plan is None:
        return HomeContent(
            title=_("%(city)s's action plan", city=city.name),
            empty=_(
                "%(city)s has no action plan here yet. Start one from the template of nine milestones.", city=city.name
            )
            if user.role == COORDINATOR
            else _("%(city)s has no action plan here yet.", city=city.name),
            more=(_("Start the plan"), url_for("plans.new_plan", city_id=city.id))
            if user.role == COORDINATOR
            else None,
        )
    today = city_today(city, now)
    items = tuple(
        HomeItem(
            text=m.title,
            url=url_for("plans.my_city", milestone=m.key, _anchor=f"milestone-{m.key}"),
            detail=_milestone_detail(m),
            badge=_("Overdue") if m.is_overdue(today) else "",
        )
        for m in next_milestones(plan, today)
    )
    done, total = completed_count(plan.milestones), len(plan.milestones)
    return HomeContent(
        title=_("%(city)s's action plan", city=city.name),
        figures=(
            HomeNumber(
                _("Progress"),
                format_share(progress_percent(plan.milestones) / 100),
                _("%(done)d of %(total)d milestones completed", done=done, total=total),
            ),
            HomeNumber(_("Current phase"), phase_label(current_phase(plan.milestones))),
        ),
        items=items,
        empty=_("Every milestone is completed."),
        more=(_("Open the plan"), url_for("plans.my_city")),
    )


def overdue_cities_panel(user, now: datetime) -> HomeContent | None:
    """For the office: cities whose current plan has overdue milestones, most overdue first."""
    if user.role != ADMIN:
        return None
    overdue, plans = overdue_by_city(now)
    ranked = sorted(overdue.items(), key=lambda kv: (-len(kv[1]), plans[kv[0]].city.name))

    def named(milestones: list[Milestone]) -> str:
        """The first two overdue milestones with their due dates (a gettext call of its own:
        the extractor does not look inside another call's arguments)."""
        shown = [
            _("%(milestone)s (due %(date)s)", milestone=m.title, date=format_day(m.due_date))
            for m in milestones[:2]
            if m.due_date
        ]
        return ", ".join(shown) + (" …" if len(milestones) > 2 else "")

    items = tuple(
        HomeItem(
            text=plans[city_id].city.name,
            url=url_for("plans.plan_page", plan_id=plans[city_id].id),
            detail=_("%(num)d overdue: %(milestones)s", num=len(milestones), milestones=named(milestones)),
        )
        for city_id, milestones in ranked[:OVERDUE_CITIES]
    )
    return HomeContent(
        title=_("Cities with overdue milestones"),
        items=items,
        empty=_("No city has an overdue milestone."),
        more=(_("Cities overview"), url_for("plans.overview")),
    )
