"""Every rule of the plans domain: who sees and edits which city's plans, how a plan is
created from the milestone template, the milestone status rules, the append-only history,
progress and phase, the weekly overdue digest and the cross-city overview."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import City, User
from ..core import outbox
from ..core.csvfile import csv_text
from ..core.db import commit_or_conflict
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.hooks import contributions
from ..core.models import OutboxMessage
from ..core.policy import ADMIN, ANY_USER, CONSULTANT, COORDINATOR, LEARNER, Policy
from ..core.time import isoformat_z, to_zone, utcnow
from ..core.validators import column_length, date_in_range, multi_line, single_line
from ..extensions import db
from .models import (
    BLOCKED,
    COMPLETED,
    ERASED_ACTOR,
    IN_PROGRESS,
    NOT_STARTED,
    STATUSES,
    Milestone,
    Plan,
    PlanHistory,
)
from .template import BY_KEY, MILESTONE_KEYS, MILESTONES, is_milestone_key

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
COMPLETED_PHASE = "Completed"
NO_PLAN_PHASE = "No plan"
PHASES: tuple[str, ...] = tuple(dict.fromkeys(m.phase for m in MILESTONES))
ALL_PHASES: tuple[str, ...] = (*PHASES, COMPLETED_PHASE, NO_PLAN_PHASE)
SINGLE_LINE_COLUMNS = {
    "title": Plan.title,
    "focus": Plan.focus,
    "owner": Milestone.owner,
    "evidence_url": Milestone.evidence_url,
}
MULTI_LINE_MAX = {"note": 5000, "blocked_reason": 2000}


# ---------------------------------------------------------------- template, progress, phase


def milestone_template() -> list[dict]:
    """The ordered milestone template (the one source: template.py)."""
    return [
        {"key": m.key, "title": m.title, "description": m.description, "phase": m.phase, "position": i + 1}
        for i, m in enumerate(MILESTONES)
    ]


def progress_percent(milestones) -> int:
    """Completed milestones / all, as a whole percent."""
    milestones = list(milestones)
    if not milestones:
        return 0
    done = sum(1 for m in milestones if m.status == COMPLETED)
    return round(100 * done / len(milestones))


def current_phase(milestones) -> str:
    """The template phase of the first milestone (in template order) not yet completed."""
    for m in sorted(milestones, key=lambda m: m.position):
        if m.status != COMPLETED:
            return m.phase
    return COMPLETED_PHASE


def city_today(city: City, now: datetime | None = None) -> date:
    """Today's date in the city's own calendar (due dates are city dates)."""
    return to_zone(now or utcnow(), city.timezone).date()


def overdue_milestones(plan: Plan, now: datetime | None = None) -> list[Milestone]:
    today = city_today(plan.city, now)
    return [m for m in plan.milestones if m.is_overdue(today)]


# ---------------------------------------------------------------- permissions


def can_view_city(user, city_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == ADMIN:
        return True
    if user.role in (COORDINATOR, LEARNER) and user.city_id == city_id:
        return True
    return any(check(user, city_id) for check in contributions().city_viewers)


def can_edit_city(user, city_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role == ADMIN or (user.role == COORDINATOR and user.city_id == city_id)


def city_or_404(city_id: int, for_update: bool = False) -> City:
    stmt = select(City).where(City.id == city_id)
    if for_update:
        stmt = stmt.with_for_update()
    city = db.session.scalar(stmt)
    if city is None:
        raise NotFound("No city with this id.")
    return city


def _visible_plan(actor, plan_id: int, for_update: bool = False) -> Plan:
    stmt = select(Plan).where(Plan.id == plan_id).options(selectinload(Plan.milestones))
    if for_update:
        stmt = select(Plan).where(Plan.id == plan_id).with_for_update(of=Plan)
    plan = db.session.scalar(stmt)
    if plan is None or not can_view_city(actor, plan.city_id):
        raise NotFound("No plan with this id, or it is not visible to you.")
    return plan


def require_editor(actor, city_id: int) -> None:
    if not can_edit_city(actor, city_id):
        raise Forbidden("Only the city's coordinator or an administrator may change its plans.")


# ---------------------------------------------------------------- validation helpers


def _text(errors: dict, field: str, value, required: bool = False) -> str | None:
    """The cleaned text of one field, or None with its message added to `errors` (every field
    is checked before refusing, so a form shows all its problems at once). One-line fields
    take their length from the column; notes and reasons may have line breaks."""
    try:
        if field in MULTI_LINE_MAX:
            return multi_line(value, field, MULTI_LINE_MAX[field], required)
        return single_line(value, field, column_length(SINGLE_LINE_COLUMNS[field]), required)
    except Invalid as exc:
        errors.update(exc.errors)
        return None


def _invalid(errors: dict) -> Invalid:
    """One refusal for every field found wrong, naming them (the API message and the form)."""
    return Invalid("Invalid value for: " + ", ".join(sorted(errors)) + ".", errors)


def _commitments(errors: dict, value) -> list[int]:
    if value is None:
        return []
    try:
        numbers = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        errors["commitments"] = ["Commitments are numbers from 1 to 10."]
        return []
    if any(n < 1 or n > 10 for n in numbers):
        errors["commitments"] = ["Commitments are numbers from 1 to 10."]
        return []
    return numbers


def _evidence_url(errors: dict, value) -> str | None:
    value = _text(errors, "evidence_url", value)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["evidence_url"] = ["Give a full web address starting with http:// or https://."]
        return None
    return value


def _due_date(errors: dict, value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        errors["due_date"] = ["Give a date (YYYY-MM-DD), not a time."]
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            errors["due_date"] = ["Not a valid date: use YYYY-MM-DD."]
            return None
    try:
        date_in_range(value, "due_date")
    except Invalid as exc:
        errors.update(exc.errors)
        return None
    return value


def _str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _record(
    plan: Plan, actor, field: str, old, new, milestone_key: str | None = None, now: datetime | None = None
) -> None:
    db.session.add(
        PlanHistory(
            plan_id=plan.id,
            milestone_key=milestone_key,
            field=field,
            old_value=_str(old),
            new_value=_str(new),
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "name", None) or SYSTEM_ACTOR,
            changed_at=now or utcnow(),
        )
    )


# ---------------------------------------------------------------- plans


def list_city_plans_query(actor, city_id: int):
    """A city's plans, the current one first, then newest first."""
    policy.require(actor, "plan.list")
    city_or_404(city_id)
    if not can_view_city(actor, city_id):
        raise Forbidden("You may only see the plans of your own city.")
    return (
        select(Plan)
        .where(Plan.city_id == city_id)
        .options(selectinload(Plan.milestones))
        .order_by(Plan.is_current.desc(), Plan.created_at.desc(), Plan.id.desc())
    )


