"""The impact report: per format, for a year and optionally a city or country, the events
held, the requests cities made, feedback asked and given, and what people thought; the
formats ranked by usefulness; the same per city; comments. A figure from fewer than
MIN_RESPONSES answers is None ("not enough answers"), so nobody's answer can be singled out.

The figures are counted over every request, answer and event, so they are kept as a
snapshot (`core.snapshots`, name IMPACT) per year and scope and counted again by the
scheduler; the report reads the cities, the snapshot and each format's newest comments,
whatever the number of answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, case, func, select, true

from ...accounts.models import City
from ...core import snapshots
from ...core.errors import Forbidden, Invalid
from ...core.hooks import contributions
from ...core.i18n import _, _l
from ...core.time import utcnow
from ...extensions import db
from ..models import FeedbackAnswer, FeedbackRequest
from .permissions import can_view_impact, impact_city_scope
from .rules import MIN_CITIES_FOR_COMMENTS, MIN_RESPONSES, policy

MAX_COMMENTS = 50


def _formats():
    return sorted(contributions().feedback_formats.values(), key=lambda f: f.order)


#: The snapshot (core.snapshots) of the report's figures, one per year and scope.
IMPACT = "impact"


def _scope(actor, city_id: int | None, country: str | None) -> tuple[int | None, str | None]:
    """The city or country the report covers for this person (a coordinator: their city)."""
    scope = impact_city_scope(actor)
    if scope is not None:
        if city_id is not None and city_id != scope:
            raise Forbidden(_("Coordinators see the report of their own city."))
        city_id = scope
    return city_id, country.upper() if country else None


def _scope_cities(city_id: int | None, country: str | None) -> list[City]:
    stmt = select(City).order_by(City.name)
    if city_id is not None:
        stmt = stmt.where(City.id == city_id)
    if country:
        stmt = stmt.where(City.country == country)
    return list(db.session.scalars(stmt))


def _figure(value, responses: int, digits: int = 2):
    if value is None or responses < MIN_RESPONSES:
        return None
    return round(float(value), digits)


def _row(kind: str, label: str, counted: dict) -> dict:
    agg = counted["answers"]
    asked = counted["asked"]
    responses = agg["responses"] if agg else 0
    return {
        "kind": kind,
        "label": label,
        "events": counted["events"],
        "requests_made": counted["made"],
        "feedback_requests": asked,
        "responses": responses,
        "response_rate": _figure(responses / asked if asked else None, responses, 3),
        "usefulness_mean": _figure(agg["usefulness"] if agg else None, responses),
        "will_apply_mean": _figure(agg["will_apply"] if agg else None, responses),
        "recommend_share": _figure(agg["recommend"] / responses if agg and responses else None, responses, 3),
        "rank": None,
    }


def _rank(rows: list[dict]) -> list[dict]:
    rated = sorted((r for r in rows if r["usefulness_mean"] is not None), key=lambda r: -r["usefulness_mean"])
    for position, row in enumerate(rated, start=1):
        row["rank"] = position
    return rows


def count_impact(year: int, city_id: int | None = None, country: str | None = None) -> dict:
    """The report's figures for a year and a scope (all cities, one city or one country),
    counted over every request, answer and event: what the snapshot keeps. JSON-safe:
    {"formats": {kind: counted}, "cities": {city_id: {kind: counted}}, "answered": {kind: [n, cities]}}
    with counted = {"events", "made", "asked", "answers": {"responses", "usefulness",
    "will_apply", "recommend"} or None}."""
    filtered = city_id is not None or bool(country)
    ids = [c.id for c in _scope_cities(city_id, country)]
    city_filter_r = FeedbackRequest.city_id.in_(ids) if filtered else true()
    city_filter_a = FeedbackAnswer.city_id.in_(ids) if filtered else true()
    asked = {
        (kind, cid): n
        for kind, cid, n in db.session.execute(
            select(FeedbackRequest.kind, FeedbackRequest.city_id, func.count(FeedbackRequest.id))
            .where(FeedbackRequest.year == year, city_filter_r)
            .group_by(FeedbackRequest.kind, FeedbackRequest.city_id)
        )
    }
    answers = {
        (kind, cid): {
            "responses": n,
            "usefulness": float(u) if u is not None else None,
            "will_apply": float(w) if w is not None else None,
            "recommend": int(r or 0),
        }
        for kind, cid, n, u, w, r in db.session.execute(
            select(
                FeedbackAnswer.kind,
                FeedbackAnswer.city_id,
                func.count(FeedbackAnswer.id),
                func.avg(FeedbackAnswer.usefulness),
                func.avg(FeedbackAnswer.will_apply),
                func.sum(case((FeedbackAnswer.recommend, 1), else_=0).cast(Integer)),
            )
            .where(FeedbackAnswer.year == year, city_filter_a)
            .group_by(FeedbackAnswer.kind, FeedbackAnswer.city_id)
        )
    }
    formats: dict[str, dict] = {}
    per_city: dict[str, dict] = {}
    for fmt in _formats():
        figures = fmt.figures(year, ids if filtered else None)
        totals = figures["total"]
        formats[fmt.kind] = {
            "events": totals.get("events", 0),
            "made": totals.get("requests_made", 0),
            "asked": sum(n for (kind, _city), n in asked.items() if kind == fmt.kind),
            "answers": _merge([a for (kind, _city), a in answers.items() if kind == fmt.kind]),
        }
        for cid in ids:
            by_city = figures["by_city"].get(cid, {})
            agg = answers.get((fmt.kind, cid))
            n_asked = asked.get((fmt.kind, cid), 0)
            if by_city or agg or n_asked:
                per_city.setdefault(str(cid), {})[fmt.kind] = {
                    "events": by_city.get("events", 0),
                    "made": by_city.get("requests_made", 0),
                    "asked": n_asked,
                    "answers": agg,
                }
    answered = {
        kind: [n, cities]
        for kind, n, cities in db.session.execute(
            select(
                FeedbackAnswer.kind, func.count(FeedbackAnswer.id), func.count(func.distinct(FeedbackAnswer.city_id))
            )
            .where(FeedbackAnswer.year == year, city_filter_a)
            .group_by(FeedbackAnswer.kind)
        )
    }
    return {"formats": formats, "cities": per_city, "answered": answered}


def impact_defaults(now: datetime) -> list[dict]:
    """The report the office opens first: this year, every city."""
    return [{"year": now.year, "city_id": None, "country": None}]


def _checked(actor, year: int | None, city_id: int | None, country: str | None):
    """The year and scope this person may see, and the scope's cities."""
    policy.require(actor, "impact.view")
    if not can_view_impact(actor):
        raise Forbidden(_("Your account is not linked to a city, so there is no report to show."))
    year = year or utcnow().year
    if not 2000 <= year <= 2100:
        raise Invalid.field("year", _("Use a year between 2000 and 2100."))
    city_id, country = _scope(actor, city_id, country)
    cities = _scope_cities(city_id, country)
    if city_id is not None and not cities:
        raise Invalid.field("city_id", _("No city with this id."))
    return year, city_id, country, cities


