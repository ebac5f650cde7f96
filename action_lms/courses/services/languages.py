"""Which language a course is read in, and its texts in that language.

A course is offered in `course.languages`. The language a learner reads it in is, in
order: the one asked for (`?lang=` in the API, the course page's choice), the one they
chose for the course before (kept on the enrollment), their own interface language, the
course's own language. A text without a translation is shown in the course's own
language, and the page says so; keys, progress, attempts and certificates never depend on
the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ...core.db import transactional
from ...core.errors import Invalid, NotFound
from ...core.i18n import LANGUAGES, _, current_language
from ...extensions import db
from ..models import Course, Enrollment
from .rules import policy


def offered(course: Course) -> list[str]:
    """The languages the course is offered in, its own first."""
    languages = list(course.languages or [])
    if course.language not in languages:
        languages.insert(0, course.language)
    return languages


def language_choices(course: Course) -> list[tuple[str, str]]:
    """(code, name in itself) of each language the course is offered in."""
    return [(code, LANGUAGES.get(code, code)) for code in offered(course)]


def reading_language(
    course: Course, user=None, requested: str | None = None, enrollment: Enrollment | None = None
) -> str:
    """The language `user` reads `course` in (see the module's docstring)."""
    languages = offered(course)
    if requested in languages:
        return str(requested)
    if enrollment is None and user is not None and getattr(user, "id", None) is not None:
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
        )
    if enrollment is not None and enrollment.language in languages:
        return str(enrollment.language)
    own = getattr(user, "language", None) or current_language()
    if own in languages:
        return str(own)
    return course.language


def text(obj: Any, field: str, language: str) -> str:
    """`obj`'s `field` in `language`, else in the course's own language."""
    translated = (getattr(obj, "translations", None) or {}).get(language, {}).get(field)
    return translated if translated else getattr(obj, field)


def has_text(obj: Any, field: str, language: str, course_language: str) -> bool:
    """Whether `obj` really has `field` in `language` (the course's own language always has)."""
    return language == course_language or bool((getattr(obj, "translations", None) or {}).get(language, {}).get(field))


@dataclass(frozen=True)
class Reading:
    """What a page needs to show a course in a language: the language, whether the item in
    view falls back to the course's own language, and the choices."""

    language: str
    course_language: str
    fallback: bool
    choices: list[tuple[str, str]]

    @property
    def fallback_notice(self) -> str:
        return _(
            "This part is not translated into %(language)s yet; it is shown in %(original)s.",
            language=LANGUAGES.get(self.language, self.language),
            original=LANGUAGES.get(self.course_language, self.course_language),
        )


def reading(course: Course, language: str, *items: tuple[Any, str]) -> Reading:
    """The Reading of `course` in `language` for the items in view ((object, field) pairs)."""
    fallback = any(not has_text(obj, field, language, course.language) for obj, field in items if obj is not None)
    return Reading(language, course.language, fallback, language_choices(course))


@transactional()
def choose_course_language(user, slug: str, language: str) -> Enrollment:
    """The learner reads the course in `language` from now on (kept on their enrollment)."""
    policy.require(user, "course.enroll")
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise NotFound(_("No course with this address."))
    if language not in offered(course):
        raise Invalid.field(
            "language",
            _("This course is offered in: %(languages)s.", languages=", ".join(offered(course))),
        )
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )
    if enrollment is None or not enrollment.active:
        raise NotFound(_("Enroll in the course first: the language is kept with your enrollment."))
    enrollment.language = language
    return enrollment


def content_text(obj: Any, field: str) -> str:
    """`{{ ctext(lesson, 'title') }}`: a course text in the language the page reads the course
    in (set by the view in `g.course_language`), else the reader's own language where the
    course has it, else the course's own."""
    from flask import g

    language = g.get("course_language") or current_language()
    return text(obj, field, language)
