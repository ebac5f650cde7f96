"""Finding and presenting webinars: loading (with the row lock writers take), the lists of
the API, the pages and the CLI, and the dict every face shows of one webinar."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from ...core.errors import MAX_DB_INT, NotFound
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import MAX_DURATION_MINUTES, Webinar
from .rules import MAX_PAGE, PAGE_SIZE, Reg, can_see_join_url, policy

# ---------------------------------------------------------------- loading


def load_webinar(webinar_id: int) -> Webinar | None:
    """The webinar, or None (also for ids no integer column can hold)."""
    if not 0 < webinar_id <= MAX_DB_INT:
        return None
    return db.session.get(Webinar, webinar_id)


def lock_webinar(webinar_id: int) -> Webinar:
    """The webinar under a row lock for the rest of the transaction (PostgreSQL FOR UPDATE;
    SQLite writers are already serialised by BEGIN IMMEDIATE). Every registration change
    takes it, so counting seats and handing out waitlist positions is never raced."""
    webinar = None
    if 0 < webinar_id <= MAX_DB_INT:
        webinar = db.session.scalar(
            select(Webinar).where(Webinar.id == webinar_id).with_for_update().execution_options(populate_existing=True)
        )
    if webinar is None:
        raise NotFound(_("No webinar with this id."))
    return webinar


def visible(actor, webinar: Webinar | None) -> Webinar:
    """The webinar if this viewer may see it (drafts only for administrators), else NotFound."""
    if webinar is None or (webinar.status == Webinar.DRAFT and not policy.allows(actor, "webinar.view_drafts")):
        raise NotFound(_("No webinar with this id."))
    return webinar


def get_webinar(actor, webinar_id: int) -> Webinar:
    policy.require(actor, "webinar.view")
    return visible(actor, load_webinar(webinar_id))


def seat_counts(webinar_id: int) -> tuple[int, int]:
    """(confirmed, waitlisted) of one webinar."""
    return _counts_by_webinar([webinar_id]).get(webinar_id, (0, 0))


def _counts_by_webinar(webinar_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{webinar id: (confirmed, waitlisted)} in one query."""
    if not webinar_ids:
        return {}
    found: dict[int, dict[str, int]] = {}
    for webinar_id, status, count in db.session.execute(
        select(Reg.webinar_id, Reg.status, func.count(Reg.id))
        .where(Reg.webinar_id.in_(webinar_ids), Reg.status.in_(Reg.ACTIVE))
        .group_by(Reg.webinar_id, Reg.status)
    ):
        found.setdefault(webinar_id, {})[status] = count
    return {
        webinar_id: (counts.get(Reg.CONFIRMED, 0), counts.get(Reg.WAITLISTED, 0))
        for webinar_id, counts in found.items()
    }


def active_registration(webinar_id: int, user_id: int) -> Reg | None:
    return db.session.scalar(
        select(Reg).where(Reg.webinar_id == webinar_id, Reg.user_id == user_id, Reg.status.in_(Reg.ACTIVE))
    )


def _my_registrations(actor, webinar_ids: Sequence[int]) -> dict[int, Reg]:
    """The viewer's active registrations for these webinars, in one query."""
    if not webinar_ids or not getattr(actor, "is_authenticated", False):
        return {}
    return {
        reg.webinar_id: reg
        for reg in db.session.scalars(
            select(Reg).where(Reg.webinar_id.in_(webinar_ids), Reg.user_id == actor.id, Reg.status.in_(Reg.ACTIVE))
        )
    }


# ---------------------------------------------------------------- presenting


