"""Business rules of the courses domain: content import, catalogue, enrollment, lesson
progress, prerequisites, quizzes, course completion, certificates, reports, personal data.

Progress percentages count lessons *and* quizzes (a course is complete when every lesson
is done and every quiz passed, so 100 % means complete).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import City, User
from ..core import outbox
from ..core.db import dialect_insert, is_unique_violation
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.policy import ADMIN, ANY_USER, COORDINATOR, Policy
from ..core.time import utcnow
from ..extensions import db
from . import content
from .models import (
    Certificate,
    Course,
    Enrollment,
    Lesson,
    LessonCompletion,
    Module,
    Option,
    Question,
    Quiz,
    QuizAttempt,
)

policy = Policy(
    "courses",
    {
        "course.list": ANY_USER,
        "course.view": ANY_USER,
        "course.view_unpublished": {ADMIN},
        # Read any lesson or quiz without enrolling or unlocking it (read-only: no progress is written).
        "course.preview": {ADMIN},
        "course.enroll": ANY_USER,
        "lesson.view": ANY_USER,
        "lesson.complete": ANY_USER,
        "quiz.view": ANY_USER,
        "quiz.attempt": ANY_USER,
        "progress.view_own": ANY_USER,
        "report.view": {ADMIN, COORDINATOR},
        "report.view_all_cities": {ADMIN},
        "quiz.reset_attempts": {ADMIN},
    },
)


# ================================================================ import


@dataclass
class ImportResult:
    problems: list[content.Problem] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    courses: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_directory(root: str | Path, dry_run: bool = False) -> ImportResult:
    """Validate every file under `root`, then upsert all courses in one transaction.

    Nothing is written when any file has a problem, on a dry run, or when nothing changed.
    Rows are found again by slug and by their file-level keys, so ids (and the learners'
    progress attached to them) survive re-imports.
    """
    parsed, problems = content.load_directory(root)
    result = ImportResult(problems=problems, courses=len(parsed), dry_run=dry_run)
    if problems:
        return result
    try:
        for course in parsed:
            _apply_course(course, result.changes)
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if not is_unique_violation(exc):
            raise
        result.problems.append(
            content.Problem(
                str(root),
                None,
                "another import changed the same courses at the same moment; nothing was written, run it again",
            )
        )
        result.changes = []
        return result
    except Exception:
        db.session.rollback()
        raise
    if dry_run or not result.changes:
        db.session.rollback()
    else:
        db.session.commit()
    return result


def _assign(obj, values: dict, changes: list[str] | None, label: str) -> bool:
    """Set only the attributes whose value differs (an unchanged import writes nothing)."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    if changed and changes is not None:
        changes.append(f"{label}: {', '.join(changed)} changed")
    return bool(changed)


