"""The catalogue and one learner's state in a course: which courses a user sees, the
outline with progress and locks, and the lessons recommended for plan milestones.

Progress percentages count lessons *and* quizzes (a course is complete when every lesson
is done and every quiz passed, so 100 % means complete); `Progress` says so in words, for
every page and the API. `CourseState.next_step` is the one answer to "what do I do next?"
(the course page's and My learning's *Continue*).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from flask import url_for
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ...core.errors import MAX_DB_INT, NotFound
from ...core.i18n import _, current_language, ngettext
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
        raise NotFound(_("No course with this address."))
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


@dataclass(frozen=True)
class Progress:
    """What a progress percentage is made of: lessons completed and quizzes passed, of all
    lessons and quizzes. Every page and the API show `percent` with `summary` (or `label`)."""

    lessons_completed: int
    lessons_total: int
    quizzes_passed: int
    quizzes_total: int

    @property
    def done(self) -> int:
        return min(self.lessons_completed, self.lessons_total) + min(self.quizzes_passed, self.quizzes_total)

    @property
    def total(self) -> int:
        return self.lessons_total + self.quizzes_total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def summary(self) -> str:
        """E.g. "8 of 10 lessons and 2 of 3 quizzes done" (no quiz part in a course without quizzes)."""
        lessons = ngettext(
            "%(done)d of %(num)d lesson", "%(done)d of %(num)d lessons", self.lessons_total, done=self.lessons_completed
        )
        if not self.quizzes_total:
            return _("%(lessons)s done", lessons=lessons)
        quizzes = ngettext(
            "%(done)d of %(num)d quiz", "%(done)d of %(num)d quizzes", self.quizzes_total, done=self.quizzes_passed
        )
        return _("%(lessons)s and %(quizzes)s done", lessons=lessons, quizzes=quizzes)

    @property
    def label(self) -> str:
        """E.g. "77% · 8 of 10 lessons and 2 of 3 quizzes done"."""
        return _("%(percent)d%% · %(summary)s", percent=self.percent, summary=self.summary)


@dataclass(frozen=True)
class NextStep:
    """The next thing to do in a course: a lesson, or a module's quiz."""

    LESSON = "lesson"
    QUIZ = "quiz"

    kind: str
    id: int
    title: str
    module: Module
    translations: dict = field(default_factory=dict)  # the lesson's or quiz's, for its title in a language


def step_url(step: NextStep) -> str:
    """Where *Continue* leads: the lesson, or the module's quiz."""
    if step.kind == NextStep.QUIZ:
        return url_for("courses.quiz", quiz_id=step.id)
    return url_for("courses.lesson", lesson_id=step.id)


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

    @property
    def quiz_attempts_left(self) -> bool:
        return self.quiz is not None and (self.quiz.max_attempts is None or self.attempts_used < self.quiz.max_attempts)

    @property
    def out_of_attempts(self) -> bool:
        """Its quiz is not passed and no attempt remains (an administrator can give a fresh start)."""
        return self.quiz is not None and not self.quiz_passed and not self.quiz_attempts_left


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
    def progress(self) -> Progress:
        states = self.module_states.values()
        return Progress(
            lessons_completed=sum(s.lessons_completed for s in states),
            lessons_total=sum(s.lessons_total for s in states),
            quizzes_passed=sum(1 for s in states if s.quiz is not None and s.quiz_passed),
            quizzes_total=sum(1 for s in states if s.quiz is not None),
        )

    @property
    def percent(self) -> int:
        return self.progress.percent

    @property
    def finished(self) -> bool:
        """Every lesson completed and every quiz passed."""
        return bool(self.modules) and all(s.finished for s in self.module_states.values())

    @property
    def next_step(self) -> NextStep | None:
        """What *Continue* leads to: in course order, the first module not finished and not
        locked by its prerequisites gives its first lesson not completed, or, once its
        lessons are done, its quiz while an attempt remains. None when the course is
        finished (or when all that is left waits on a quiz with no attempt left:
        `stuck_on` names it)."""
        if self.enrollment is None:
            return None
        for module in self.modules:
            state = self.module_states[module.id]
            if state.finished or state.locked:
                continue
            lesson = next((item for item in module.lessons if item.id not in self.completed_lesson_ids), None)
            if lesson is not None:
                return NextStep(NextStep.LESSON, lesson.id, lesson.title, module, lesson.translations)
            if state.quiz is not None and state.quiz_attempts_left:
                return NextStep(NextStep.QUIZ, state.quiz.id, state.quiz.title, module, state.quiz.translations)
        return None

    @property
    def stuck_on(self) -> list[Quiz]:
        """Quizzes not passed with no attempt left, when nothing else is left to do."""
        if self.next_step is not None:
            return []
        return [s.quiz for s in self.module_states.values() if s.quiz is not None and s.out_of_attempts]

    @property
    def completed_at(self) -> datetime | None:
        return self.enrollment.completed_at if self.enrollment else None

    def state_of(self, module: Module) -> ModuleState:
        return self.module_states[module.id]


def course_state(user, course: Course) -> CourseState:
    return course_states(user, [course])[course.id]