def impact(actor, year: int | None = None, city_id: int | None = None, country: str | None = None) -> dict:
    """The report, from the snapshot of its figures (`counted_at` says when they were
    counted); the comments are read now, at most MAX_COMMENTS per format."""
    year, city_id, country, cities = _checked(actor, year, city_id, country)
    filtered = city_id is not None or bool(country)
    kept = snapshots.read(IMPACT, {"year": year, "city_id": city_id, "country": country})
    counted = kept.data

    # Each label in the reader's language once (a lazy label is translated again on every use:
    # a thousand cities' rows made that most of the report's time, bench/).
    labels = {f.kind: str(f.label) for f in _formats()}
    formats = [_row(kind, labels[kind], counted["formats"][kind]) for kind in labels if kind in counted["formats"]]
    per_city = []
    for city in cities:
        by_kind = counted["cities"].get(str(city.id), {})
        rows = [_row(kind, labels[kind], by_kind[kind]) for kind in labels if kind in by_kind]
        if rows:
            per_city.append({"city": city, "formats": _rank(rows)})
    city_filter_a = FeedbackAnswer.city_id.in_([c.id for c in cities]) if filtered else true()
    return {
        "year": year,
        "filters": {"city_id": city_id if filtered else None, "country": country},
        "formats": _rank(formats),
        "cities": per_city,
        "comments": _comments(year, city_filter_a, counted["answered"]),
        "min_responses": MIN_RESPONSES,
        "city_scope": impact_city_scope(actor),
        "counted_at": kept.computed_at,
    }


