"""Reading the library: one practice, the filtered and searched list (API and pages), the
city's own list, the office's review queue, the choices the filters and forms offer, and
what the plan pages show under each milestone."""

from __future__ import annotations

import re

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...accounts.models import City, User
from ...core.errors import Invalid, NotFound
from ...core.i18n import _, _l
from ...core.policy import OPERATOR
from ...core.validators import single_line
from ...extensions import db
from ...plans.template import COMMITMENTS, is_milestone_key
from ..models import Practice, PracticeCommitment, PracticeLanguage, PracticeMilestone
from .permissions import can_create_for_any_city, can_view_practice, visible_practices
from .rules import LIST_LIMIT, MAX_PAGE, MAX_QUERY, NOT_VISIBLE, PAGE_SIZE, STATUSES, policy, valid_id
from .search import apply_search, search_terms
from .validation import LANGUAGE_CODE

_COUNTRY = re.compile(r"^[A-Z]{2}$")

#: What the city does next, by status (the "My city's practices" page).
NEXT_STEPS = {
    Practice.DRAFT: _l("Finish the description, then submit it to the ACTION office for review."),
    Practice.SUBMITTED: _l("Waiting for the ACTION office to review it. You can still edit it."),
    Practice.PUBLISHED: _l("In the library: every member city can read it and ask for an exchange."),
    Practice.ARCHIVED: _l("Archived: no longer in the library. Ask the office if it should be published again."),
}


def next_step(practice: Practice) -> str:
    if practice.status == Practice.DRAFT and practice.review_comment:
        return _("The office sent it back with a comment: edit it, then submit it again.")
    return str(NEXT_STEPS[practice.status])


# ---------------------------------------------------------------- one practice


def get_practice(actor, practice_id: int) -> Practice:
    """A practice the actor may see; another city's draft is a 404, as if it did not exist."""
    policy.require(actor, "practice.view")
    practice = db.session.get(Practice, practice_id) if valid_id(practice_id) else None
    if practice is None or not can_view_practice(actor, practice):
        raise NotFound(str(NOT_VISIBLE))
    return practice


# ---------------------------------------------------------------- lists


def _filters(q, commitment, milestone, country, language, city_id, status) -> dict:
    """The filters, checked (one 422 naming every wrong one)."""
    errors: dict[str, list[str]] = {}
    try:
        q = single_line(q, "q", MAX_QUERY, required=False)
    except Invalid as exc:
        errors.update(exc.errors or {})
    if commitment is not None and (isinstance(commitment, bool) or commitment not in COMMITMENTS):
        errors["commitment"] = [_("A commitment is a number from 1 to %(max)d.", max=len(COMMITMENTS))]
    if milestone is not None and not is_milestone_key(milestone):
        errors["milestone"] = [_("Unknown milestone: use a key of the milestone template.")]
    if country is not None:
        country = str(country).strip().upper()
        if not _COUNTRY.match(country):
            errors["country"] = [_("Use a two-letter country code such as ES or IT.")]
    if language is not None:
        language = str(language).strip().lower()
        if not LANGUAGE_CODE.match(language):
            errors["language"] = [_("Use an ISO 639 language code such as es or en.")]
    if city_id is not None and not valid_id(city_id):
        errors["city_id"] = [_("No city with this id.")]
    if status is not None and status not in STATUSES:
        errors["status"] = [_("Status is one of: %(statuses)s.", statuses=", ".join(STATUSES))]
    if errors:
        raise Invalid(_("Invalid value for: %(fields)s.", fields=", ".join(sorted(errors))), errors)
    return {
        "q": q,
        "commitment": commitment,
        "milestone": milestone,
        "country": country,
        "language": language,
        "city_id": city_id,
        "status": status,
    }


def list_practices_query(
    actor,
    q: str | None = None,
    commitment: int | None = None,
    milestone: str | None = None,
    country: str | None = None,
    language: str | None = None,
    city_id: int | None = None,
    status: str | None = None,
):
    """The practices the actor sees, filtered, and with `q` searched: best matches first,
    then the most recently changed."""
    policy.require(actor, "practice.list")
    f = _filters(q, commitment, milestone, country, language, city_id, status)
    # The city and the contact of one page only, loaded after it (joined, PostgreSQL joined
    # every matching practice to its contact before sorting: 7 ms at 3,000 practices, bench/).
    stmt = visible_practices(select(Practice), actor).options(
        selectinload(Practice.city), selectinload(Practice.contact)
    )
    if f["status"]:
        stmt = stmt.where(Practice.status == f["status"])
    if f["city_id"] is not None:
        stmt = stmt.where(Practice.city_id == f["city_id"])
    if f["country"]:
        stmt = stmt.where(Practice.city_id.in_(select(City.id).where(City.country == f["country"])))
    if f["commitment"] is not None:
        tagged = select(PracticeCommitment.practice_id).where(PracticeCommitment.commitment == f["commitment"])
        stmt = stmt.where(Practice.id.in_(tagged))
    if f["milestone"]:
        tagged = select(PracticeMilestone.practice_id).where(PracticeMilestone.milestone_key == f["milestone"])
        stmt = stmt.where(Practice.id.in_(tagged))
    if f["language"]:
        spoken = select(PracticeLanguage.practice_id).where(PracticeLanguage.language == f["language"])
        stmt = stmt.where(Practice.id.in_(spoken))
    stmt, ranking = apply_search(stmt, search_terms(f["q"]))
    return stmt.order_by(*ranking, Practice.updated_at.desc(), Practice.id.desc())