def course_states(user, courses: list[Course]) -> dict[int, CourseState]:
    """The user's state in each course, in a fixed number of queries however many courses."""
    ids = [course.id for course in courses]
    if not ids:
        return {}
    modules: dict[int, list[Module]] = {course_id: [] for course_id in ids}
    for module in db.session.scalars(
        select(Module)
        .where(Module.course_id.in_(ids))
        .order_by(Module.course_id, Module.position)
        .options(selectinload(Module.lessons), selectinload(Module.quiz))
    ):
        modules[module.course_id].append(module)
    enrollments: dict[int, Enrollment] = {}
    if user is not None and getattr(user, "is_authenticated", False):
        enrollments = {
            e.course_id: e
            for e in db.session.scalars(
                select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id.in_(ids))
            )
        }
    completed: set[int] = set()
    quiz_stats: dict[int, tuple] = {}
    certificates: dict[int, Certificate] = {}
    enrolled_ids = list(enrollments)
    if enrolled_ids:
        completed = set(
            db.session.scalars(
                select(LessonCompletion.lesson_id)
                .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
                .where(LessonCompletion.user_id == user.id, Lesson.course_id.in_(enrolled_ids))
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
            .where(QuizAttempt.user_id == user.id, Quiz.course_id.in_(enrolled_ids))
            .group_by(QuizAttempt.quiz_id)
        ):
            quiz_stats[quiz_id] = (best, used, bool(passed))
        finished_ids = [course_id for course_id, e in enrollments.items() if e.completed_at is not None]
        if finished_ids:
            certificates = {
                c.course_id: c
                for c in db.session.scalars(
                    select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id.in_(finished_ids))
                )
            }
    return {
        course.id: _course_state(
            course, modules[course.id], enrollments.get(course.id), completed, quiz_stats, certificates.get(course.id)
        )
        for course in courses
    }


def _course_state(
    course: Course,
    modules: list[Module],
    enrollment: Enrollment | None,
    completed_anywhere: set[int],
    quiz_stats: dict[int, tuple],
    certificate: Certificate | None,
) -> CourseState:
    if enrollment is None:
        completed: set[int] = set()
        quiz_stats = {}
    else:
        completed = {lesson.id for module in modules for lesson in module.lessons if lesson.id in completed_anywhere}
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
                state.locked_reason = _(
                    "Finish the module “%(module)s” first: complete its lessons and pass its quiz.",
                    module=((required.module.translations or {}).get(current_language()) or {}).get("title")
                    or required.module.title,
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


def _enroll_url(slug: str) -> str:
    from flask import has_request_context, url_for

    return url_for("courses.enroll", slug=slug) if has_request_context() else f"/courses/{slug}/enroll"


def _course_url(slug: str) -> str:
    from flask import has_request_context, url_for

    return url_for("courses.course", slug=slug) if has_request_context() else f"/courses/{slug}"


def _lesson_state_for(viewer, state: CourseState, lesson_id: int, module_id: int) -> dict:
    """The viewer's state of one lesson, as the lesson page would answer it: "open" (it would
    show, also as the office's read-only preview), "done", "locked" with `why`, or "enroll"
    with `enroll_url` (a POST). Locked and not-enrolled lessons carry no `url`: it would be a 403."""
    course = state.course
    if state.enrolled and lesson_id in state.completed_lesson_ids:
        return {"state": "done"}
    if policy.allows(viewer, "course.preview"):
        return {"state": "open"}
    if not state.enrolled:
        return {
            "state": "enroll",
            "url": None,
            "why": _("Enroll in the course “%(course)s” to open its lessons.", course=course.title),
            "enroll_url": _enroll_url(course.slug),
            "course_url": _course_url(course.slug),
        }
    reason = state.module_states[module_id].locked_reason if module_id in state.module_states else None
    if reason:
        return {"state": "locked", "url": None, "why": reason, "course_url": _course_url(course.slug)}
    return {"state": "open"}


def lessons_for_milestones(city_id: int | None, keys: list[str], viewer=None) -> dict[str, list[dict]]:
    """Published lessons tagged with each milestone key, each lesson once per key (one query).
    With a signed-in `viewer`, every item also carries the viewer's `state` (see
    `_lesson_state_for`), in a fixed number of queries more however many lessons."""
    wanted = set(keys)
    result: dict[str, list[dict]] = {key: [] for key in keys}
    if not wanted:
        return result
    rows = db.session.execute(
        select(
            Lesson.id,
            Lesson.title,
            Lesson.milestones,
            Course.title,
            Course.id,
            Lesson.module_id,
            Lesson.translations,
            Course.translations,
        )
        .join(Course, Course.id == Lesson.course_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Course.published.is_(True))
        .order_by(Course.title, Module.position, Lesson.position)
    ).all()
    states: dict[int, CourseState] = {}
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        course_ids = {row[4] for row in rows if wanted.intersection(row[2] or [])}
        if course_ids:
            courses = list(db.session.scalars(select(Course).where(Course.id.in_(course_ids)).order_by(Course.id)))
            states = course_states(viewer, courses)
    language = current_language()  # titles in the reader's language where the course has them
    for lesson_id, title, milestones, course_title, course_id, module_id, l_texts, c_texts in rows:
        title = ((l_texts or {}).get(language) or {}).get("title") or title
        course_title = ((c_texts or {}).get(language) or {}).get("title") or course_title
        for key in dict.fromkeys(milestones or []):
            if key in wanted:
                item = {"title": title, "url": _lesson_url(lesson_id), "detail": course_title, "lesson_id": lesson_id}
                if course_id in states:
                    item.update(_lesson_state_for(viewer, states[course_id], lesson_id, module_id))
                result[key].append(item)
    return result
