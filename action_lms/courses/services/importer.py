"""Content import: validate every course folder, then upsert all courses by slug in one
unit of work. Rows are found again by slug and by their file-level keys, so ids (and the
learners' progress attached to them) survive re-imports; an unchanged import writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ...core.db import flush_or_conflict, unit_of_work
from ...core.errors import Conflict
from ...core.time import utcnow
from ...extensions import db
from .. import content
from ..models import Course, Lesson, Module, Option, Question, Quiz
from .rules import IMPORT_CONFLICT


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
    Another import writing the same courses at the same moment is a problem too (the unique
    slug and keys refuse the second): nothing is written, and it can simply run again.
    """
    parsed, problems = content.load_directory(root)
    result = ImportResult(problems=problems, courses=len(parsed), dry_run=dry_run)
    if problems:
        return result
    try:
        with unit_of_work(IMPORT_CONFLICT):
            # The writes go in a savepoint, so a dry run (or an import that changes nothing)
            # undoes just them, also when this unit joins a caller's.
            savepoint = db.session.begin_nested()
            for course in parsed:
                _apply_course(course, result.changes)
            flush_or_conflict(IMPORT_CONFLICT)
            if dry_run or not result.changes:
                savepoint.rollback()
            else:
                savepoint.commit()
    except Conflict as exc:
        result.problems.append(content.Problem(str(root), None, exc.message))
        result.changes = []
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
        "languages": list(data.languages),
        "translations": data.translations,
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
            "translations": m_data.translations,
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
                "translations": l_data.translations,
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
        "allow_blanks": data.allow_blanks,
        "source_path": data.source_path,
        "translations": data.translations,
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
        values = {"position": position, "text": q_data.text, "type": q_data.type, "translations": q_data.translations}
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
            o_values = {
                "position": o_position,
                "text": o_data.text,
                "correct": o_data.correct,
                "translations": o_data.translations,
            }
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
