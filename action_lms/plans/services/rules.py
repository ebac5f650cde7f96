"""What every plans use case shares: the role table, the constants, who may see and edit
which city's plans (`can_view_city`, `can_edit_city`), and loading a city or a plan with
those rules applied."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...accounts.models import City
from ...core.errors import Forbidden, NotFound
from ...core.hooks import contributions
from ...core.i18n import _, _l
from ...core.policy import ADMIN, ANY_USER, CONSULTANT, COORDINATOR, LEARNER, Policy
from ...extensions import db
from ..models import Plan
from ..progress import COMPLETED_PHASE, NO_PLAN_PHASE
from ..template import MILESTONES

policy = Policy(
    "plans",
    {
        "template.view": ANY_USER,
        "plan.list": ANY_USER,  # object level: own city, consultant hooks, admin all
        "plan.view": ANY_USER,  # object level as above
        "plan.create": {COORDINATOR, ADMIN},  # object level: own city
        "plan.update": {COORDINATOR, ADMIN},  # object level: own city
        "milestone.update": {COORDINATOR, ADMIN},  # object level: own city
        "history.view": ANY_USER,  # whoever may view the plan
        "plans.all": {ADMIN},
        "overview.view": {ADMIN},
        "dashboard.view": {LEARNER, COORDINATOR, CONSULTANT, ADMIN},
    },
)

SYSTEM_ACTOR = "System"
PHASES: tuple[str, ...] = tuple(dict.fromkeys(m.phase for m in MILESTONES))
ALL_PHASES: tuple[str, ...] = (*PHASES, COMPLETED_PHASE, NO_PLAN_PHASE)
MILESTONE_FIELDS = ("status", "due_date", "evidence_url", "note", "owner", "blocked_reason")
HISTORY_PAGE_SIZE = 50
MAX_PAGE = 100_000  # beyond any real history; keeps the offset bindable on every engine
OWN_CITY_ONLY = _l("You may only see the plans of your own city.")


# ---------------------------------------------------------------- permissions


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_view_city(user, city_id: int) -> bool:
    """Administrators see every city; coordinators and learners their own; others whom a
    domain vouches for (a consultant who works with the city)."""
    if not _signed_in(user):
        return False
    if user.role == ADMIN:
        return True
    if user.role in (COORDINATOR, LEARNER) and user.city_id == city_id:
        return True
    return any(check(user, city_id) for check in contributions().city_viewers)


def can_edit_city(user, city_id: int) -> bool:
    """Administrators edit every city's plans; coordinators their own city's."""
    if not _signed_in(user):
        return False
    return user.role == ADMIN or (user.role == COORDINATOR and user.city_id == city_id)


def require_editor(actor, city_id: int) -> None:
    if not can_edit_city(actor, city_id):
        raise Forbidden(_("Only the city's coordinator or an administrator may change its plans."))


def require_viewer(actor, city_id: int) -> None:
    if not can_view_city(actor, city_id):
        raise Forbidden(str(OWN_CITY_ONLY))


# ---------------------------------------------------------------- loading


def city_or_404(city_id: int, for_update: bool = False) -> City:
    stmt = select(City).where(City.id == city_id)
    if for_update:
        stmt = stmt.with_for_update()
    city = db.session.scalar(stmt)
    if city is None:
        raise NotFound(_("No city with this id."))
    return city


def visible_plan(actor, plan_id: int, for_update: bool = False) -> Plan:
    """The plan if the actor may see its city (else NotFound: another city's plans are not
    even confirmed to exist); `for_update` takes its row lock."""
    stmt = select(Plan).where(Plan.id == plan_id).options(selectinload(Plan.milestones))
    if for_update:
        stmt = select(Plan).where(Plan.id == plan_id).with_for_update(of=Plan)
    plan = db.session.scalar(stmt)
    if plan is None or not can_view_city(actor, plan.city_id):
        raise NotFound(_("No plan with this id, or it is not visible to you."))
    return plan


def current_plan_of(city_id: int) -> Plan | None:
    """The city's current plan with its milestones (no permission check: callers made it)."""
    return db.session.scalar(
        select(Plan).where(Plan.city_id == city_id, Plan.is_current).options(selectinload(Plan.milestones))
    )
