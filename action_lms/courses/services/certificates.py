"""Course completion and certificates: the last lesson done or quiz passed completes the
course and issues one certificate; anyone holding its code can verify it."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from ...core import outbox
from ...core.db import dialect_insert
from ...core.errors import NotFound
from ...core.i18n import _, _l, user_language
from ...core.time import utcnow
from ...core.validators import column_length
from ...extensions import db
from ..models import Certificate, Course, Enrollment
from .catalogue import course_state
from .languages import text


def lock_enrollment(enrollment: Enrollment | None) -> None:
    """Serialise one learner's writes in one course (PostgreSQL row lock; SQLite writers
    are serialised already), so two last steps done at once still complete the course."""
    if enrollment is not None:
        db.session.execute(select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update())


def complete_course_if_done(user, course: Course) -> Certificate | None:
    """Every lesson completed and every quiz passed: completed_at and a certificate, once.
    Runs inside the caller's unit of work (a lesson completion or a passed attempt)."""
    state = course_state(user, course)
    if state.enrollment is None or not all(s.finished for s in state.module_states.values()) or not state.modules:
        return None
    now = utcnow()
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == state.enrollment.id, Enrollment.completed_at.is_(None))
        .values(completed_at=now)
    )
    code = secrets.token_urlsafe(18)  # 144 random bits: unguessable
    # Issued in the learner's language; the course's title in it where the course has one.
    language = user_language(user)
    title = text(course, "title", language)
    stmt = (
        dialect_insert(db.session, Certificate.__table__)
        .values(
            code=code,
            user_id=user.id,
            course_id=course.id,
            learner_name=user.name,
            course_title=title,
            language=language,
            issued_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
        .returning(Certificate.__table__.c.id)
    )
    if db.session.execute(stmt).first() is not None:
        outbox.queue(
            user,
            "course_certificate",
            _l("Your certificate: %(title)s", title=title),
            "courses/certificate.txt",
            {"course_title": title, "code": code},
            f"course-certificate:{user.id}:{course.id}",
        )
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id == course.id)
    )


def verify_certificate(code: str) -> Certificate:
    """Public: anyone holding the code can check it. Revoked (erased learner) → valid False."""
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.code == (code or "")[: column_length(Certificate.code)])
    )
    if certificate is None:
        raise NotFound(_("No certificate with this code."))
    return certificate
