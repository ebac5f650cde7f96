"""Enrollment and a learner's own progress: enroll (idempotent, a return keeps its
progress), leave, the progress of one course and the list of my courses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from ...core.db import affected_rows, dialect_insert, transactional, unit_of_work
from ...core.errors import Forbidden
from ...core.time import utcnow
from ...extensions import db
from ..models import Certificate, Course, Enrollment, Lesson, LessonCompletion, Quiz, QuizAttempt
from .catalogue import CourseState, course_state, visible_course
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
        raise Forbidden(f"You are not enrolled in “{course.title}”.")
    return state


@dataclass
class LearningRow:
    enrollment: Enrollment
    course: Course
    lessons_completed: int
    quizzes_passed: int
    certificate: Certificate | None

    @property
    def percent(self) -> int:
        total = self.course.lessons_count + self.course.quizzes_count
        done = min(self.lessons_completed + self.quizzes_passed, total)
        return round(100 * done / total) if total else 0


def my_learning(user) -> list[LearningRow]:
    """Every course I enrolled in (also those I left), with progress and certificate."""
    policy.require(user, "progress.view_own")
    rows = db.session.execute(
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.active.desc(), Enrollment.enrolled_at.desc())
    ).all()
    lessons = dict(
        db.session.execute(
            select(Lesson.course_id, func.count(LessonCompletion.id))
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .where(LessonCompletion.user_id == user.id)
            .group_by(Lesson.course_id)
        ).all()
    )
    quizzes = dict(
        db.session.execute(
            select(Quiz.course_id, func.count(func.distinct(QuizAttempt.quiz_id)))
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.passed.is_(True))
            .group_by(Quiz.course_id)
        ).all()
    )
    certificates = {
        c.course_id: c for c in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id))
    }
    return [LearningRow(e, c, lessons.get(c.id, 0), quizzes.get(c.id, 0), certificates.get(c.id)) for e, c in rows]
