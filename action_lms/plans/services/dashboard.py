"""What a city's people see of its plan: the timeline with the resources other domains
offer per milestone (each once, lessons with the viewer's state), what to learn next, the
next consulting session and each milestone's latest changes."""

from __future__ import annotations

from ...core.errors import NotFound
from ...core.hooks import contributions
from ...core.i18n import _
from ...core.policy import LEARNER
from ..models import COMPLETED, Plan
from ..progress import completed_count, current_phase, overdue_milestones, progress_percent
from ..template import BY_KEY, MILESTONE_KEYS
from .history import milestone_history
from .rules import can_edit_city, city_or_404, current_plan_of, policy, require_viewer


def viewer_city_id(actor) -> int:
    """The actor's city, or NotFound saying how to get one."""
    city_id = getattr(actor, "city_id", None)
    if city_id is None:
        requested = getattr(actor, "requested_city", None)
        if requested is not None:
            raise NotFound(
                _(
                    "You asked to join %(city)s; you will see its plan once its coordinators "
                    "approve. We will tell you by e-mail.",
                    city=requested.name,
                )
            )
        if getattr(actor, "role", None) == LEARNER:
            raise NotFound(_("Your account is not linked to a city. Ask to join yours on your account page."))
        raise NotFound(_("Your account is not linked to a city. Ask the office to add you to your city."))
    return city_id


def _item_identity(item: dict):
    """What makes two resource items the same: the lesson, else the address and title together
    (an exchange and its follow-ups share the exchange's address but are different items)."""
    if item.get("lesson_id"):
        return ("lesson", item["lesson_id"])
    return (item.get("url") or item.get("enroll_url"), item.get("title"))


def _once(items: list[dict]) -> list[dict]:
    seen: set = set()
    unique = []
    for item in items:
        identity = _item_identity(item)
        if identity not in seen:
            seen.add(identity)
            unique.append(item)
    return unique


def milestone_resources(city_id: int | None, plan: Plan | None, viewer=None) -> dict[str, dict]:
    """{kind: {key: [items]}} from every registered provider, asked once for all keys, each
    item once per milestone. Providers that take a `viewer` add the viewer's state to their
    items (lessons: done, open, locked with why, enroll)."""
    if plan is None:
        return {}
    found = contributions().all_milestone_resources(city_id, list(MILESTONE_KEYS), viewer=viewer)
    return {kind: {key: _once(items) for key, items in by_key.items()} for kind, by_key in found.items()}


#: The order of "what to learn next": what the viewer can open now first; done lessons are not next.
LEARN_NEXT_ORDER = {"open": 0, None: 0, "locked": 1, "enroll": 2}


def learn_next(plan: Plan, lessons: dict[str, list[dict]], milestones: int = 2) -> list[dict]:
    """The lessons for the next open milestones, each lesson once, naming every one of those
    milestones it helps with: those the viewer can open first, then locked ones, then those
    of courses to enroll in; lessons already done are left out."""
    open_keys = [m.key for m in plan.milestones if m.status != COMPLETED][:milestones]
    by_identity: dict = {}
    for key in open_keys:
        for item in lessons.get(key, []):
            identity = _item_identity(item)
            if identity in by_identity:
                by_identity[identity]["milestones"].append(str(BY_KEY[key].title))
            else:
                by_identity[identity] = {**item, "milestones": [str(BY_KEY[key].title)]}
    found = [item for item in by_identity.values() if item.get("state") != "done"]
    found.sort(key=lambda item: LEARN_NEXT_ORDER.get(item.get("state"), 0))  # stable: course order kept
    return [{**item, "milestone": ", ".join(item["milestones"])} for item in found]


def milestone_actions(actor, city_id: int) -> list:
    """Links other domains offer under each milestone to this viewer (e.g. asking other
    cities about it), as (label, endpoint) pairs; the page adds `milestone_key`."""
    return [(a.label, a.endpoint) for a in contributions().milestone_actions_for(actor, city_id)]


def resource_labels() -> dict[str, str]:
    return {kind: res.label for kind, res in contributions().milestone_resources.items()}


def next_consulting_session(city_id: int):
    stat = contributions().city_stats.get("next_consulting_session")
    if stat is None:
        return None
    return stat.fn([city_id]).get(city_id)


def dashboard(actor, city_id: int) -> dict:
    """What a city's people see: the current plan as a timeline, what to learn next
    (lessons for the next open milestones) and the next consulting session."""
    policy.require(actor, "dashboard.view")
    city = city_or_404(city_id)
    require_viewer(actor, city.id)
    plan = current_plan_of(city.id)
    resources = milestone_resources(city.id, plan, viewer=actor)
    return {
        "city": city,
        "plan": plan,
        "resources": resources,
        "resource_labels": resource_labels(),
        "learn_next": learn_next(plan, resources.get("lessons", {})) if plan is not None else [],
        "lessons_registered": "lessons" in contributions().milestone_resources,
        "next_session": next_consulting_session(city.id),
        "consulting_registered": "next_consulting_session" in contributions().city_stats,
        "overdue": {m.key for m in overdue_milestones(plan)} if plan else set(),
        "can_edit": can_edit_city(actor, city.id),
    }


def plan_page(actor, plan: Plan) -> dict:
    """Everything the plan page shows besides the plan (which the caller loaded with its
    permission check): the dashboard for the current plan; for an earlier one its
    resources only, and no editing (earlier plans are the record of what was)."""
    data = (
        dashboard(actor, plan.city_id)
        if plan.is_current
        else {
            "resources": milestone_resources(plan.city_id, plan, viewer=actor),
            "resource_labels": resource_labels(),
            "learn_next": [],
            "lessons_registered": False,
            "next_session": None,
            "consulting_registered": False,
            "can_edit": can_edit_city(actor, plan.city_id),
        }
    )
    return {
        "data": data,
        "actions": milestone_actions(actor, plan.city_id) if plan.is_current else [],
        "overdue": {m.key for m in overdue_milestones(plan)},
        "can_edit": data["can_edit"] and plan.is_current,
        "progress": progress_percent(plan.milestones),
        "phase": current_phase(plan.milestones),
        "completed": completed_count(plan.milestones),
        "history": milestone_history(plan),
    }
