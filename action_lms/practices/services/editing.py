"""Writing practices: a coordinator drafts one for their city (the office for any city),
edits it, submits it; the office publishes it, sends it back with a comment, or archives it.

    draft --submit--> submitted --publish--> published --archive--> archived
      ^                   |                                            |
      +---- send back ----+          (archive from any status; publish again from archived)

Each is one unit of work. A transition loads the practice with a row lock on PostgreSQL
(SQLite serialises writers), checks the status it starts from, and refuses any other with
a 409 and a sentence. E-mails go through the outbox in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...accounts.models import City
from ...core.content import render_markdown
from ...core.db import transactional
from ...core.errors import Conflict, Forbidden, NotFound
from ...core.i18n import _, _l
from ...core.time import utcnow
from ...core.validators import multi_line
from ...extensions import db
from ..models import Practice, PracticeCommitment, PracticeLanguage, PracticeMilestone
from .library import get_practice
from .notifications import notify_published, notify_sent_back, notify_submitted
from .permissions import can_create_for_any_city, can_view_practice, is_office, speaks_for_city
from .rules import EDITABLE_BY_CITY, NOT_VISIBLE, is_postgres, policy, valid_id
from .search import search_text
from .validation import clean_fields, invalid

_TEXT_FIELDS = ("title", "summary", "description", "problem", "actions", "resources", "results", "transfer")
_PLAIN_FIELDS = ("links", "contact_id", "started_year", "featured_in")
#: How a refusal names the state a practice is in.
_STATE = {
    Practice.DRAFT: _l("This practice is a draft."),
    Practice.SUBMITTED: _l("This practice is waiting for review."),
    Practice.PUBLISHED: _l("This practice is published."),
    Practice.ARCHIVED: _l("This practice is archived."),
}
#: The city's refusal to edit, by the state that locks it (the states not in EDITABLE_BY_CITY).
_LOCKED = {
    Practice.PUBLISHED: _l("This practice is published: only the ACTION office changes it now."),
    Practice.ARCHIVED: _l("This practice is archived: only the ACTION office changes it now."),
}


# ---------------------------------------------------------------- loading for a write


def practice_for_write(actor, practice_id: int, action: str) -> Practice:
    """The practice, if the actor's role may take `action` (else 403) and sees it (else
    404: another city's draft is not even acknowledged), locked on PostgreSQL."""
    policy.require(actor, action)
    if not valid_id(practice_id):
        raise NotFound(str(NOT_VISIBLE))
    stmt = select(Practice).where(Practice.id == practice_id)
    if is_postgres():
        stmt = stmt.with_for_update(of=Practice)
    practice = db.session.scalar(stmt)
    if practice is None or not can_view_practice(actor, practice):
        raise NotFound(str(NOT_VISIBLE))
    return practice


def _city_for_new(actor, city_id: int | None) -> City:
    if can_create_for_any_city(actor):
        if city_id is None:
            raise invalid({"city_id": [_("Choose the city this practice belongs to.")]})
        city = db.session.get(City, city_id) if valid_id(city_id) else None
        if city is None:
            raise invalid({"city_id": [_("No city with this id.")]})
        return city
    own = getattr(actor, "city_id", None)
    if not speaks_for_city(actor, own) or (city_id is not None and city_id != own):
        raise Forbidden(_("You can only describe practices of your own city."))
    city = db.session.get(City, own)
    assert city is not None  # a coordinator's city exists (foreign key)
    return city


# ---------------------------------------------------------------- the fields


def _replace_rows(rows: list, wanted: list, value_of, make) -> None:
    """Make the rows of a tag collection hold exactly `wanted` (in its order), keeping the
    rows that stay: deleting and re-inserting the same primary key in one flush would clash."""
    keep = {value_of(row): row for row in rows if value_of(row) in wanted}
    rows[:] = [keep.get(value) or make(value) for value in wanted]


def write_fields(practice: Practice, cleaned: dict[str, Any], city_name: str) -> None:
    """Apply cleaned values (from `clean_fields`) to a practice, with what follows from them:
    the sanitised HTML of the description, the tag rows and the search text."""
    for name in _TEXT_FIELDS + _PLAIN_FIELDS:
        if name in cleaned:
            setattr(practice, name, cleaned[name] if name != "links" else list(cleaned[name]))
    if "description" in cleaned:
        practice.description_html = render_markdown(practice.description)
    if "commitments" in cleaned:
        _replace_rows(
            practice.commitment_rows,
            cleaned["commitments"],
            lambda r: r.commitment,
            lambda v: PracticeCommitment(commitment=v),
        )
    if "milestone_keys" in cleaned:
        _replace_rows(
            practice.milestone_rows,
            cleaned["milestone_keys"],
            lambda r: r.milestone_key,
            lambda v: PracticeMilestone(milestone_key=v),
        )
    if "languages" in cleaned:
        _replace_rows(
            practice.language_rows, cleaned["languages"], lambda r: r.language, lambda v: PracticeLanguage(language=v)
        )
        for position, row in enumerate(practice.language_rows):
            row.position = position
    practice.search_text = search_text(practice.title, city_name, practice.summary, practice.description)
    practice.updated_at = utcnow()