def list_all_plans_query(actor, country: str | None = None):
    """Every city's plans (admin), by city, the current plan first."""
    policy.require(actor, "plans.all")
    stmt = (
        select(Plan)
        .join(Plan.city)
        .options(selectinload(Plan.milestones))
        .order_by(City.name, Plan.is_current.desc(), Plan.created_at.desc(), Plan.id.desc())
    )
    if country:
        stmt = stmt.where(City.country == country.upper())
    return stmt


def get_plan(actor, plan_id: int) -> Plan:
    policy.require(actor, "plan.view")
    return _visible_plan(actor, plan_id)


def current_plan(actor, city_id: int) -> Plan | None:
    policy.require(actor, "plan.view")
    if not can_view_city(actor, city_id):
        raise Forbidden("You may only see the plans of your own city.")
    return db.session.scalar(
        select(Plan).where(Plan.city_id == city_id, Plan.is_current).options(selectinload(Plan.milestones))
    )


def _new_plan(city: City, actor, title: str, focus: str, commitments: list[int]) -> Plan:
    """Insert a plan with one milestone per template entry and make it the city's current
    plan; the previous current plan stops being current, in the same transaction."""
    now = utcnow()
    previous = db.session.scalar(select(Plan).where(Plan.city_id == city.id, Plan.is_current).with_for_update(of=Plan))
    if previous is not None:
        previous.is_current = False
        previous.updated_at = now
        _record(previous, actor, "is_current", True, False, now=now)
        db.session.flush()
    plan = Plan(
        city_id=city.id,
        city=city,
        title=title,
        focus=focus,
        commitments=commitments,
        is_current=True,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        updated_at=now,
    )
    plan.milestones = [
        Milestone(key=m.key, position=i + 1, status=NOT_STARTED, updated_at=now) for i, m in enumerate(MILESTONES)
    ]
    db.session.add(plan)
    db.session.flush()
    _record(plan, actor, "plan", None, f"created: {title}", now=now)
    return plan


