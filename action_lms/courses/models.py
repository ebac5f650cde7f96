"""Models of the courses domain.

Content (courses, modules, lessons, quizzes, questions, options) is written only by the
importer; each row has a file-level `key` so a re-import finds it again and keeps its id
(and with it the learners' progress). Learner state (enrollments, lesson completions,
quiz attempts, certificates) is written by the learning services; unique indexes hold
the "once" rules (one enrollment per course, one completion per lesson, one attempt per
number, one certificate per course) in the database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import UTCDateTime
from ..core.time import utcnow
from ..extensions import Model


class Course(Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    language: Mapped[str] = mapped_column(String(10), nullable=False, default="en")
    # Every language the course is offered in (its own `language` first).
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # Translated texts by language, matched by key at import: {"de": {...}} (see docs/courses.md).
    translations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    version: Mapped[str] = mapped_column(String(40), nullable=False, default="1")
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Denormalised at import (content changes only there) so the catalogue is one query.
    modules_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lessons_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    quizzes_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    estimated_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )


class Module(Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Keys of the modules of the same course to finish first (validated at import).
    prerequisites: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # Translated texts by language, matched by key at import: {"de": {...}} (see docs/courses.md).
    translations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(back_populates="module", order_by="Lesson.position")
    quiz: Mapped[Quiz | None] = relationship(back_populates="module", uselist=False)

    __table_args__ = (UniqueConstraint("course_id", "key"),)


class Lesson(Model):
    __tablename__ = "course_lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_modules.id", ondelete="CASCADE"), nullable=False, index=True
    )
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    commitments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    milestones: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Translated texts by language, matched by key at import: {"de": {...}} (see docs/courses.md).
    translations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    source_path: Mapped[str] = mapped_column(String(400), nullable=False, default="")

    module: Mapped[Module] = relationship(back_populates="lessons")

    __table_args__ = (UniqueConstraint("course_id", "key"),)


class Quiz(Model):
    __tablename__ = "course_quizzes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_modules.id", ondelete="CASCADE"), nullable=False, index=True
    )
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    pass_mark: Mapped[int] = mapped_column(Integer, nullable=False)  # percent
    max_attempts: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    # False (the default): an attempt must answer every question; True: blanks count as wrong.
    allow_blanks: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Translated texts by language, matched by key at import: {"de": {...}} (see docs/courses.md).
    translations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    source_path: Mapped[str] = mapped_column(String(400), nullable=False, default="")

    module: Mapped[Module] = relationship(back_populates="quiz")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("course_id", "key"),)


class Question(Model):
    __tablename__ = "quiz_questions"

    SINGLE = "single"
    MULTIPLE = "multiple"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("course_quizzes.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    type: Mapped[str] = mapped_column(String(10), nullable=False)
    # Translated texts by language, matched by key at import: {"de": {...}} (see docs/courses.md).
    translations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("quiz_id", "key"),)


class Option(Model):
    __tablename__ = "quiz_options"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Translated texts by language, matched by key at import: {"de": {...}} (see docs/courses.md).
    translations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    question: Mapped[Question] = relationship(back_populates="options")

    __table_args__ = (UniqueConstraint("question_id", "key"),)


class Enrollment(Model):
    """One row per learner and course, kept when the learner unenrolls (active=False) so
    a return finds their progress."""

    __tablename__ = "course_enrollments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    unenrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the learner reads the course in (None: their own where offered, else the course's).
    language: Mapped[str | None] = mapped_column(String(5))

    course: Mapped[Course] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_course_enrollments_user_active", "user_id", "active"),
    )


class LessonCompletion(Model):
    __tablename__ = "lesson_completions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("course_lessons.id", ondelete="CASCADE"), nullable=False, index=True
    )
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)


class QuizAttempt(Model):
    """A graded attempt. The unique (user, quiz, attempt_number) makes two simultaneous
    submissions for the last allowed attempt collide in the database."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("course_quizzes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    attempt_number: Mapped[int] = mapped_column(Integer, nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)  # percent, 0-100
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # {question_id: [option ids chosen]} and {question_id: correct?} at grading time.
    answers: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    results: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    quiz: Mapped[Quiz] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "attempt_number"),)


class Certificate(Model):
    """Issued once per learner and course. When the learner erases their account the
    name is removed and `revoked_at` set: the code then verifies as `valid: false`."""

    __tablename__ = "course_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True)
    learner_name: Mapped[str | None] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300), nullable=False)
    language: Mapped[str] = mapped_column(String(5), nullable=False, default="en", server_default="en")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_course_certificates_user_revoked", "user_id", "revoked_at"),
    )

    @property
    def valid(self) -> bool:
        return self.revoked_at is None