def _apply_course(data: content.CourseData, changes: list[str]) -> None:
    session = db.session
    start = len(changes)
    course = session.scalar(select(Course).where(Course.slug == data.slug))
    label = f"course {data.slug!r}"
    fields = {
        "title": data.title,
        "summary": data.summary,
        "language": data.language,
        "version": data.version,
        "published": data.published,
    }
    derived = {
        "modules_count": len(data.modules),
        "lessons_count": len(data.lessons),
        "quizzes_count": sum(1 for m in data.modules if m.quiz),
        "estimated_minutes": data.estimated_minutes,
    }
    if course is None:
        course = Course(slug=data.slug, created_at=utcnow(), updated_at=utcnow(), **fields, **derived)
        session.add(course)
        session.flush()
        changes.append(f"{label}: new course ({len(data.modules)} modules, {len(data.lessons)} lessons)")
        modules, lessons, quizzes = {}, {}, {}
    else:
        _assign(course, fields, changes, label)
        _assign(course, derived, None, label)
        modules = {m.key: m for m in session.scalars(select(Module).where(Module.course_id == course.id))}
        lessons = {
            lesson.key: lesson for lesson in session.scalars(select(Lesson).where(Lesson.course_id == course.id))
        }
        quizzes = {
            q.key: q
            for q in session.scalars(
                select(Quiz)
                .where(Quiz.course_id == course.id)
                .options(selectinload(Quiz.questions).selectinload(Question.options))
            )
        }

    kept_modules: dict[str, Module] = {}
    for position, m_data in enumerate(data.modules, start=1):
        module = modules.pop(m_data.key, None)
        values = {
            "position": position,
            "title": m_data.title,
            "summary": m_data.summary,
            "prerequisites": list(m_data.prerequisites),
        }
        if module is None:
            module = Module(course_id=course.id, key=m_data.key, **values)
            session.add(module)
            changes.append(f"{label}: module {m_data.key!r} added")
        else:
            _assign(module, values, changes, f"{label}, module {m_data.key!r}")
        kept_modules[m_data.key] = module
    session.flush()

    for m_data in data.modules:
        module = kept_modules[m_data.key]
        for position, l_data in enumerate(m_data.lessons, start=1):
            lesson = lessons.pop(l_data.key, None)
            values = {
                "module_id": module.id,
                "position": position,
                "title": l_data.title,
                "minutes": l_data.minutes,
                "commitments": list(l_data.commitments),
                "milestones": list(l_data.milestones),
                "body_html": l_data.body_html,
                "source_path": l_data.source_path,
            }
            if lesson is None:
                session.add(Lesson(course_id=course.id, key=l_data.key, **values))
                changes.append(f"{label}: lesson {l_data.key!r} added")
            else:
                _assign(lesson, values, changes, f"{label}, lesson {l_data.key!r}")
        if m_data.quiz is not None:
            quiz = quizzes.pop(m_data.quiz.key, None)
            _apply_quiz(course, module, quiz, m_data.quiz, changes, label)

    for key in lessons:
        changes.append(f"{label}: lesson {key!r} removed (its completions are dropped)")
    for key in quizzes:
        changes.append(f"{label}: quiz {key!r} removed (its attempts are dropped)")
    for key in modules:
        changes.append(f"{label}: module {key!r} removed")
    session.flush()
    if lessons:
        session.execute(delete(Lesson).where(Lesson.id.in_([lesson.id for lesson in lessons.values()])))
    if quizzes:
        session.execute(delete(Quiz).where(Quiz.id.in_([q.id for q in quizzes.values()])))
    if modules:
        session.execute(delete(Module).where(Module.id.in_([m.id for m in modules.values()])))
    if len(changes) > start:
        course.updated_at = utcnow()


def _apply_quiz(
    course: Course, module: Module, quiz: Quiz | None, data: content.QuizData, changes: list[str], label: str
) -> None:
    q_label = f"{label}, quiz {data.key!r}"
    values = {
        "module_id": module.id,
        "title": data.title,
        "pass_mark": data.pass_mark,
        "max_attempts": data.max_attempts,
        "source_path": data.source_path,
    }
    if quiz is None:
        quiz = Quiz(course_id=course.id, key=data.key, **values)
        db.session.add(quiz)
        changes.append(f"{q_label} added ({len(data.questions)} questions)")
        existing: dict[str, Question] = {}
    else:
        _assign(quiz, values, changes, q_label)
        existing = {q.key: q for q in quiz.questions}
    for position, q_data in enumerate(data.questions, start=1):
        question = existing.pop(q_data.key, None)
        values = {"position": position, "text": q_data.text, "type": q_data.type}
        if question is None:
            question = Question(key=q_data.key, **values)
            quiz.questions.append(question)
            if quiz.id is not None:
                changes.append(f"{q_label}: question {q_data.key!r} added")
            options: dict[str, Option] = {}
        else:
            _assign(question, values, changes, f"{q_label}, question {q_data.key!r}")
            options = {o.key: o for o in question.options}
        for o_position, o_data in enumerate(q_data.options, start=1):
            option = options.pop(o_data.key, None)
            o_values = {"position": o_position, "text": o_data.text, "correct": o_data.correct}
            if option is None:
                question.options.append(Option(key=o_data.key, **o_values))
                if question.id is not None:
                    changes.append(f"{q_label}, question {q_data.key!r}: option {o_data.key!r} added")
            else:
                _assign(option, o_values, changes, f"{q_label}, question {q_data.key!r}, option {o_data.key!r}")
        for key, option in options.items():
            question.options.remove(option)
            changes.append(f"{q_label}, question {q_data.key!r}: option {key!r} removed")
    for key, question in existing.items():
        quiz.questions.remove(question)
        changes.append(f"{q_label}: question {key!r} removed")


# ================================================================ catalogue and outline