def _plan_fields(data: dict, partial: bool) -> tuple[dict, dict]:
    errors: dict = {}
    values: dict = {}
    for name in ("title", "focus"):
        if not partial or name in data:
            values[name] = _text(errors, name, data.get(name), required=True)
    if not partial or "commitments" in data:
        values["commitments"] = _commitments(errors, data.get("commitments"))
    return values, errors


def create_plan(actor, city_id: int, title: str, focus: str, commitments: list[int] | None = None) -> Plan:
    """A coordinator (own city) or an admin starts a plan; it becomes the current one."""
    policy.require(actor, "plan.create")
    city = city_or_404(city_id, for_update=True)  # serialises plan creation per city on PostgreSQL
    require_editor(actor, city.id)
    values, errors = _plan_fields({"title": title, "focus": focus, "commitments": commitments}, partial=False)
    if errors:
        raise _invalid(errors)
    plan = _new_plan(city, actor, **values)
    commit_or_conflict("Another plan for this city was created at the same moment; please reload and try again.")
    return plan


def update_plan(actor, plan_id: int, changes: dict) -> Plan:
    """Change a plan's title, focus or commitments; each change is recorded."""
    policy.require(actor, "plan.update")
    plan = _visible_plan(actor, plan_id, for_update=True)
    require_editor(actor, plan.city_id)
    values, errors = _plan_fields(changes, partial=True)
    if errors:
        raise _invalid(errors)
    now = utcnow()
    changed = False
    for name, value in values.items():
        if getattr(plan, name) != value:
            _record(plan, actor, name, getattr(plan, name), value, now=now)
            setattr(plan, name, value)
            changed = True
    if changed:
        plan.updated_at = now
        db.session.commit()
    return plan


def make_current(actor, plan_id: int) -> Plan:
    """Make an earlier plan the city's current one again (the other stops being current)."""
    policy.require(actor, "plan.update")
    plan = _visible_plan(actor, plan_id)
    require_editor(actor, plan.city_id)
    if plan.is_current:
        return plan
    city_or_404(plan.city_id, for_update=True)
    now = utcnow()
    previous = db.session.scalar(
        select(Plan).where(Plan.city_id == plan.city_id, Plan.is_current).with_for_update(of=Plan)
    )
    if previous is not None:
        previous.is_current = False
        previous.updated_at = now
        _record(previous, actor, "is_current", True, False, now=now)
        db.session.flush()
    plan.is_current = True
    plan.updated_at = now
    _record(plan, actor, "is_current", False, True, now=now)
    commit_or_conflict("The current plan changed at the same moment; please reload and try again.")
    return plan


# ---------------------------------------------------------------- milestones

MILESTONE_FIELDS = ("status", "due_date", "evidence_url", "note", "owner", "blocked_reason")