def recount_impact(actor, year: int | None = None, city_id: int | None = None, country: str | None = None) -> None:
    """Count this report's figures again now (they are otherwise counted by the scheduler)."""
    year, city_id, country, _cities = _checked(actor, year, city_id, country)
    snapshots.recount(IMPACT, {"year": year, "city_id": city_id, "country": country})


def _merge(parts: list[dict]) -> dict | None:
    """Answers of several cities for one format, weighted by their counts."""
    if not parts:
        return None
    n = sum(p["responses"] for p in parts)
    return {
        "responses": n,
        "usefulness": sum(float(p["usefulness"]) * p["responses"] for p in parts) / n if n else None,
        "will_apply": sum(float(p["will_apply"]) * p["responses"] for p in parts) / n if n else None,
        "recommend": sum(int(p["recommend"] or 0) for p in parts),
    }


def _comments(year: int, city_filter, answered: dict[str, list[int]]) -> dict[str, list[dict]]:
    """Comments per format, newest first, never with a name, at most MAX_COMMENTS each; none
    for a format with fewer than MIN_RESPONSES answers in the report's scope (a coordinator's
    city, one small country); with the city only when at least MIN_CITIES_FOR_COMMENTS
    cities answered for the format. The counts come from the snapshot: answers are never
    deleted, so a count that is a little old is lower, never higher, than the live one."""
    result: dict[str, list[dict]] = {}
    for fmt in _formats():
        responses, cities = answered.get(fmt.kind, (0, 0))
        if responses < MIN_RESPONSES:
            continue  # one or two answers in this scope: a comment could point at its author
        named = cities >= MIN_CITIES_FOR_COMMENTS
        rows = db.session.execute(
            select(FeedbackAnswer.comment, City.name)
            .outerjoin(City, City.id == FeedbackAnswer.city_id)
            .where(
                FeedbackAnswer.year == year,
                FeedbackAnswer.kind == fmt.kind,
                city_filter,
                FeedbackAnswer.comment.is_not(None),
            )
            .order_by(FeedbackAnswer.created_at.desc(), FeedbackAnswer.id.desc())
            .limit(MAX_COMMENTS)
        ).all()
        if rows:
            result[fmt.kind] = [{"text": text, "city": name if named else None} for text, name in rows]
    return result


CSV_HEADER = [
    "scope",
    "format",
    "events",
    "requests_made",
    "feedback_requests",
    "responses",
    "response_rate",
    "usefulness_mean",
    "will_apply_mean",
    "recommend_share",
    "rank",
]
#: The CSV's header row as people read it (CSV_HEADER holds the keys).
CSV_HEADER_LABELS = {
    "scope": _l("scope"),
    "format": _l("format"),
    "events": _l("events"),
    "requests_made": _l("requests_made"),
    "feedback_requests": _l("feedback_requests"),
    "responses": _l("responses"),
    "response_rate": _l("response_rate"),
    "usefulness_mean": _l("usefulness_mean"),
    "will_apply_mean": _l("will_apply_mean"),
    "recommend_share": _l("recommend_share"),
    "rank": _l("rank"),
}


def impact_csv(data: dict) -> str:
    from ...core.csvfile import csv_text

    def line(scope: str, row: dict) -> list:
        return [scope, row["kind"], *("" if row[k] is None else row[k] for k in CSV_HEADER[2:])]

    rows: list[list] = [[str(CSV_HEADER_LABELS[key]) for key in CSV_HEADER]]
    rows.extend(line(_("all"), r) for r in data["formats"])
    for entry in data["cities"]:
        rows.extend(line(entry["city"].name, r) for r in entry["formats"])
    return csv_text(rows)