MAX_ID = 2**31 - 1


def _get(model, object_id: int):
    """db.session.get that treats ids no column can hold as unknown (no driver overflow)."""
    if not isinstance(object_id, int) or not 0 < object_id <= MAX_ID:
        return None
    return db.session.get(model, object_id)


def _visible_course(user, slug: str) -> Course:
    policy.require(user, "course.view")
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or (not course.published and not policy.allows(user, "course.view_unpublished")):
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
    course = _visible_course(user, slug)
    return course_state(user, course)


# ================================================================ enrollment


def enroll(user, slug: str) -> tuple[Enrollment, bool]:
    """Idempotent: (enrollment, created?). Re-enrolling reactivates the old row, with its progress."""
    policy.require(user, "course.enroll")
    course = _visible_course(user, slug)
    now = utcnow()
    session = db.session
    stmt = (
        dialect_insert(session, Enrollment.__table__)
        .values(user_id=user.id, course_id=course.id, active=True, enrolled_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
        .returning(Enrollment.__table__.c.id)
    )
    created = session.execute(stmt).first() is not None
    if not created:
        reactivated = session.execute(
            update(Enrollment)
            .where(Enrollment.user_id == user.id, Enrollment.course_id == course.id, Enrollment.active.is_(False))
            .values(active=True, unenrolled_at=None)
        ).rowcount
        created = bool(reactivated)
    session.commit()
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )
    return enrollment, created


def unenroll(user, slug: str) -> None:
    """Leave a course; lesson completions, attempts and any certificate are kept."""
    policy.require(user, "course.enroll")
    course = _visible_course(user, slug)
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.user_id == user.id, Enrollment.course_id == course.id, Enrollment.active.is_(True))
        .values(active=False, unenrolled_at=utcnow())
    )
    db.session.commit()


# ================================================================ lessons


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
        raise Locked(f"Enroll in the course “{course.title}” to open its lessons and quizzes.", course, False)
    reason = state.state_of(module).locked_reason
    if reason:
        raise Locked(reason, course, True)


# Reading, never writing: only these actions may fall back to a preview.
PREVIEW_ACTIONS = ("lesson.view", "quiz.view")


def _learning_access(user, course: Course, module: Module, state: CourseState, action: str) -> bool:
    """Raise Locked as for any learner, unless the user may preview content (the office checking
    courses): then return True, the page being a read-only preview. False: a learner's normal access."""
    try:
        _require_learning_access(user, course, module, state)
    except Locked:
        if action in PREVIEW_ACTIONS and policy.allows(user, "course.preview"):
            return True
        raise
    return False


def _lesson_context(user, lesson_id: int, action: str) -> LessonView:
    policy.require(user, action)
    lesson = _get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound("No lesson with this id.")
    course = db.session.get(Course, lesson.course_id)
    if not course.published and not policy.allows(user, "course.view_unpublished"):
        raise NotFound("No lesson with this id.")
    state = course_state(user, course)
    ordered = state.lessons
    index = next(i for i, item in enumerate(ordered) if item.id == lesson.id)
    module = next(m for m in state.modules if m.id == lesson.module_id)
    preview = _learning_access(user, course, module, state, action)
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
    view = _lesson_context(user, lesson_id, "lesson.complete")
    _lock_enrollment(view.state.enrollment)
    stmt = (
        dialect_insert(db.session, LessonCompletion.__table__)
        .values(user_id=user.id, lesson_id=lesson_id, completed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"])
    )
    db.session.execute(stmt)
    _complete_course_if_done(user, view.course)
    db.session.commit()
    return lesson_view(user, lesson_id)


def _complete_course_if_done(user, course: Course) -> Certificate | None:
    """Every lesson completed and every quiz passed: completed_at and a certificate, once."""
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
    stmt = (
        dialect_insert(db.session, Certificate.__table__)
        .values(
            code=code,
            user_id=user.id,
            course_id=course.id,
            learner_name=user.name,
            course_title=course.title,
            issued_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "course_id"])
        .returning(Certificate.__table__.c.id)
    )
    if db.session.execute(stmt).first() is not None:
        outbox.queue(
            user,
            "course_certificate",
            f"Your certificate: {course.title}",
            "courses/certificate.txt",
            {"course_title": course.title, "code": code},
            f"course-certificate:{user.id}:{course.id}",
        )
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id == course.id)
    )


