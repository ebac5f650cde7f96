"""What every practices use case shares: the role table, the limits, and the sentences the
services answer with."""

from __future__ import annotations

from ...core.errors import MAX_DB_INT
from ...core.i18n import _l
from ...core.policy import ADMIN, ANY_USER, COORDINATOR, Policy
from ...core.validators import column_length
from ...extensions import db
from ..models import Practice

policy = Policy(
    "practices",
    {
        "practice.list": ANY_USER,  # object level: published ones, plus the city's own and the office's all
        "practice.view": ANY_USER,  # object level as above
        "practice.create": {COORDINATOR, ADMIN},  # object level: own city; the office names the city
        "practice.edit": {COORDINATOR, ADMIN},  # object level: own city while draft or submitted; the office any
        "practice.submit": {COORDINATOR, ADMIN},  # object level: own city; the office any
        "practice.review": {ADMIN},  # the review queue: publish, send back, archive
        "practice.own_city": {COORDINATOR},  # "My city's practices"
    },
)

#: Statuses in workflow order, and what each one asks of the city next (the "mine" page).
STATUSES = Practice.STATUSES
EDITABLE_BY_CITY = (Practice.DRAFT, Practice.SUBMITTED)

# Limits: one-line texts take theirs from the column, the rest from the model's constants.
TITLE_MAX = column_length(Practice.title)
FEATURED_IN_MAX = column_length(Practice.featured_in)
LINK_TITLE_MAX = TITLE_MAX
LINK_URL_MAX = 1000
MAX_QUERY = 200  # characters of a search
MAX_TERMS = 10  # words of a search that count
MAX_PAGE = MAX_DB_INT // 100  # keeps every offset bindable on both engines
PAGE_SIZE = 12  # cards per library page
LIST_LIMIT = 500  # rows of the "mine" page, the review queue and the CLI list

#: The 404 of a practice one may not see (lazy: `str(NOT_VISIBLE)` where it is raised).
NOT_VISIBLE = _l("No practice with this id, or it is not visible to you.")


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def valid_id(value) -> bool:
    """An id the database can hold (a larger one names nothing)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DB_INT
