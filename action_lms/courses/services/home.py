"""What the courses domain puts on the home page: each course in progress with its exact
next step (*Continue*), the certificates earned, what a city's people are learning (for its
coordinators), and the month's enrolments and certificates for the office."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeContent, HomeItem
from ...core.i18n import _, current_language
from ...core.policy import COORDINATOR, LEARNER
from ...extensions import db
from ..models import Certificate, Enrollment
from .catalogue import NextStep, step_url
from .enrollment import my_learning
from .languages import text
from .reports import reports_overview

#: How many courses in progress and certificates the home page lists before "See all".
HOME_LIMIT = 5


def _in(obj, field: str) -> str:
    """A course's, module's, lesson's or quiz's text in the reader's language where translated."""
    return text(obj, field, current_language())


def _step_detail(step: NextStep) -> str:
    if step.kind == NextStep.QUIZ:
        return _("Next: quiz “%(title)s” in %(module)s", title=_in(step, "title"), module=_in(step.module, "title"))
    return _("Next: lesson “%(title)s” in %(module)s", title=_in(step, "title"), module=_in(step.module, "title"))


def learning_panel(user, now: datetime) -> HomeContent | None:
    """Courses in progress, each with *Continue* to its next lesson or quiz."""
    rows = my_learning(user)
    in_progress = [row for row in rows if row.next_step is not None]
    if not in_progress and user.role != LEARNER:
        return None  # staff who take no course are not asked to
    items = tuple(
        HomeItem(
            text=_in(row.course, "title"),
            url=step_url(row.next_step),
            detail=f"{_step_detail(row.next_step)} · {row.progress.label}",
        )
        for row in in_progress[:HOME_LIMIT]
        if row.next_step is not None
    )
    return HomeContent(
        title=_("Continue learning"),
        items=items,
        empty=_(
            "You have no course in progress. The catalogue lists the courses on drafting and carrying out "
            "a local action plan."
        ),
        more=(_("My learning"), url_for("courses.my_learning"))
        if len(in_progress) > HOME_LIMIT or any(row.certificate for row in rows)
        else (_("Browse the courses"), url_for("courses.catalogue")),
    )


def certificates_panel(user, now: datetime) -> HomeContent | None:
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_at.desc())
            .limit(HOME_LIMIT + 1)
        )
    )
    if not certificates:
        return None
    return HomeContent(
        title=_("Your certificates"),
        items=tuple(
            HomeItem(text=c.course_title, url=url_for("courses.certificate", code=c.code), when=c.issued_at)
            for c in certificates[:HOME_LIMIT]
        ),
        more=(_("My learning"), url_for("courses.my_learning")) if len(certificates) > HOME_LIMIT else None,
    )


def city_learning_panel(user, now: datetime) -> HomeContent | None:
    """For a coordinator: each course their city's people take, with how many are enrolled,
    under way and done."""
    if user.role != COORDINATOR or user.city_id is None:
        return None
    city, rows = reports_overview(user, user.city_id)
    taken = [(course, totals) for course, totals in rows if totals.enrolled]
    return HomeContent(
        title=_("What %(city)s's people are learning", city=city.name)
        if city
        else _("What your city's people are learning"),
        items=tuple(
            HomeItem(
                text=_in(course, "title"),
                url=url_for("courses.report", slug=course.slug, city_id=user.city_id),
                detail=_(
                    "%(enrolled)d enrolled · %(in_progress)d under way · %(completed)d completed",
                    enrolled=totals.enrolled,
                    in_progress=totals.in_progress,
                    completed=totals.completed,
                ),
            )
            for course, totals in taken
        ),
        empty=_("Nobody from your city has enrolled in a course yet."),
        more=(_("Course reports"), url_for("courses.reports", city_id=user.city_id)),
    )


def month_figures(start: datetime, end: datetime) -> list[tuple[str, int, str]]:
    enrolled = db.session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.enrolled_at >= start, Enrollment.enrolled_at < end)
    )
    certified = db.session.scalar(
        select(func.count(Certificate.id)).where(Certificate.issued_at >= start, Certificate.issued_at < end)
    )
    reports = url_for("courses.reports")
    return [(_("Course enrolments"), enrolled or 0, reports), (_("Certificates issued"), certified or 0, reports)]
