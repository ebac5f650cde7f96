"""What webinars tell the feedback domain: who attended a webinar that ended (they are asked
whether it helped), and the year's webinars held and registrations made, per city."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select

from ...accounts.models import User
from ...core.hooks import FeedbackDue
from ...core.impact import figures, year_range
from ...extensions import db
from ..models import Webinar, WebinarRegistration


def feedback_due(now: datetime, since: datetime) -> list[FeedbackDue]:
    rows = db.session.execute(
        select(WebinarRegistration.user_id, Webinar.id, Webinar.title, Webinar.ends_at, User.city_id)
        .join(Webinar, Webinar.id == WebinarRegistration.webinar_id)
        .join(User, User.id == WebinarRegistration.user_id)
        .where(
            WebinarRegistration.attended.is_(True),
            Webinar.status != Webinar.CANCELLED,
            Webinar.ends_at > since,
            Webinar.ends_at <= now,
        )
        .order_by(Webinar.ends_at, WebinarRegistration.id)
    )
    return [FeedbackDue(uid, wid, title, ends, city) for uid, wid, title, ends, city in rows]


def impact_figures(year: int, city_ids: list[int] | None) -> dict:
    """Events: webinars held that year (with a city filter: those its people attended).
    Requests made: registrations, by the registrant's city."""
    start, end = year_range(year)
    held = (Webinar.status != Webinar.CANCELLED, Webinar.ends_at >= start, Webinar.ends_at < end)
    attended = (
        select(User.city_id, func.count(distinct(Webinar.id)))
        .join(WebinarRegistration, WebinarRegistration.user_id == User.id)
        .join(Webinar, Webinar.id == WebinarRegistration.webinar_id)
        .where(*held, WebinarRegistration.attended.is_(True))
        .group_by(User.city_id)
    )
    registered = (
        select(User.city_id, func.count(WebinarRegistration.id))
        .join(WebinarRegistration, WebinarRegistration.user_id == User.id)
        .where(WebinarRegistration.created_at >= start, WebinarRegistration.created_at < end)
        .group_by(User.city_id)
    )
    total = select(func.count(Webinar.id)).where(*held)
    if city_ids is not None:
        attended = attended.where(User.city_id.in_(city_ids))
        registered = registered.where(User.city_id.in_(city_ids))
        total = (
            select(func.count(distinct(Webinar.id)))
            .join(WebinarRegistration, WebinarRegistration.webinar_id == Webinar.id)
            .join(User, User.id == WebinarRegistration.user_id)
            .where(*held, WebinarRegistration.attended.is_(True), User.city_id.in_(city_ids))
        )
    return figures(
        dict(db.session.execute(attended).all()),
        dict(db.session.execute(registered).all()),
        db.session.scalar(total) or 0,
    )
