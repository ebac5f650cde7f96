"""The weekly overdue digest (a scheduler job, run hourly)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from ...accounts.models import User
from ...core import outbox
from ...core.db import transactional
from ...core.i18n import lazy_ngettext
from ...core.models import OutboxMessage
from ...core.policy import COORDINATOR
from ...core.time import utcnow
from ...extensions import db
from ..models import COMPLETED, Milestone, Plan
from ..progress import city_today


def _digest_key(city_id: int, today: date, user_id: int) -> str:
    year, week, __ = today.isocalendar()
    return f"plans:overdue-digest:city-{city_id}:{year}-W{week:02d}:user-{user_id}"


def overdue_by_city(now: datetime) -> tuple[dict[int, list[Milestone]], dict[int, Plan]]:
    """({city id: overdue milestones of its current plan}, {city id: that plan})."""
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
    return overdue, plans


def _coordinators_by_city(city_ids: list[int]) -> dict[int, list[User]]:
    """The active coordinators of these cities."""
    by_city: dict[int, list[User]] = defaultdict(list)
    for user in db.session.scalars(
        select(User)
        .where(
            User.role == COORDINATOR,
            User.city_id.in_(city_ids),
            User.active.is_(True),
            User.erased_at.is_(None),
        )
        .order_by(User.id)
    ):
        if user.city_id is not None:
            by_city[user.city_id].append(user)
    return by_city


@transactional()
def send_overdue_digests(now: datetime | None = None) -> dict:
    """Scheduler job (hourly): one digest per ISO week (of the city's own calendar) to each
    coordinator of every city whose current plan has overdue milestones. The outbox dedupe
    key (city + ISO year-week + recipient) makes it exactly once; no overdue, no e-mail."""
    now = now or utcnow()
    overdue, plans = overdue_by_city(now)
    queued = 0
    if overdue:
        by_city = _coordinators_by_city(list(overdue))
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
                subject = lazy_ngettext(
                    "%(num)d overdue milestone in %(city)s's action plan",
                    "%(num)d overdue milestones in %(city)s's action plan",
                    len(items),
                    city=plan.city.name,
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
    return {"cities_with_overdue": len(overdue), "queued": queued}
