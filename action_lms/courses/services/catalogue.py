"""The catalogue and one learner's state in a course: which courses a user sees, the
outline with progress and locks, and the lessons recommended for plan milestones.

Progress percentages count lessons *and* quizzes (a course is complete when every lesson
is done and every quiz passed, so 100 % means complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ...core.errors import MAX_DB_INT, NotFound
from ...extensions import db
from ..models import Certificate, Course, Enrollment, Lesson, LessonCompletion, Module, Quiz, QuizAttempt
from .rules import policy

T = TypeVar("T")


def get_by_id(model: type[T], object_id: int) -> T | None:
    """The row with this id, or None; ids no column can hold are unknown (no driver overflow)."""
    if not isinstance(object_id, int) or not 0 < object_id <= MAX_DB_INT:
        return None
    return db.session.get(model, object_id)


def can_view_course(user, course: Course) -> bool:
    """Published courses are for everyone; unpublished ones for those checking them."""
    return course.published or policy.allows(user, "course.view_unpublished")


def visible_course(user, slug: str) -> Course:
    """The course at this address, or NotFound when there is none the user may see."""
    policy.require(user, "course.view")
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_view_course(user, course):
        raise NotFound("No course with this address.")
    return course


def catalogue_query(user):
    """Published courses (administrators also see unpublished ones), by title."""
    policy.require(user, "course.list")
    stmt = select(Course).order_by(Course.title, Course.id)
    if not policy.allows(user, "course.view_unpublished"):
        stmt = stmt.where(Course.published.is_(True))
    return stmt


def catalogue(user) -> list[Course]:
    return list(db.session.scalars(catalogue_query(user)))


@dataclass
class ModuleState:
    module: Module
    lessons_total: int
    lessons_completed: int
    quiz: Quiz | None
    quiz_passed: bool
    best_score: int | None
    attempts_used: int
    locked_reason: str | None = None

    @property
    def items_total(self) -> int:
        return self.lessons_total + (1 if self.quiz else 0)

    @property
    def items_done(self) -> int:
        return self.lessons_completed + (1 if self.quiz_passed else 0)

    @property
    def percent(self) -> int:
        return round(100 * self.items_done / self.items_total) if self.items_total else 100

    @property
    def finished(self) -> bool:
        return self.items_done >= self.items_total

    @property
    def locked(self) -> bool:
        return self.locked_reason is not None


@dataclass
class CourseState:
    """Everything a page needs about one learner in one course, in a fixed number of queries."""

    course: Course
    modules: list[Module]
    enrollment: Enrollment | None
    completed_lesson_ids: set[int]
    module_states: dict[int, ModuleState]
    certificate: Certificate | None

    @property
    def enrolled(self) -> bool:
        return self.enrollment is not None and self.enrollment.active

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def lessons_total(self) -> int:
        return sum(s.lessons_total for s in self.module_states.values())

    @property
    def lessons_completed(self) -> int:
        return sum(s.lessons_completed for s in self.module_states.values())

    @property
    def percent(self) -> int:
        total = sum(s.items_total for s in self.module_states.values())
        done = sum(s.items_done for s in self.module_states.values())
        return round(100 * done / total) if total else 0

    @property
    def completed_at(self) -> datetime | None:
        return self.enrollment.completed_at if self.enrollment else None

    def state_of(self, module: Module) -> ModuleState:
        return self.module_states[module.id]


def course_state(user, course: Course) -> CourseState:
    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course.id)
            .order_by(Module.position)
            .options(selectinload(Module.lessons), selectinload(Module.quiz))
        )
    )
    enrollment = completed = None
    quiz_stats: dict[int, tuple] = {}
    certificate = None
    if user is not None and getattr(user, "is_authenticated", False):
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
        )
    if enrollment is not None:
        completed = set(
            db.session.scalars(
                select(LessonCompletion.lesson_id)
                .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
                .where(LessonCompletion.user_id == user.id, Lesson.course_id == course.id)
            )
        )
        for quiz_id, best, used, passed in db.session.execute(
            select(
                QuizAttempt.quiz_id,
                func.max(QuizAttempt.score),
                func.count(QuizAttempt.id),
                func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
            )
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id == user.id, Quiz.course_id == course.id)
            .group_by(QuizAttempt.quiz_id)
        ):
            quiz_stats[quiz_id] = (best, used, bool(passed))
        if enrollment.completed_at is not None:
            certificate = db.session.scalar(
                select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id == course.id)
            )
    completed = completed or set()
    states: dict[int, ModuleState] = {}
    by_key: dict[str, ModuleState] = {}
    for module in modules:
        quiz = module.quiz
        best, used, passed = quiz_stats.get(quiz.id, (None, 0, False)) if quiz else (None, 0, False)
        state = ModuleState(
            module=module,
            lessons_total=len(module.lessons),
            lessons_completed=sum(1 for lesson in module.lessons if lesson.id in completed),
            quiz=quiz,
            quiz_passed=passed,
            best_score=best,
            attempts_used=used,
        )
        for key in module.prerequisites or []:
            required = by_key.get(key)
            if required is not None and not required.finished:
                state.locked_reason = (
                    f"Finish the module “{required.module.title}” first: complete its lessons and pass its quiz."
                )
                break
        states[module.id] = state
        by_key[module.key] = state
    return CourseState(
        course=course,
        modules=modules,
        enrollment=enrollment,
        completed_lesson_ids=completed,
        module_states=states,
        certificate=certificate,
    )


def outline(user, slug: str) -> CourseState:
    course = visible_course(user, slug)
    return course_state(user, course)


# ---------------------------------------------------------------- resources of plan milestones


def _lesson_url(lesson_id: int) -> str:
    from flask import has_request_context, url_for

    return url_for("courses.lesson", lesson_id=lesson_id) if has_request_context() else f"/lessons/{lesson_id}"


def lessons_for_milestones(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]:
    """Published lessons tagged with each milestone key (one query)."""
    wanted = set(keys)
    result: dict[str, list[dict]] = {key: [] for key in keys}
    if not wanted:
        return result
    rows = db.session.execute(
        select(Lesson.id, Lesson.title, Lesson.milestones, Course.title)
        .join(Course, Course.id == Lesson.course_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Course.published.is_(True))
        .order_by(Course.title, Module.position, Lesson.position)
    ).all()
    for lesson_id, title, milestones, course_title in rows:
        for key in milestones or []:
            if key in wanted:
                result[key].append({"title": title, "url": _lesson_url(lesson_id), "detail": course_title})
    return result