# ---------------------------------------------------------------- create and edit


@transactional()
def create_practice(actor, city_id: int | None = None, **fields: Any) -> Practice:
    """A new draft: a coordinator for their own city, the office for the city it names."""
    policy.require(actor, "practice.create")
    city = _city_for_new(actor, city_id)
    cleaned = clean_fields(fields, city.id)
    now = utcnow()
    practice = Practice(
        city_id=city.id,
        city=city,
        status=Practice.DRAFT,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        updated_at=now,
        links=[],
    )
    write_fields(practice, cleaned, city.name)
    db.session.add(practice)
    db.session.flush()
    return practice


def _require_may_edit(actor, practice: Practice) -> None:
    if is_office(actor):
        return
    if not speaks_for_city(actor, practice.city_id):
        raise Forbidden(_("Only the city's coordinators and the ACTION office edit this practice."))
    if practice.status not in EDITABLE_BY_CITY:
        write_to_office = _("Write to the office with the change you need.")
        raise Conflict(f"{_LOCKED[practice.status]} {write_to_office}")


def practice_to_edit(actor, practice_id: int) -> Practice:
    """The practice for the edit form, with the refusals `update_practice` would give."""
    policy.require(actor, "practice.edit")
    practice = get_practice(actor, practice_id)
    _require_may_edit(actor, practice)
    return practice


@transactional()
def update_practice(actor, practice_id: int, **fields: Any) -> Practice:
    """Change the fields given. The city edits its practice while it is a draft or waiting
    for review; once published or archived only the office does (409 for the city)."""
    practice = practice_for_write(actor, practice_id, "practice.edit")
    _require_may_edit(actor, practice)
    cleaned = clean_fields(fields, practice.city_id, partial=True)
    write_fields(practice, cleaned, practice.city.name)
    db.session.flush()
    return practice


# ---------------------------------------------------------------- the workflow


def _refuse(practice: Practice, rule: str) -> Conflict:
    """409: the practice's state, then the rule it does not meet (two sentences)."""
    return Conflict(f"{_STATE[practice.status]} {rule}")


@transactional()
def submit_practice(actor, practice_id: int) -> Practice:
    """The city hands its draft to the office for review; every admin is told."""
    practice = practice_for_write(actor, practice_id, "practice.submit")
    if not (is_office(actor) or speaks_for_city(actor, practice.city_id)):
        raise Forbidden(_("Only the city's coordinators submit its practices."))
    if practice.status != Practice.DRAFT:
        raise _refuse(practice, _("Only a draft can be submitted."))
    now = utcnow()
    practice.status, practice.submitted_at, practice.updated_at = Practice.SUBMITTED, now, now
    db.session.flush()
    notify_submitted(practice)
    return practice


@transactional()
def publish_practice(actor, practice_id: int) -> Practice:
    """The office publishes a submitted practice (or an archived one again): every signed-in
    member sees it from now on; the city's coordinators are told."""
    practice = practice_for_write(actor, practice_id, "practice.review")
    if practice.status not in (Practice.SUBMITTED, Practice.ARCHIVED):
        if practice.status == Practice.PUBLISHED:
            raise Conflict(_("This practice is already published."))
        raise _refuse(practice, _("Only a submitted practice can be published: the city submits its draft first."))
    now = utcnow()
    practice.status, practice.published_at, practice.updated_at = Practice.PUBLISHED, now, now
    practice.archived_at = None
    practice.review_comment = None
    db.session.flush()
    notify_published(practice)
    return practice


@transactional()
def send_back_practice(actor, practice_id: int, comment: str | None) -> Practice:
    """The office returns a submitted practice to the city as a draft, saying what to change."""
    practice = practice_for_write(actor, practice_id, "practice.review")
    if practice.status != Practice.SUBMITTED:
        raise _refuse(practice, _("Only a practice waiting for review can be sent back."))
    comment = multi_line(comment, "comment", Practice.MAX_COMMENT, required=True)
    practice.status, practice.review_comment = Practice.DRAFT, comment
    practice.submitted_at, practice.updated_at = None, utcnow()
    db.session.flush()
    notify_sent_back(practice, comment)
    return practice


@transactional()
def archive_practice(actor, practice_id: int) -> Practice:
    """The office archives an outdated practice (or declines a submitted one): it leaves the
    library; the city keeps seeing it on its own list."""
    practice = practice_for_write(actor, practice_id, "practice.review")
    if practice.status == Practice.ARCHIVED:
        raise Conflict(_("This practice is already archived."))
    now = utcnow()
    practice.status, practice.archived_at, practice.updated_at = Practice.ARCHIVED, now, now
    db.session.flush()
    return practice
