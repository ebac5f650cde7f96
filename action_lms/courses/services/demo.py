"""Demo data for `flask demo seed`: the demo learner half-way through the main course."""

from __future__ import annotations

from sqlalchemy import func, select

from ...accounts.models import User
from ...core.db import transactional
from ...extensions import db
from ..models import Course, Enrollment, Lesson, Module
from .enrollment import enroll
from .lessons import complete_lesson

DEMO_COURSE = "drafting-local-action-plans"
DEMO_LEARNER = "learner@demo.action-lms.eu"


@transactional()
def seed_demo() -> None:
    """Enroll the demo learner in the main course with two lessons done (if imported)."""
    course = db.session.scalar(select(Course).where(Course.slug == DEMO_COURSE))
    learner = db.session.scalar(select(User).where(func.lower(User.email) == DEMO_LEARNER))
    if course is None or learner is None:
        return
    existing = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == learner.id, Enrollment.course_id == course.id)
    )
    if existing is not None:
        return
    enroll(learner, DEMO_COURSE)
    first_lessons = db.session.scalars(
        select(Lesson.id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.course_id == course.id)
        .order_by(Module.position, Lesson.position)
        .limit(2)
    ).all()
    for lesson_id in first_lessons:
        complete_lesson(learner, lesson_id)
