"""What the webinars domain puts on the home page: the viewer's next webinars, the office's
webinars of the coming week with how full they are, and the month's figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeContent, HomeItem
from ...core.i18n import _
from ...core.policy import ADMIN, LEARNER
from ...extensions import db
from ..models import Webinar
from .catalogue import list_webinars_query
from .registration import my_webinars
from .rules import Reg

HOME_LIMIT = 4
#: "This week" on the office's home: the next seven days.
WEEK = timedelta(days=7)


def my_next_webinars_panel(user, now: datetime) -> HomeContent | None:
    upcoming = my_webinars(user, now).upcoming
    if not upcoming and user.role != LEARNER:
        return None
    items = []
    for item in upcoming[:HOME_LIMIT]:
        mine = item["my_registration"] or {}
        waiting = mine.get("status") == Reg.WAITLISTED
        items.append(
            HomeItem(
                text=item["title"],
                url=url_for("webinars.detail", webinar_id=item["id"]),
                when=item["starts_at"],
                badge=_("On the waiting list") if waiting else (_("Starting") if item["started"] else ""),
            )
        )
    return HomeContent(
        title=_("Your next webinars"),
        items=tuple(items),
        empty=_("You are not registered for any coming webinar."),
        more=(_("My webinars"), url_for("webinars.mine"))
        if len(upcoming) > HOME_LIMIT
        else (_("All webinars"), url_for("webinars.index")),
    )


def fill_rate(confirmed: int, capacity: int) -> int:
    return round(100 * confirmed / capacity) if capacity else 0


def _seats_detail(confirmed: int, capacity: int, waitlisted: int) -> str:
    """'12 of 40 seats taken (30%)', with ' · 3 waiting' when people wait."""
    values = {"taken": confirmed, "capacity": capacity, "rate": fill_rate(confirmed, capacity), "waiting": waitlisted}
    if waitlisted:
        return _("%(taken)d of %(capacity)d seats taken (%(rate)d%%) · %(waiting)d waiting", **values)
    return _("%(taken)d of %(capacity)d seats taken (%(rate)d%%)", **values)


def week_panel(user, now: datetime) -> HomeContent | None:
    """For the office: the webinars starting in the next seven days, each with its fill rate."""
    if user.role != ADMIN:
        return None
    rows = db.session.execute(list_webinars_query(user, starts_from=now, starts_to=now + WEEK, now=now)).all()
    items = tuple(
        HomeItem(
            text=webinar.title,
            url=url_for("webinars.registrations", webinar_id=webinar.id),
            when=webinar.starts_at,
            detail=_seats_detail(confirmed or 0, webinar.capacity, waitlisted or 0),
            badge=_("Draft")
            if webinar.status == Webinar.DRAFT
            else _("Cancelled")
            if webinar.status == Webinar.CANCELLED
            else "",
        )
        for webinar, confirmed, waitlisted in rows
    )
    return HomeContent(
        title=_("Webinars in the next seven days"),
        items=items,
        empty=_("No webinar starts in the next seven days."),
        more=(_("Schedule a webinar"), url_for("webinars.edit")),
    )


def month_figures(start: datetime, end: datetime) -> list[tuple[str, int, str]]:
    held, attended = db.session.execute(
        select(
            func.count(func.distinct(Webinar.id)),
            func.count(Reg.id).filter(Reg.attended.is_(True)),
        )
        .outerjoin(Reg, Reg.webinar_id == Webinar.id)
        .where(Webinar.status == Webinar.PUBLISHED, Webinar.starts_at >= start, Webinar.starts_at < end)
    ).one()
    index = url_for("webinars.index", when="past")
    return [(_("Webinars held"), held or 0, index), (_("Webinar attendances"), attended or 0, index)]
