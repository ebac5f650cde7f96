"""What the webinars domain gives other domains: attendance figures of the cross-city
overview, and webinars listed under plan milestones."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ...accounts.models import User
from ...core.i18n import _l
from ...core.time import format_local, utcnow
from ...courses.services import module_choices
from ...extensions import db
from ...plans.template import BY_KEY
from ..models import Webinar
from .rules import Reg

MILESTONE_RESOURCE_HISTORY = timedelta(days=365)


def attendances_by_city(city_ids: list[int]) -> dict[int, int]:
    """{city_id: attended registrations by users of that city} in one query."""
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(User.city_id, func.count(Reg.id))
        .join(Reg, Reg.user_id == User.id)
        .where(User.city_id.in_(city_ids), Reg.attended.is_(True))
        .group_by(User.city_id)
    ).all()
    found = {key: value for key, value in rows}
    return {city_id: found.get(city_id, 0) for city_id in city_ids}


def webinars_for_milestones(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]:
    """Published webinars related to each milestone key (one query)."""
    wanted = set(keys or [])
    result: dict[str, list[dict]] = {key: [] for key in wanted}
    if not wanted:
        return result
    since = utcnow() - MILESTONE_RESOURCE_HISTORY
    for webinar in db.session.scalars(
        select(Webinar).where(Webinar.status == Webinar.PUBLISHED, Webinar.ends_at >= since).order_by(Webinar.starts_at)
    ):
        for key in webinar.milestone_keys or []:
            if key in wanted:
                result[key].append(
                    {
                        "title": webinar.title,
                        "url": f"/webinars/{webinar.id}",
                        "detail": format_local(webinar.starts_at, webinar.timezone),
                    }
                )
    return result


def milestone_choices() -> list[tuple[str, str]]:
    """(key, title) of every plan milestone, for the webinar form."""
    return [(key, m.title) for key, m in BY_KEY.items()]


def milestone_titles() -> dict:
    """{key: template milestone} for the webinar page's related milestones."""
    return dict(BY_KEY)


#: The heading of module keys a webinar holds whose module has gone (a label, not a key).
STALE_MODULES = _l("No longer in a published course")


def module_picker(kept=()) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]:
    """The webinar form's picker of course modules: ((key, title) choices, [(course title,
    [keys])] groups in course order). Keys the webinar already holds whose module has gone
    are offered under their own heading, so that saving keeps them until unticked."""
    choices: list[tuple[str, str]] = []
    groups: dict[str, list[str]] = {}
    for choice in module_choices():
        choices.append((choice.key, choice.title))
        groups.setdefault(choice.course_title, []).append(choice.key)
    known = {key for key, _title in choices}
    stale = [key for key in dict.fromkeys(kept or ()) if key not in known]
    if stale:
        choices.extend((key, key) for key in stale)
        groups[str(STALE_MODULES)] = stale
    return choices, list(groups.items())


def module_titles(keys) -> list[dict]:
    """The webinar page's related course modules, in the webinar's order: {key, title,
    course_title, course_slug}; a module that has gone keeps its key as title and no course."""
    by_key = {choice.key: choice for choice in module_choices()} if keys else {}
    result = []
    for key in keys or ():
        choice = by_key.get(key)
        result.append(
            {
                "key": key,
                "title": choice.title if choice else key,
                "course_title": choice.course_title if choice else None,
                "course_slug": choice.course_slug if choice else None,
            }
        )
    return result
