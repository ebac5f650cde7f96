"""What courses tell the feedback domain: who completed a course (they are asked whether it
helped), and the year's completions and enrollments, per learner's city."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ...accounts.models import User
from ...core.hooks import FeedbackDue
from ...core.impact import figures, year_range
from ...extensions import db
from ..models import Course, Enrollment


def feedback_due(now: datetime, since: datetime) -> list[FeedbackDue]:
    rows = db.session.execute(
        select(Enrollment.user_id, Course.id, Course.title, Enrollment.completed_at, User.city_id)
        .join(Course, Course.id == Enrollment.course_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.completed_at.is_not(None), Enrollment.completed_at > since, Enrollment.completed_at <= now)
        .order_by(Enrollment.completed_at, Enrollment.id)
    )
    return [FeedbackDue(uid, cid, title, done, city) for uid, cid, title, done, city in rows if done is not None]


def impact_figures(year: int, city_ids: list[int] | None) -> dict:
    """Events: courses completed that year. Requests made: enrollments that year."""
    start, end = year_range(year)
    done = (
        select(User.city_id, func.count(Enrollment.id))
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.completed_at >= start, Enrollment.completed_at < end)
        .group_by(User.city_id)
    )
    made = (
        select(User.city_id, func.count(Enrollment.id))
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.enrolled_at >= start, Enrollment.enrolled_at < end)
        .group_by(User.city_id)
    )
    if city_ids is not None:
        done = done.where(User.city_id.in_(city_ids))
        made = made.where(User.city_id.in_(city_ids))
    return figures(dict(db.session.execute(done).all()), dict(db.session.execute(made).all()))
