"""Read-only: the modules of the published courses, for other domains that link to a module
(the webinar form's picker and the webinar page). A module is named across courses by
`<course slug>/<module key>`, since a module key is unique only within its course."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ..models import Course, Module


@dataclass(frozen=True)
class ModuleChoice:
    key: str  # "<course slug>/<module key>"
    title: str
    position: int
    course_slug: str
    course_title: str


def module_choices() -> list[ModuleChoice]:
    """Every module of every published course, by course title then module order (one query)."""
    rows = db.session.execute(
        select(Course.slug, Course.title, Module.key, Module.title, Module.position)
        .join(Module, Module.course_id == Course.id)
        .where(Course.published.is_(True))
        .order_by(Course.title, Course.id, Module.position)
    ).all()
    return [
        ModuleChoice(key=f"{slug}/{key}", title=title, position=position, course_slug=slug, course_title=course_title)
        for slug, course_title, key, title, position in rows
    ]
