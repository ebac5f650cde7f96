"""Enrollment and a learner's own progress: enroll (idempotent, a return keeps its
progress), leave, the progress of one course and the list of my courses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ...core.db import affected_rows, dialect_insert, transactional, unit_of_work
from ...core.errors import Forbidden
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import Certificate, Course, Enrollment
from .catalogue import CourseState, NextStep, Progress, course_state, course_states, visible_course
from .rules import policy


def enroll(user, slug: str) -> tuple[Enrollment, bool]:
    """Idempotent: (enrollment, created?). Re-enrolling reactivates the old row, with its progress."""
    session = db.session
    with unit_of_work():
        policy.require(user, "course.enroll")
        course = visible_course(user, slug)
        stmt = (
            dialect_insert(session, Enrollment.__table__)
            .values(user_id=user.id, course_id=course.id, active=True, enrolled_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
            .returning(Enrollment.__table__.c.id)
        )
        created = session.execute(stmt).first() is not None
        if not created:
            reactivated = session.execute(
                update(Enrollment)
                .where(Enrollment.user_id == user.id, Enrollment.course_id == course.id, Enrollment.active.is_(False))
                .values(active=True, unenrolled_at=None)
            )
            created = affected_rows(reactivated) > 0
    enrollment = session.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    ).one()
    return enrollment, created


@transactional()
def unenroll(user, slug: str) -> None:
    """Leave a course; lesson completions, attempts and any certificate are kept."""
    policy.require(user, "course.enroll")
    course = visible_course(user, slug)
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.user_id == user.id, Enrollment.course_id == course.id, Enrollment.active.is_(True))
        .values(active=False, unenrolled_at=utcnow())
    )


def progress(user, slug: str) -> CourseState:
    policy.require(user, "progress.view_own")
    course = visible_course(user, slug)
    state = course_state(user, course)
    if state.enrollment is None:
        raise Forbidden(_("You are not enrolled in “%(course)s”.", course=course.title))
    return state


@dataclass
class LearningRow:
    enrollment: Enrollment
    course: Course
    state: CourseState

    @property
    def progress(self) -> Progress:
        return self.state.progress

    @property
    def percent(self) -> int:
        return self.progress.percent

    @property
    def lessons_completed(self) -> int:
        return self.progress.lessons_completed

    @property
    def quizzes_passed(self) -> int:
        return self.progress.quizzes_passed

    @property
    def certificate(self) -> Certificate | None:
        return self.state.certificate

    @property
    def next_step(self) -> NextStep | None:
        """*Continue* in an active enrollment (the same answer as on the course page)."""
        return self.state.next_step if self.enrollment.active else None


def my_learning(user) -> list[LearningRow]:
    """Every course I enrolled in (also those I left), with progress, next step and
    certificate, in a fixed number of queries."""
    policy.require(user, "progress.view_own")
    rows = db.session.execute(
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.active.desc(), Enrollment.enrolled_at.desc())
    ).all()
    states = course_states(user, [course for _enrollment, course in rows])
    return [LearningRow(enrollment, course, states[course.id]) for enrollment, course in rows]