def update_milestone(actor, plan_id: int, key: str, changes: dict) -> Milestone:
    """Apply a partial change to one milestone.

    Rules: statuses are not_started, in_progress, completed, blocked; `completed` needs an
    evidence link or a note (after the change), and sets the completed date; `blocked`
    needs a reason; leaving `completed` (reopening) clears the completed date and is
    recorded like every other change; leaving `blocked` clears the reason. Only the
    current plan is edited: earlier plans are the record of what was.
    """
    policy.require(actor, "milestone.update")
    plan = _visible_plan(actor, plan_id)
    require_editor(actor, plan.city_id)
    if not is_milestone_key(key):
        raise NotFound("No milestone with this key.")
    if not plan.is_current:
        raise Conflict("This plan is no longer the city's current plan; its milestones are kept as they were.")
    milestone = db.session.scalar(
        select(Milestone)
        .where(Milestone.plan_id == plan.id, Milestone.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if milestone is None:
        raise NotFound("No milestone with this key.")

    unknown = set(changes) - set(MILESTONE_FIELDS)
    errors: dict = {name: ["Unknown field."] for name in unknown}
    new = {name: getattr(milestone, name) for name in MILESTONE_FIELDS}
    if "status" in changes:
        if changes["status"] not in STATUSES:
            errors["status"] = [f"Must be one of: {', '.join(STATUSES)}."]
        else:
            new["status"] = changes["status"]
    if "due_date" in changes:
        new["due_date"] = _due_date(errors, changes["due_date"])
    if "evidence_url" in changes:
        new["evidence_url"] = _evidence_url(errors, changes["evidence_url"])
    for name in ("note", "owner", "blocked_reason"):
        if name in changes:
            new[name] = _text(errors, name, changes[name])
    if errors:
        raise _invalid(errors)

    if new["status"] == COMPLETED and not (new["evidence_url"] or new["note"]):
        message = "Add an evidence link or a note to complete this milestone."
        raise Invalid(message, {"evidence_url": [message], "note": [message]})
    if new["status"] == BLOCKED and not new["blocked_reason"]:
        raise Invalid.field("blocked_reason", "Say why the milestone is blocked.")
    if new["status"] != BLOCKED:
        new["blocked_reason"] = None

    now = utcnow()
    changed = False
    for name in MILESTONE_FIELDS:
        old = getattr(milestone, name)
        if old != new[name]:
            _record(plan, actor, name, old, new[name], milestone_key=key, now=now)
            setattr(milestone, name, new[name])
            changed = True
    if not changed:
        db.session.commit()
        return milestone
    if milestone.status == COMPLETED and milestone.completed_at is None:
        milestone.completed_at = now
    elif milestone.status != COMPLETED:
        milestone.completed_at = None
    milestone.updated_at = now
    plan.updated_at = now
    db.session.commit()
    return milestone


# ---------------------------------------------------------------- history


def history_query(actor, plan_id: int):
    """Every change to a plan, newest first. There is no way to edit or delete an entry."""
    policy.require(actor, "history.view")
    plan = _visible_plan(actor, plan_id)
    return (
        select(PlanHistory)
        .where(PlanHistory.plan_id == plan.id)
        .order_by(PlanHistory.changed_at.desc(), PlanHistory.id.desc())
    )


def history_label(entry: PlanHistory) -> str:
    if entry.milestone_key:
        template = BY_KEY.get(entry.milestone_key)
        return template.title if template else entry.milestone_key
    return "Plan"


# ---------------------------------------------------------------- weekly overdue digest


def _digest_key(city_id: int, today: date, user_id: int) -> str:
    year, week, _ = today.isocalendar()
    return f"plans:overdue-digest:city-{city_id}:{year}-W{week:02d}:user-{user_id}"


def send_overdue_digests(now: datetime | None = None) -> dict:
    """Scheduler job (hourly): one digest per ISO week (of the city's own calendar) to each
    coordinator of every city whose current plan has overdue milestones. The outbox dedupe
    key (city + ISO year-week + recipient) makes it exactly once; no overdue, no e-mail."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Milestone, Plan)
        .join(Plan, Milestone.plan_id == Plan.id)
        .where(Plan.is_current, Milestone.status != COMPLETED, Milestone.due_date.is_not(None))
        .order_by(Plan.city_id, Milestone.due_date, Milestone.position)
    ).all()
    overdue: dict[int, list[Milestone]] = defaultdict(list)
    plans: dict[int, Plan] = {}
    for milestone, plan in rows:
        if milestone.is_overdue(city_today(plan.city, now)):
            overdue[plan.city_id].append(milestone)
            plans[plan.city_id] = plan
    queued = 0
    if overdue:
        coordinators = db.session.scalars(
            select(User)
            .where(
                User.role == COORDINATOR,
                User.city_id.in_(list(overdue)),
                User.active.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(User.id)
        ).all()
        by_city: dict[int, list[User]] = defaultdict(list)
        for user in coordinators:
            by_city[user.city_id].append(user)
        wanted = {
            (city_id, user.id): _digest_key(city_id, city_today(plans[city_id].city, now), user.id)
            for city_id in overdue
            for user in by_city.get(city_id, [])
        }
        # Already sent this week: skipped here (the dedupe key would refuse it anyway, even
        # from a second process at the same moment), so the count reports what was queued.
        sent = (
            set(
                db.session.scalars(
                    select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(wanted.values())))
                )
            )
            if wanted
            else set()
        )
        for city_id, items in overdue.items():
            plan = plans[city_id]
            today = city_today(plan.city, now)
            for user in by_city.get(city_id, []):
                key = wanted[(city_id, user.id)]
                if key in sent:
                    continue
                subject = (
                    f"{len(items)} overdue milestone{'s' if len(items) != 1 else ''} in {plan.city.name}'s action plan"
                )
                outbox.queue(
                    user,
                    "plans.overdue_digest",
                    subject,
                    "plans/overdue_digest.txt",
                    {"plan": plan, "city": plan.city, "milestones": items, "today": today},
                    key,
                )
                queued += 1
    db.session.commit()
    return {"cities_with_overdue": len(overdue), "queued": queued}


# ---------------------------------------------------------------- cross-city overview

BASE_SORTS = ("city", "country", "progress", "phase", "overdue")


def stat_columns() -> list[tuple[str, str]]:
    """(key, label) of every statistic other domains registered, in registration order."""
    return [(s.key, s.label) for s in contributions().city_stats.values()]


def _phase_rank(phase: str) -> int:
    return ALL_PHASES.index(phase) if phase in ALL_PHASES else len(ALL_PHASES)


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
    their milestones, and one call per registered statistic with all city ids."""
    policy.require(actor, "overview.view")
    errors: dict = {}
    sorts = BASE_SORTS + tuple(k for k, _ in stat_columns())
    if sort not in sorts:
        errors["sort"] = [f"Sort by one of: {', '.join(sorts)}."]
    if order not in ("asc", "desc"):
        errors["order"] = ["Order is asc or desc."]
    if phase and phase not in ALL_PHASES:
        errors["phase"] = [f"Phase is one of: {', '.join(ALL_PHASES)}."]
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = ["Give a two-letter country code, e.g. DE."]
    if errors:
        raise Invalid("Some filters are invalid.", errors)
    now = now or utcnow()

    city_stmt = select(City).order_by(City.name)
    if country:
        city_stmt = city_stmt.where(City.country == country.upper())
    cities = db.session.scalars(city_stmt).all()
    plans = {
        p.city_id: p
        for p in db.session.scalars(select(Plan).where(Plan.is_current).options(selectinload(Plan.milestones)))
    }
    stats = contributions().all_city_stats([c.id for c in cities])

    rows = []
    for city in cities:
        plan = plans.get(city.id)
        milestones = plan.milestones if plan else []
        today = city_today(city, now)
        row = {
            "city": city,
            "plan": plan,
            "plan_id": plan.id if plan else None,
            "plan_title": plan.title if plan else None,
            "progress_percent": progress_percent(milestones) if plan else None,
            "milestones_completed": sum(1 for m in milestones if m.status == COMPLETED),
            "milestones_total": len(milestones),
            "current_phase": current_phase(milestones) if plan else NO_PLAN_PHASE,
            "overdue_milestones": sum(1 for m in milestones if m.is_overdue(today)),
            "completed_keys": {m.key for m in milestones if m.status == COMPLETED},
            "stats": {key: values.get(city.id) for key, values in stats.items()},
        }
        rows.append(row)
    if phase:
        rows = [r for r in rows if r["current_phase"] == phase]

    def sort_value(row):
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

    present = [r for r in rows if sort_value(r) is not None]
    missing = [r for r in rows if sort_value(r) is None]
    present.sort(key=lambda r: (sort_value(r), r["city"].name.lower()), reverse=(order == "desc"))
    rows = present + sorted(missing, key=lambda r: r["city"].name.lower())  # absent values always last

    chart = [
        {"key": m.key, "title": m.title, "cities": sum(1 for r in rows if m.key in r["completed_keys"])}
        for m in MILESTONES
    ]
    return {
        "rows": rows,
        "chart": chart,
        "stat_columns": stat_columns(),
        "cities_with_plan": sum(1 for r in rows if r["plan"]),
        "filters": {"country": country.upper() if country else None, "phase": phase, "sort": sort, "order": order},
    }


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return isoformat_z(value)
    return str(value)


def overview_csv(data: dict) -> str:
    """The overview as CSV (one row per city, the same columns as the page)."""
    columns = data["stat_columns"]
    rows = [
        [
            "city",
            "country",
            "plan",
            "progress_percent",
            "milestones_completed",
            "milestones_total",
            "current_phase",
            "overdue_milestones",
        ]
        + [key for key, _ in columns]
    ]
    for row in data["rows"]:
        rows.append(
            [
                row["city"].name,
                row["city"].country,
                row["plan_title"] or "",
                csv_value(row["progress_percent"]),
                row["milestones_completed"],
                row["milestones_total"],
                row["current_phase"],
                row["overdue_milestones"],
            ]
            + [csv_value(row["stats"].get(key)) for key, _ in columns]
        )
    return csv_text(rows)


# ---------------------------------------------------------------- city dashboard


def viewer_city_id(actor) -> int:
    city_id = getattr(actor, "city_id", None)
    if city_id is None:
        requested = getattr(actor, "requested_city", None)
        if requested is not None:
            raise NotFound(
                f"You asked to join {requested.name}; you will see its plan once its coordinators "
                "approve. We will tell you by e-mail."
            )
        if getattr(actor, "role", None) == LEARNER:
            raise NotFound("Your account is not linked to a city. Ask to join yours on your account page.")
        raise NotFound("Your account is not linked to a city. Ask the office to add you to your city.")
    return city_id


def milestone_resources(city_id: int | None, plan: Plan | None) -> dict[str, dict]:
    """{kind: {key: [items]}} from every registered provider, asked once for all keys."""
    if plan is None:
        return {}
    return contributions().all_milestone_resources(city_id, list(MILESTONE_KEYS))


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
    if not can_view_city(actor, city.id):
        raise Forbidden("You may only see the plans of your own city.")
    plan = db.session.scalar(
        select(Plan).where(Plan.city_id == city.id, Plan.is_current).options(selectinload(Plan.milestones))
    )
    resources = milestone_resources(city.id, plan)
    learn_next = []
    if plan is not None:
        open_keys = [m.key for m in plan.milestones if m.status != COMPLETED][:2]
        lessons = resources.get("lessons", {})
        for key in open_keys:
            for item in lessons.get(key, []):
                learn_next.append({**item, "milestone": BY_KEY[key].title})
    return {
        "city": city,
        "plan": plan,
        "resources": resources,
        "resource_labels": resource_labels(),
        "learn_next": learn_next,
        "lessons_registered": "lessons" in contributions().milestone_resources,
        "next_session": next_consulting_session(city.id),
        "consulting_registered": "next_consulting_session" in contributions().city_stats,
        "overdue": {m.key for m in overdue_milestones(plan)} if plan else set(),
        "can_edit": can_edit_city(actor, city.id),
    }


# ---------------------------------------------------------------- personal data


def export_plan_history(user: User) -> list[dict]:
    """The plan changes this user made."""
    return [
        {
            "plan_id": h.plan_id,
            "milestone_key": h.milestone_key,
            "field": h.field,
            "from": h.old_value,
            "to": h.new_value,
            "when": isoformat_z(h.changed_at),
            "name_recorded": h.actor_name,
        }
        for h in db.session.scalars(select(PlanHistory).where(PlanHistory.actor_id == user.id).order_by(PlanHistory.id))
    ]


def erase_plan_history_names(user: User) -> None:
    """The changes stay (the plan's record), the actor's name does not."""
    db.session.execute(
        update(PlanHistory)
        .where(PlanHistory.actor_id == user.id)
        .values(actor_name=ERASED_ACTOR)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- demo data


def seed_demo() -> None:
    """Idempotent: a current plan for Graz (two milestones completed with evidence, the
    third in progress), and plans for Heidelberg and Bologna; cities with a plan are skipped."""
    from datetime import timedelta

    cities = {
        c.name: c for c in db.session.scalars(select(City).where(City.name.in_(["Graz", "Heidelberg", "Bologna"])))
    }
    having_plans = set(db.session.scalars(select(Plan.city_id).distinct()))
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.action-lms.eu"))
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.action-lms.eu"))
    today = utcnow().date()

    def milestone(plan, key, actor, **changes):
        m = next(m for m in plan.milestones if m.key == key)
        for name, value in changes.items():
            _record(plan, actor, name, getattr(m, name), value, milestone_key=key)
            setattr(m, name, value)
        if m.status == COMPLETED and m.completed_at is None:
            m.completed_at = utcnow()

    graz = cities.get("Graz")
    if graz is not None and graz.id not in having_plans:
        actor = coordinator if coordinator is not None and coordinator.city_id == graz.id else admin
        plan = _new_plan(
            graz,
            actor,
            "Graz local action plan against racism 2027-2030",
            "The whole Ten-Point Plan, with a focus on victim support and education",
            [1, 3, 4, 8],
        )
        milestone(
            plan,
            "political_mandate",
            actor,
            owner="Office of the Mayor",
            due_date=today - timedelta(days=120),
            evidence_url="https://www.graz.at/",
            note="Council decision to draft the plan.",
            status=COMPLETED,
        )
        milestone(
            plan,
            "coordination_team",
            actor,
            owner="Human rights unit",
            due_date=today - timedelta(days=60),
            note="Working group of eight departments meets monthly.",
            status=COMPLETED,
        )
        milestone(
            plan,
            "baseline_assessment",
            actor,
            owner="Human rights unit",
            due_date=today + timedelta(days=45),
            status=IN_PROGRESS,
        )
        milestone(plan, "stakeholder_consultation", actor, due_date=today + timedelta(days=120))
    for name, title, focus, commitments in (
        ("Heidelberg", "Heidelberg action plan for equal opportunities", "Equal access to municipal services", [5, 6]),
        (
            "Bologna",
            "Bologna plan for non-discriminatory administrative action",
            "Human-rights-based administration",
            [2, 6, 8],
        ),
    ):
        city = cities.get(name)
        if city is None or city.id in having_plans:
            continue
        plan = _new_plan(city, admin, title, focus, commitments)
        milestone(plan, "political_mandate", admin, note="Mandate given by the city council.", status=COMPLETED)
        milestone(plan, "coordination_team", admin, due_date=today - timedelta(days=10), status=IN_PROGRESS)
    db.session.commit()