def _lock_enrollment(enrollment: Enrollment | None) -> None:
    """Serialise one learner's writes in one course (PostgreSQL row lock; SQLite writers
    are serialised already), so two last steps done at once still complete the course."""
    if enrollment is not None:
        db.session.execute(select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update())


# ================================================================ quizzes


@dataclass
class QuizView:
    quiz: Quiz
    module: Module
    state: CourseState
    attempts: list[QuizAttempt]
    preview: bool = False  # as LessonView.preview: questions shown, no answers taken

    @property
    def course(self) -> Course:
        return self.state.course

    @property
    def module_state(self) -> ModuleState:
        return self.state.state_of(self.module)

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        return None if self.quiz.max_attempts is None else max(self.quiz.max_attempts - self.attempts_used, 0)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def best_score(self) -> int | None:
        return max((a.score for a in self.attempts), default=None)

    @property
    def can_attempt(self) -> bool:
        return self.attempts_left is None or self.attempts_left > 0

    @property
    def reveal_answers(self) -> bool:
        """Correct answers are shown only when no retry remains."""
        return not self.can_attempt


def quiz_view(user, quiz_id: int, action: str = "quiz.view") -> QuizView:
    policy.require(user, action)
    quiz = (
        None
        if _get(Quiz, quiz_id) is None
        else db.session.scalar(
            select(Quiz).where(Quiz.id == quiz_id).options(selectinload(Quiz.questions).selectinload(Question.options))
        )
    )
    if quiz is None:
        raise NotFound("No quiz with this id.")
    course = db.session.get(Course, quiz.course_id)
    if not course.published and not policy.allows(user, "course.view_unpublished"):
        raise NotFound("No quiz with this id.")
    state = course_state(user, course)
    module = next(m for m in state.modules if m.id == quiz.module_id)
    preview = _learning_access(user, course, module, state, action)
    attempts = list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
            .order_by(QuizAttempt.attempt_number)
        )
    )
    return QuizView(quiz=quiz, module=module, state=state, attempts=attempts, preview=preview)


def _validate_answers(quiz: Quiz, answers) -> dict[int, set[int]]:
    if not isinstance(answers, dict):
        raise Invalid.field("answers", "Send an object mapping question ids to lists of option ids.")
    questions = {q.id: q for q in quiz.questions}
    errors: dict[str, list[str]] = {}
    chosen: dict[int, set[int]] = {}
    for raw_id, option_ids in answers.items():
        try:
            question_id = int(raw_id)
        except (TypeError, ValueError):
            errors[f"answers.{raw_id}"] = ["Not a question id."]
            continue
        question = questions.get(question_id)
        if question is None:
            errors[f"answers.{raw_id}"] = ["This question is not part of this quiz."]
            continue
        if not isinstance(option_ids, (list, tuple)):
            errors[f"answers.{raw_id}"] = ["Send a list of option ids."]
            continue
        valid = {o.id for o in question.options}
        picked = set()
        for option_id in option_ids:
            if isinstance(option_id, bool) or not isinstance(option_id, int) or option_id not in valid:
                errors[f"answers.{raw_id}"] = [f"Option {option_id!r} is not an option of this question."]
                break
            picked.add(option_id)
        else:
            if question.type == Question.SINGLE and len(picked) > 1:
                errors[f"answers.{raw_id}"] = ["Choose one option only: this is a single-choice question."]
                continue
            chosen[question_id] = picked
    if errors:
        raise Invalid("Some answers do not match the quiz's questions.", errors)
    return chosen


def grade(quiz: Quiz, chosen: dict[int, set[int]]) -> tuple[int, dict[str, bool]]:
    """A question counts only when exactly its correct options are chosen (no partial
    credit for multiple choice; unanswered is wrong). Score: percent, rounded down."""
    results = {}
    for question in quiz.questions:
        correct = {o.id for o in question.options if o.correct}
        results[str(question.id)] = chosen.get(question.id, set()) == correct
    total = len(quiz.questions)
    score = (100 * sum(results.values())) // total if total else 0
    return score, results


