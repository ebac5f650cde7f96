"""Lessons: who may open one (enrolled, module unlocked, or a read-only preview), the
lesson page with its neighbours, and marking a lesson done."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.db import dialect_insert, unit_of_work
from ...core.errors import Forbidden, NotFound
from ...core.i18n import _
from ...core.time import utcnow
from ...extensions import db
from ..models import Course, Lesson, LessonCompletion, Module
from .catalogue import CourseState, can_view_course, course_state, get_by_id
from .certificates import complete_course_if_done, lock_enrollment
from .rules import PREVIEW_ACTIONS, can_preview, policy


@dataclass
class LessonView:
    lesson: Lesson
    module: Module
    state: CourseState
    previous: Lesson | None
    next: Lesson | None
    preview: bool = False  # opened through "course.preview", not as an enrolled learner with the module unlocked

    @property
    def course(self) -> Course:
        return self.state.course

    @property
    def completed(self) -> bool:
        return self.lesson.id in self.state.completed_lesson_ids


class Locked(Forbidden):
    """403 for a lesson or quiz the learner cannot open yet; pages show a lock with the reason."""

    def __init__(self, message: str, course: Course, enrolled: bool):
        super().__init__(message)
        self.course = course
        self.enrolled = enrolled


def _require_learning_access(user, course: Course, module: Module, state: CourseState) -> None:
    if not state.enrolled:
        raise Locked(
            _("Enroll in the course “%(course)s” to open its lessons and quizzes.", course=course.title), course, False
        )
    reason = state.state_of(module).locked_reason
    if reason:
        raise Locked(reason, course, True)


def _learning_access(user, course: Course, module: Module, state: CourseState, action: str) -> bool:
    """Raise Locked as for any learner, unless the user may preview content (the office checking
    courses): then return True, the page being a read-only preview. False: a learner's normal access."""
    try:
        _require_learning_access(user, course, module, state)
    except Locked:
        if action in PREVIEW_ACTIONS and can_preview(user):
            return True
        raise
    return False


def open_module(user, course_id: int, module_id: int, action: str, not_found: str) -> tuple[CourseState, Module, bool]:
    """The user's state in the course of a lesson or quiz, its module, and whether it opens
    as a read-only preview; NotFound (`not_found`) in a course the user may not see."""
    course = db.session.get_one(Course, course_id)
    if not can_view_course(user, course):
        raise NotFound(not_found)
    state = course_state(user, course)
    module = next(m for m in state.modules if m.id == module_id)
    return state, module, _learning_access(user, course, module, state, action)


def _lesson_context(user, lesson_id: int, action: str) -> LessonView:
    policy.require(user, action)
    lesson = get_by_id(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(_("No lesson with this id."))
    state, module, preview = open_module(user, lesson.course_id, lesson.module_id, action, _("No lesson with this id."))
    ordered = state.lessons
    index = next(i for i, item in enumerate(ordered) if item.id == lesson.id)
    return LessonView(
        lesson=ordered[index],
        module=module,
        state=state,
        previous=ordered[index - 1] if index > 0 else None,
        next=ordered[index + 1] if index + 1 < len(ordered) else None,
        preview=preview,
    )


def lesson_view(user, lesson_id: int) -> LessonView:
    return _lesson_context(user, lesson_id, "lesson.view")


def complete_lesson(user, lesson_id: int) -> LessonView:
    """Mark a lesson done (idempotent); completes the course when it was the last item."""
    with unit_of_work():
        view = _lesson_context(user, lesson_id, "lesson.complete")
        lock_enrollment(view.state.enrollment)
        db.session.execute(
            dialect_insert(db.session, LessonCompletion.__table__)
            .values(user_id=user.id, lesson_id=lesson_id, completed_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"])
        )
        complete_course_if_done(user, view.course)
    return lesson_view(user, lesson_id)
