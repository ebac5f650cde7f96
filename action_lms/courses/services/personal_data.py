"""A learner's personal data: the export section of `GET /api/v1/me/data` and the erasure
that answers `user_erased`."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ...core.db import transactional
from ...core.time import utcnow
from ...extensions import db
from ..models import Certificate, Course, Enrollment, Lesson, LessonCompletion, Quiz, QuizAttempt


def export_learning(user) -> dict:
    enrollments = db.session.execute(
        select(Enrollment, Course.slug, Course.title)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.id)
    ).all()
    completions = db.session.execute(
        select(LessonCompletion.completed_at, Lesson.key, Lesson.title, Course.slug)
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(LessonCompletion.user_id == user.id)
        .order_by(LessonCompletion.completed_at)
    ).all()
    attempts = db.session.execute(
        select(QuizAttempt, Quiz.title, Course.slug)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(QuizAttempt.user_id == user.id)
        .order_by(QuizAttempt.submitted_at)
    ).all()
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    return {
        "enrollments": [
            {
                "course": slug,
                "course_title": title,
                "active": e.active,
                "enrolled_at": e.enrolled_at.isoformat(),
                "unenrolled_at": e.unenrolled_at.isoformat() if e.unenrolled_at else None,
                "completed_at": e.completed_at.isoformat() if e.completed_at else None,
            }
            for e, slug, title in enrollments
        ],
        "lesson_completions": [
            {"course": slug, "lesson": key, "lesson_title": title, "completed_at": at.isoformat()}
            for at, key, title, slug in completions
        ],
        "quiz_attempts": [
            {
                "course": slug,
                "quiz": title,
                "attempt_number": a.attempt_number,
                "score": a.score,
                "passed": a.passed,
                "answers": a.answers,
                "submitted_at": a.submitted_at.isoformat(),
            }
            for a, title, slug in attempts
        ],
        "certificates": [
            {
                "code": c.code,
                "course_title": c.course_title,
                "learner_name": c.learner_name,
                "issued_at": c.issued_at.isoformat(),
                "valid": c.valid,
            }
            for c in certificates
        ],
    }


@transactional()
def erase_learning(user) -> None:
    """Progress, attempts and enrollments are deleted; certificates lose the name and stop
    verifying (the code answers valid=false, so a verifier learns it was withdrawn). Called by
    the accounts domain's erasure, it joins that unit of work."""
    db.session.execute(delete(LessonCompletion).where(LessonCompletion.user_id == user.id))
    db.session.execute(delete(QuizAttempt).where(QuizAttempt.user_id == user.id))
    db.session.execute(delete(Enrollment).where(Enrollment.user_id == user.id))
    db.session.execute(
        update(Certificate).where(Certificate.user_id == user.id).values(learner_name=None, revoked_at=utcnow())
    )