def submit_attempt(user, quiz_id: int, answers) -> tuple[QuizAttempt, QuizView]:
    view = quiz_view(user, quiz_id, "quiz.attempt")
    quiz = view.quiz
    chosen = _validate_answers(quiz, answers)
    _lock_enrollment(view.state.enrollment)
    used = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)
    )
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        raise Conflict(f"You have used all {quiz.max_attempts} attempts for this quiz.")
    score, results = grade(quiz, chosen)
    attempt = QuizAttempt(
        user_id=user.id,
        quiz_id=quiz.id,
        attempt_number=used + 1,
        score=score,
        passed=score >= quiz.pass_mark,
        answers={str(k): sorted(v) for k, v in chosen.items()},
        results=results,
        submitted_at=utcnow(),
    )
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if is_unique_violation(exc):
            raise Conflict(
                "Another attempt at this quiz was submitted at the same moment; reload and try again."
            ) from exc
        raise
    if attempt.passed:
        _complete_course_if_done(user, view.course)
    db.session.commit()
    attempt_id = attempt.id
    return db.session.get(QuizAttempt, attempt_id), quiz_view(user, quiz_id)


def reset_quiz_attempts(actor, quiz_id: int, user_id: int) -> int:
    """Administrators give a learner a fresh start on a quiz (e.g. after using every
    attempt): their attempts at it are deleted. A completed course stays completed."""
    policy.require(actor, "quiz.reset_attempts")
    if _get(Quiz, quiz_id) is None:
        raise NotFound("No quiz with this id.")
    learner = _get(User, user_id)
    if learner is None or learner.erased_at is not None:
        raise NotFound("No user with this id.")
    deleted = db.session.execute(
        delete(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id)
    ).rowcount
    db.session.commit()
    return deleted


def course_quizzes(course: Course) -> list[Quiz]:
    return list(
        db.session.scalars(
            select(Quiz)
            .join(Module, Module.id == Quiz.module_id)
            .where(Quiz.course_id == course.id)
            .order_by(Module.position)
            .options(contains_eager(Quiz.module))
        )
    )


def attempt_result(user, quiz_id: int, attempt_number: int) -> tuple[QuizAttempt, QuizView]:
    view = quiz_view(user, quiz_id)
    attempt = next((a for a in view.attempts if a.attempt_number == attempt_number), None)
    if attempt is None:
        raise NotFound("No attempt with this number.")
    return attempt, view


def attempt_feedback(attempt: QuizAttempt, view: QuizView) -> list[dict]:
    """Per question: what was chosen and whether it was right; the correct options only
    when no retry remains."""
    items = []
    for question in view.quiz.questions:
        chosen = set(attempt.answers.get(str(question.id), []))
        items.append(
            {
                "question": question,
                "id": question.id,
                "correct": bool(attempt.results.get(str(question.id), False)),
                "chosen_option_ids": sorted(chosen),
                "correct_option_ids": sorted(o.id for o in question.options if o.correct)
                if view.reveal_answers
                else None,
            }
        )
    return items


# ================================================================ progress and certificates


def progress(user, slug: str) -> CourseState:
    policy.require(user, "progress.view_own")
    course = _visible_course(user, slug)
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


