"""What the exchange pages offer to choose from (published practices, other cities) and the
public list of stories, page by page. Reads only; each is one query."""

from __future__ import annotations

from sqlalchemy import select

from ...accounts.models import City
from ...extensions import db
from ...practices.models import Practice
from .permissions import is_office
from .sessions import stories_query

CHOICES_LIMIT = 500
STORIES_PER_PAGE = 12


def published_practices() -> list[Practice]:
    """The library's published practices, by city then title (a request may name them)."""
    stmt = (
        select(Practice)
        .join(City, City.id == Practice.city_id)
        .where(Practice.status == Practice.PUBLISHED)
        .order_by(City.name, Practice.title, Practice.id)
        .limit(CHOICES_LIMIT)
    )
    return list(db.session.scalars(stmt).unique())


def other_cities(actor) -> list[City]:
    """The cities a request may name as hosts: every city but the actor's own (the office,
    which asks on any city's behalf, sees them all; the service refuses the requester)."""
    stmt = select(City).order_by(City.name).limit(CHOICES_LIMIT)
    if not is_office(actor) and getattr(actor, "city_id", None) is not None:
        stmt = stmt.where(City.id != actor.city_id)
    return list(db.session.scalars(stmt))


def stories_page(page: int = 1, per_page: int = STORIES_PER_PAGE):
    """The published stories, newest first, as a `db.paginate` page for the public list."""
    return db.paginate(stories_query(), page=page, per_page=per_page, error_out=False)