def library_page(actor, page: int = 1, per_page: int = PAGE_SIZE, **filters) -> Pagination:
    """One page of the library: published practices only (drafts live on the city's own
    list and the office's queue), as a `db.paginate` result for the pager macro."""
    stmt = list_practices_query(actor, status=Practice.PUBLISHED, **filters)
    return db.paginate(stmt, page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False)


def own_city_practices(actor) -> list[Practice]:
    """The "My city's practices" page: every status, the latest change first."""
    policy.require(actor, "practice.own_city")
    stmt = (
        select(Practice)
        .where(Practice.city_id == actor.city_id)
        .order_by(Practice.updated_at.desc(), Practice.id.desc())
        .limit(LIST_LIMIT)
    )
    return list(db.session.scalars(stmt))


def review_queue(actor) -> list[Practice]:
    """Submitted practices, the longest waiting first."""
    policy.require(actor, "practice.review")
    stmt = (
        select(Practice)
        .where(Practice.status == Practice.SUBMITTED)
        .order_by(Practice.submitted_at, Practice.id)
        .limit(LIST_LIMIT)
    )
    return list(db.session.scalars(stmt))


def review_queue_length(actor) -> int:
    if not policy.allows(actor, "practice.review"):
        return 0
    return db.session.scalar(select(func.count(Practice.id)).where(Practice.status == Practice.SUBMITTED)) or 0


def practices_for_operator(status: str | None = None, city: str | None = None) -> list[Practice]:
    """Every practice for `flask practices list`: optionally one status and one city (its
    name, any case), the latest change first."""
    city_id = None
    if city is not None:
        name = city.strip()
        city_id = db.session.scalars(select(City.id).where(func.lower(City.name) == name.lower())).first()
        if city_id is None:
            raise NotFound(f"No city is named {name!r}.")
    stmt = list_practices_query(OPERATOR, status=status, city_id=city_id).limit(LIST_LIMIT * 20)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- choices


def filter_options() -> dict[str, list[str]]:
    """The countries and languages that published practices have (two queries)."""
    published = Practice.status == Practice.PUBLISHED
    countries = db.session.scalars(
        select(City.country).join(Practice, Practice.city_id == City.id).where(published).distinct()
    )
    languages = db.session.scalars(
        select(PracticeLanguage.language)
        .join(Practice, Practice.id == PracticeLanguage.practice_id)
        .where(published)
        .distinct()
    )
    return {"countries": sorted(countries), "languages": sorted(languages)}


def contact_choices(city_id: int | None) -> list[User]:
    """Who may be named as a practice's contact: the city's active members."""
    if city_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.city_id == city_id, User.active.is_(True), User.erased_at.is_(None))
            .order_by(User.name, User.id)
            .limit(LIST_LIMIT)
        )
    )


def cities_for_new(actor) -> list[City]:
    """The cities the office may describe a practice for (every city)."""
    if not can_create_for_any_city(actor):
        return []
    return list(db.session.scalars(select(City).order_by(City.name)))


# ---------------------------------------------------------------- the plan pages


def milestone_resources(city_id: int | None, keys: list[str]) -> dict[str, list[dict]]:
    """Published practices of other cities tagged with each milestone key (city_id None:
    every city's), in one query, for the plan pages."""
    wanted = [k for k in keys if k]
    result: dict[str, list[dict]] = {k: [] for k in wanted}
    if not wanted:
        return result
    stmt = (
        select(PracticeMilestone.milestone_key, Practice.id, Practice.title, Practice.started_year, City.name)
        .join(Practice, Practice.id == PracticeMilestone.practice_id)
        .join(City, City.id == Practice.city_id)
        .where(PracticeMilestone.milestone_key.in_(wanted), Practice.status == Practice.PUBLISHED)
        .order_by(City.name, Practice.title, Practice.id)
    )
    if city_id is not None:
        stmt = stmt.where(Practice.city_id != city_id)
    for key, practice_id, title, year, city_name in db.session.execute(stmt):
        result[key].append(
            {
                "title": title,
                "url": f"/practices/{practice_id}",
                "detail": _("%(city)s, since %(year)s", city=city_name, year=year) if year else city_name,
            }
        )
    return result