def verify_certificate(code: str) -> Certificate:
    """Public: anyone holding the code can check it. Revoked (erased learner) → valid False."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == (code or "")[:64]))
    if certificate is None:
        raise NotFound("No certificate with this code.")
    return certificate


# ================================================================ reports


@dataclass
class ReportRow:
    user: User
    city: City | None
    enrollment: Enrollment
    lessons_completed: int
    quizzes_passed: int
    average_score: float | None
    lessons_total: int
    quizzes_total: int

    @property
    def percent(self) -> int:
        total = self.lessons_total + self.quizzes_total
        return round(100 * min(self.lessons_completed + self.quizzes_passed, total) / total) if total else 0

    @property
    def status(self) -> str:
        if self.enrollment.completed_at is not None:
            return "completed"
        if not self.enrollment.active:
            return "unenrolled"
        if self.lessons_completed or self.quizzes_passed or self.average_score is not None:
            return "in_progress"
        return "not_started"


@dataclass
class ReportTotals:
    label: str
    city: City | None = None
    enrolled: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    scores: list = field(default_factory=list)

    @property
    def average_quiz_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    def add(self, row: ReportRow, best_scores: list[int]) -> None:
        status = row.status
        if status == "unenrolled":
            return
        self.enrolled += 1
        setattr(self, status, getattr(self, status) + 1)
        self.scores.extend(best_scores)


@dataclass
class CourseReport:
    course: Course
    city: City | None
    totals: ReportTotals
    cities: list[ReportTotals]
    learners: list[ReportRow]


def _report_city(user, city_id: int | None) -> City | None:
    policy.require(user, "report.view")
    if not policy.allows(user, "report.view_all_cities"):
        if city_id is not None and city_id != user.city_id:
            raise Forbidden("Coordinators see the reports of their own city only.")
        city_id = user.city_id
    if city_id is None:
        return None
    city = _get(City, city_id)
    if city is None:
        raise Invalid.field("city_id", "No city with this id.")
    return city


def course_report(user, slug: str, city_id: int | None = None) -> CourseReport:
    """Per learner and per city: enrolled, in progress, completed, average best quiz score.
    Coordinators see only the learners of their city. Five queries whatever the size."""
    city = _report_city(user, city_id)
    course = _visible_course(user, slug)
    learners = (
        select(Enrollment, User, City)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(City, City.id == User.city_id)
        .where(Enrollment.course_id == course.id)
    )
    if city is not None:
        learners = learners.where(User.city_id == city.id)
    rows = db.session.execute(learners.order_by(City.name, User.name, User.id)).all()
    completions = dict(
        db.session.execute(
            select(LessonCompletion.user_id, func.count(LessonCompletion.id))
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .join(User, User.id == LessonCompletion.user_id)
            .where(Lesson.course_id == course.id, *([User.city_id == city.id] if city else []))
            .group_by(LessonCompletion.user_id)
        ).all()
    )
    best: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for user_id, _quiz_id, score, passed in db.session.execute(
        select(
            QuizAttempt.user_id,
            QuizAttempt.quiz_id,
            func.max(QuizAttempt.score),
            func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
        )
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(Quiz.course_id == course.id, *([User.city_id == city.id] if city else []))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
    ):
        best[user_id].append((score, bool(passed)))
    totals = ReportTotals(label="All cities" if city is None else city.name, city=city)
    per_city: dict[int | None, ReportTotals] = {}
    report_rows = []
    for enrollment, learner, learner_city in rows:
        scores = [s for s, _ in best.get(learner.id, [])]
        row = ReportRow(
            user=learner,
            city=learner_city,
            enrollment=enrollment,
            lessons_completed=completions.get(learner.id, 0),
            quizzes_passed=sum(1 for _, p in best.get(learner.id, []) if p),
            average_score=round(sum(scores) / len(scores), 1) if scores else None,
            lessons_total=course.lessons_count,
            quizzes_total=course.quizzes_count,
        )
        report_rows.append(row)
        key = learner_city.id if learner_city else None
        if key not in per_city:
            per_city[key] = ReportTotals(label=learner_city.name if learner_city else "No city", city=learner_city)
        per_city[key].add(row, scores)
        totals.add(row, scores)
    cities = sorted(per_city.values(), key=lambda t: (t.city is None, t.label))
    return CourseReport(course=course, city=city, totals=totals, cities=cities, learners=report_rows)


def reports_overview(user, city_id: int | None = None) -> tuple[City | None, list[tuple[Course, ReportTotals]]]:
    """Totals per course for the reports page, in three queries whatever the number of courses."""
    city = _report_city(user, city_id)
    courses = catalogue(user)
    status_rows = db.session.execute(
        select(
            Enrollment.course_id,
            func.sum(case((Enrollment.completed_at.is_not(None), 1), else_=0)),
            func.sum(case(((Enrollment.completed_at.is_(None)) & Enrollment.active.is_(True), 1), else_=0)),
        )
        .join(User, User.id == Enrollment.user_id)
        .where(*([User.city_id == city.id] if city else []))
        .group_by(Enrollment.course_id)
    ).all()
    started = (
        select(LessonCompletion.user_id.label("user_id"), Lesson.course_id.label("course_id"))
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .union(select(QuizAttempt.user_id, Quiz.course_id).join(Quiz, Quiz.id == QuizAttempt.quiz_id))
        .subquery()
    )
    in_progress = dict(
        db.session.execute(
            select(Enrollment.course_id, func.count(func.distinct(Enrollment.user_id)))
            .join(started, (started.c.user_id == Enrollment.user_id) & (started.c.course_id == Enrollment.course_id))
            .join(User, User.id == Enrollment.user_id)
            .where(
                Enrollment.completed_at.is_(None),
                Enrollment.active.is_(True),
                *([User.city_id == city.id] if city else []),
            )
            .group_by(Enrollment.course_id)
        ).all()
    )
    best = (
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.max(QuizAttempt.score).label("best"))
        .join(User, User.id == QuizAttempt.user_id)
        .where(*([User.city_id == city.id] if city else []))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
        .subquery()
    )
    averages = dict(
        db.session.execute(
            select(Quiz.course_id, func.avg(best.c.best)).join(best, best.c.quiz_id == Quiz.id).group_by(Quiz.course_id)
        ).all()
    )
    result = []
    by_course = {course_id: (completed or 0, active or 0) for course_id, completed, active in status_rows}
    for course in courses:
        completed, active = by_course.get(course.id, (0, 0))
        totals = ReportTotals(label=course.title, city=city)
        totals.completed = completed
        totals.in_progress = in_progress.get(course.id, 0)
        totals.not_started = active - totals.in_progress
        totals.enrolled = completed + active
        if averages.get(course.id) is not None:
            totals.scores = [float(averages[course.id])]
        result.append((course, totals))
    return city, result


def report_csv_rows(report: CourseReport) -> list[list]:
    header = [
        "learner",
        "email",
        "city",
        "status",
        "enrolled_at",
        "completed_at",
        "lessons_completed",
        "lessons_total",
        "quizzes_passed",
        "quizzes_total",
        "percent",
        "average_quiz_score",
    ]
    rows = [header]
    for row in report.learners:
        rows.append(
            [
                row.user.name,
                row.user.email,
                row.city.name if row.city else "",
                row.status,
                row.enrollment.enrolled_at.isoformat(),
                row.enrollment.completed_at.isoformat() if row.enrollment.completed_at else "",
                row.lessons_completed,
                row.lessons_total,
                row.quizzes_passed,
                row.quizzes_total,
                row.percent,
                "" if row.average_score is None else row.average_score,
            ]
        )
    return rows


def report_cities(user) -> list[City]:
    """Cities an admin can filter the reports by (coordinators: none, they see their own)."""
    if not policy.allows(user, "report.view_all_cities"):
        return []
    return list(db.session.scalars(select(City).order_by(City.name)))


# ================================================================ cross-domain figures


def learners_enrolled_by_city(city_ids: list[int]) -> dict[int, int]:
    if not city_ids:
        return {}
    # EXISTS over covering indexes: one index probe per learner, no row reads, no DISTINCT.
    rows = db.session.execute(
        select(User.city_id, func.count())
        .where(
            User.city_id.in_(city_ids),
            User.erased_at.is_(None),
            exists().where(Enrollment.user_id == User.id, Enrollment.active.is_(True)),
        )
        .group_by(User.city_id)
    ).all()
    found = {key: value for key, value in rows}
    return {city_id: found.get(city_id, 0) for city_id in city_ids}


def learners_certified_by_city(city_ids: list[int]) -> dict[int, int]:
    if not city_ids:
        return {}
    rows = db.session.execute(
        select(User.city_id, func.count())
        .where(
            User.city_id.in_(city_ids), exists().where(Certificate.user_id == User.id, Certificate.revoked_at.is_(None))
        )
        .group_by(User.city_id)
    ).all()
    found = {key: value for key, value in rows}
    return {city_id: found.get(city_id, 0) for city_id in city_ids}


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


# ================================================================ personal data


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


def erase_learning(user) -> None:
    """Progress, attempts and enrollments are deleted; certificates lose the name and stop
    verifying (the code answers valid=false, so a verifier learns it was withdrawn)."""
    db.session.execute(delete(LessonCompletion).where(LessonCompletion.user_id == user.id))
    db.session.execute(delete(QuizAttempt).where(QuizAttempt.user_id == user.id))
    db.session.execute(delete(Enrollment).where(Enrollment.user_id == user.id))
    db.session.execute(
        update(Certificate).where(Certificate.user_id == user.id).values(learner_name=None, revoked_at=utcnow())
    )


# ================================================================ demo data

DEMO_COURSE = "drafting-local-action-plans"
DEMO_LEARNER = "learner@demo.action-lms.eu"


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
