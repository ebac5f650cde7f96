"""The impact report: per format, for a year and optionally a city or country, the events
held, the requests cities made, feedback asked and given, and what people thought; the
formats ranked by usefulness; the same per city; comments. A figure from fewer than
MIN_RESPONSES answers is None ("not enough answers"), so nobody's answer can be singled out.

A fixed number of queries whatever the number of answers: the cities, one grouped count of
requests, one grouped aggregate of answers, the comments, and each format's figures."""

from __future__ import annotations

from sqlalchemy import Integer, case, func, select, true

from ...accounts.models import City
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


def _cities(actor, city_id: int | None, country: str | None) -> tuple[list[City], bool]:
    """The cities the report covers, and whether it is filtered at all."""
    scope = impact_city_scope(actor)
    if scope is not None:
        if city_id is not None and city_id != scope:
            raise Forbidden(_("Coordinators see the report of their own city."))
        city_id = scope
    stmt = select(City).order_by(City.name)
    if city_id is not None:
        stmt = stmt.where(City.id == city_id)
    if country:
        stmt = stmt.where(City.country == country.upper())
    cities = list(db.session.scalars(stmt))
    if city_id is not None and not cities:
        raise Invalid.field("city_id", _("No city with this id."))
    return cities, city_id is not None or bool(country)


def _figure(value, responses: int, digits: int = 2):
    if value is None or responses < MIN_RESPONSES:
        return None
    return round(float(value), digits)


def _row(kind: str, label: str, events: int, made: int, asked: int, agg: dict | None) -> dict:
    responses = agg["responses"] if agg else 0
    return {
        "kind": kind,
        "label": label,
        "events": events,
        "requests_made": made,
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


def impact(actor, year: int | None = None, city_id: int | None = None, country: str | None = None) -> dict:
    policy.require(actor, "impact.view")
    if not can_view_impact(actor):
        raise Forbidden(_("Your account is not linked to a city, so there is no report to show."))
    year = year or utcnow().year
    if not 2000 <= year <= 2100:
        raise Invalid.field("year", _("Use a year between 2000 and 2100."))
    cities, filtered = _cities(actor, city_id, country)
    ids = [c.id for c in cities]
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
        (kind, cid): {"responses": n, "usefulness": u, "will_apply": w, "recommend": r}
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
    figures = {fmt.kind: fmt.figures(year, ids if filtered else None) for fmt in _formats()}

    formats = []
    for fmt in _formats():
        totals = figures[fmt.kind]["total"]
        formats.append(
            _row(
                fmt.kind,
                fmt.label,
                totals.get("events", 0),
                totals.get("requests_made", 0),
                sum(n for (kind, _city), n in asked.items() if kind == fmt.kind),
                _merge([a for (kind, _city), a in answers.items() if kind == fmt.kind]),
            )
        )
    per_city = []
    for city in cities:
        rows = []
        for fmt in _formats():
            by_city = figures[fmt.kind]["by_city"].get(city.id, {})
            agg = answers.get((fmt.kind, city.id))
            n_asked = asked.get((fmt.kind, city.id), 0)
            if not by_city and not agg and not n_asked:
                continue
            rows.append(
                _row(fmt.kind, fmt.label, by_city.get("events", 0), by_city.get("requests_made", 0), n_asked, agg)
            )
        if rows:
            per_city.append({"city": city, "formats": _rank(rows)})
    return {
        "year": year,
        "filters": {"city_id": city_id if filtered else None, "country": country.upper() if country else None},
        "formats": _rank(formats),
        "cities": per_city,
        "comments": _comments(year, city_filter_a),
        "min_responses": MIN_RESPONSES,
        "city_scope": impact_city_scope(actor),
    }


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


def _comments(year: int, city_filter) -> dict[str, list[dict]]:
    """Comments per format, newest first, never with a name; none for a format with fewer than
    MIN_RESPONSES answers in the report's scope (a coordinator's city, one small country);
    with the city only when at least MIN_CITIES_FOR_COMMENTS cities answered for the format."""
    rows = db.session.execute(
        select(FeedbackAnswer.kind, FeedbackAnswer.comment, FeedbackAnswer.city_id, City.name)
        .outerjoin(City, City.id == FeedbackAnswer.city_id)
        .where(FeedbackAnswer.year == year, city_filter, FeedbackAnswer.comment.is_not(None))
        .order_by(FeedbackAnswer.created_at.desc(), FeedbackAnswer.id.desc())
    ).all()
    answered = {
        kind: (n, cities)
        for kind, n, cities in db.session.execute(
            select(
                FeedbackAnswer.kind, func.count(FeedbackAnswer.id), func.count(func.distinct(FeedbackAnswer.city_id))
            )
            .where(FeedbackAnswer.year == year, city_filter)
            .group_by(FeedbackAnswer.kind)
        )
    }
    result: dict[str, list[dict]] = {}
    for kind, text, _city, name in rows:
        responses, cities = answered.get(kind, (0, 0))
        if responses < MIN_RESPONSES:
            continue  # one or two answers in this scope: a comment could point at its author
        items = result.setdefault(kind, [])
        if len(items) >= MAX_COMMENTS:
            continue
        named = cities >= MIN_CITIES_FOR_COMMENTS
        items.append({"text": text, "city": name if named else None})
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