def registration_open(webinar: Webinar, confirmed: int | None = None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return webinar.status == Webinar.PUBLISHED and now < webinar.closes_at


def present_registration(reg: Reg) -> dict:
    return {
        "id": reg.id,
        "webinar_id": reg.webinar_id,
        "status": reg.status,
        "waitlist_position": reg.waitlist_position,
        "attended": reg.attended,
        "created_at": reg.created_at,
    }


def present(
    actor, webinar: Webinar, confirmed: int, waitlisted: int, mine: Reg | None, now: datetime | None = None
) -> dict:
    """Everything the API and the pages show about one webinar for this viewer."""
    now = now or utcnow()
    return {
        "obj": webinar,
        "id": webinar.id,
        "title": webinar.title,
        "description": webinar.description,
        "description_html": webinar.description_html,
        "starts_at": webinar.starts_at,
        "ends_at": webinar.ends_at,
        "duration_minutes": webinar.duration_minutes,
        "timezone": webinar.timezone,
        "capacity": webinar.capacity,
        "confirmed_count": confirmed,
        "seats_left": max(webinar.capacity - confirmed, 0),
        "waitlist_length": waitlisted,
        "status": webinar.status,
        "past": webinar.is_past(now),
        "started": webinar.has_started(now),
        "registration_open": registration_open(webinar, now=now),
        "registration_closes_at": webinar.closes_at,
        "join_url": webinar.join_url if can_see_join_url(actor, webinar, mine) else None,
        "recording_url": webinar.recording_url,
        "cancel_reason": webinar.cancel_reason,
        "course_module_keys": list(webinar.course_module_keys or []),
        "milestone_keys": list(webinar.milestone_keys or []),
        "sequence": webinar.sequence,
        "my_registration": present_registration(mine) if mine is not None else None,
    }


def webinar_detail(actor, webinar_id: int) -> dict:
    webinar = get_webinar(actor, webinar_id)
    confirmed, waitlisted = seat_counts(webinar.id)
    mine = active_registration(webinar.id, actor.id)
    return present(actor, webinar, confirmed, waitlisted, mine)


# ---------------------------------------------------------------- lists


def confirmed_count_col():
    return (
        select(func.count(Reg.id))
        .where(Reg.webinar_id == Webinar.id, Reg.status == Reg.CONFIRMED)
        .correlate(Webinar)
        .scalar_subquery()
        .label("confirmed")
    )


def waitlist_count_col():
    return (
        select(func.count(Reg.id))
        .where(Reg.webinar_id == Webinar.id, Reg.status == Reg.WAITLISTED)
        .correlate(Webinar)
        .scalar_subquery()
        .label("waitlisted")
    )


def list_webinars_query(
    actor,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    include_past: bool = False,
    when: str = "upcoming",
    now: datetime | None = None,
    with_counts: bool = True,
) -> Select:
    """The webinars this viewer may list, as (Webinar, confirmed, waitlisted) rows (only
    Webinar without `with_counts`). `when`: upcoming (not yet ended), past (ended, newest
    first) or all; `include_past` widens upcoming to all."""
    policy.require(actor, "webinar.list")
    now = now or utcnow()
    stmt = select(Webinar)
    if with_counts:
        stmt = stmt.add_columns(confirmed_count_col(), waitlist_count_col())
    if not policy.allows(actor, "webinar.view_drafts"):
        stmt = stmt.where(Webinar.status != Webinar.DRAFT)
    if include_past and when == "upcoming":
        when = "all"
    if when == "upcoming":
        # No webinar is longer than MAX_DURATION_MINUTES (the services refuse longer ones): the
        # bound on starts_at lets the starts_at index skip every past webinar instead of
        # reading them all before the first upcoming one (13,000 rows at 20,000 webinars, bench/).
        earliest = now - timedelta(minutes=MAX_DURATION_MINUTES)
        stmt = stmt.where(Webinar.ends_at > now, Webinar.starts_at > earliest).order_by(Webinar.starts_at, Webinar.id)
    elif when == "past":
        stmt = stmt.where(Webinar.ends_at <= now).order_by(Webinar.starts_at.desc(), Webinar.id.desc())
    else:
        stmt = stmt.order_by(Webinar.starts_at, Webinar.id)
    if starts_from is not None:
        stmt = stmt.where(Webinar.starts_at >= starts_from)
    if starts_to is not None:
        stmt = stmt.where(Webinar.starts_at < starts_to)
    return stmt


def list_webinars(actor, when: str = "upcoming") -> list:
    """Every (Webinar, confirmed, waitlisted) row of `when` (the CLI's list)."""
    return list(db.session.execute(list_webinars_query(actor, when=when)).all())


def present_rows(actor, rows: Iterable, now: datetime | None = None) -> list[dict]:
    """Turn (Webinar, confirmed, waitlisted) rows into presented dicts with the viewer's
    own registrations loaded in one more query."""
    now = now or utcnow()
    rows = list(rows)
    mine = _my_registrations(actor, [row[0].id for row in rows])
    return [
        present(actor, w, confirmed or 0, waitlisted or 0, mine.get(w.id), now) for w, confirmed, waitlisted in rows
    ]


def present_webinars(actor, webinars: Sequence[Webinar], now: datetime | None = None) -> list[dict]:
    """Presented dicts of loaded webinars: seats and the viewer's registrations in two queries."""
    ids = [w.id for w in webinars]
    counts = _counts_by_webinar(ids)
    return present_rows(actor, [(w, *counts.get(w.id, (0, 0))) for w in webinars], now)


def webinars_page(actor, when: str = "upcoming", page: int = 1, per_page: int = PAGE_SIZE) -> Pagination:
    """One page of the HTML list (a `db.paginate` result whose items are presented dicts)."""
    pagination = db.paginate(
        list_webinars_query(actor, when=when, with_counts=False),
        page=min(max(page, 1), MAX_PAGE),
        per_page=per_page,
        error_out=False,
    )
    pagination.items = present_webinars(actor, pagination.items)
    return pagination
