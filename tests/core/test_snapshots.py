"""Counted figures kept as snapshots (core.snapshots): the cross-city overview and the impact
report read them instead of counting whole tables on every view.

- after random operations, and the scheduler's refresh, every kept figure equals a recount
  written here in plain SQL (nothing shared with the services that count them);
- until the refresh the pages say when their figures were counted, and "Count again now"
  counts at once;
- a page view reads none of the tables it counts;
- the job drops scopes nobody read for SNAPSHOT_KEEP_DAYS, and one failing scope does not
  stop the others.
"""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from action_lms.core import snapshots
from action_lms.core.hooks import contributions
from action_lms.core.models import FigureSnapshot
from action_lms.core.time import utcnow
from action_lms.courses.models import Certificate
from action_lms.exchanges.models import Exchange
from action_lms.extensions import db
from action_lms.feedback import services as feedback
from action_lms.feedback.models import FeedbackRequest
from action_lms.feedback.services.rules import MIN_RESPONSES

from ..factories import make_city, make_course, make_user
from ..feedback.data import completed_course, ended_webinar, held_booking, held_exchange
from ..helpers import api_as, csrf_from, login_session, refresh_snapshots

RECOUNT_OVERVIEW = {
    "learners_enrolled": """
        SELECT u.city_id, COUNT(DISTINCT u.id) FROM users u JOIN course_enrollments e ON e.user_id = u.id
        WHERE e.active AND u.erased_at IS NULL AND u.city_id IS NOT NULL GROUP BY u.city_id""",
    "learners_certified": """
        SELECT u.city_id, COUNT(DISTINCT u.id) FROM users u JOIN course_certificates c ON c.user_id = u.id
        WHERE c.revoked_at IS NULL AND u.city_id IS NOT NULL GROUP BY u.city_id""",
    "webinar_attendances": """
        SELECT u.city_id, COUNT(*) FROM users u JOIN webinar_registrations r ON r.user_id = u.id
        WHERE r.attended AND u.city_id IS NOT NULL GROUP BY u.city_id""",
    "consulting_sessions_held": "SELECT city_id, COUNT(*) FROM bookings WHERE status = 'held' GROUP BY city_id",
    "exchanges_requested": "SELECT city_id, COUNT(*) FROM exchanges WHERE status <> 'withdrawn' GROUP BY city_id",
    "exchanges_hosted": """
        SELECT i.city_id, COUNT(*) FROM exchange_invitations i JOIN exchanges x ON x.id = i.exchange_id
        WHERE i.status = 'accepted' AND x.status IN ('held', 'reported') GROUP BY i.city_id""",
}


def _recount(sql: str, **params) -> dict:
    return {key: value for key, value in db.session.execute(text(sql), params).all()}


def _recount_impact(year: int, city_id: int | None = None) -> dict:
    """Per format: feedback requests, responses, and the mean usefulness (None below MIN_RESPONSES)."""
    where = "AND city_id = :city" if city_id is not None else ""
    asked = _recount(f"SELECT kind, COUNT(*) FROM feedback_requests WHERE year = :year {where} GROUP BY kind",
                     year=year, city=city_id)
    answers = {
        kind: (n, mean) for kind, n, mean in db.session.execute(text(
            f"SELECT kind, COUNT(*), AVG(usefulness) FROM feedback_answers WHERE year = :year {where} GROUP BY kind"),
            {"year": year, "city": city_id}).all()}
    result = {}
    for kind in ("course", "webinar", "consulting", "exchange"):
        n, mean = answers.get(kind, (0, None))
        result[kind] = {"feedback_requests": asked.get(kind, 0), "responses": n,
                        "usefulness_mean": round(float(mean), 2) if n >= MIN_RESPONSES else None}
    return result


def _report_figures(rows: list[dict]) -> dict:
    return {r["kind"]: {k: r[k] for k in ("feedback_requests", "responses", "usefulness_mean")} for r in rows}


def _overview(api) -> dict:
    response = api.get("/api/v1/progress/cities?page_size=100")
    assert response.status_code == 200
    return {row["city"]["id"]: row for row in response.get_json()}


class World:
    """Cities, people and a course, and the operations that move the counted figures."""

    def __init__(self, tmp_path, rng: random.Random):
        self.rng = rng
        self.cities = [make_city("Graz", "AT", "Europe/Vienna"), make_city("Ghent", "BE", "Europe/Brussels"),
                       make_city("Bologna", "IT", "Europe/Rome")]
        self.coordinators = {c.id: make_user("coordinator", city=c) for c in self.cities}
        self.people = [make_user("learner", city=self.rng.choice(self.cities)) for _ in range(12)]
        self.course = make_course(tmp_path)
        self.enrolled: set[int] = set()
        self.certified: set[int] = set()

    def person(self):
        return self.rng.choice(self.people)

    def city(self):
        return self.rng.choice(self.cities)

    def enroll(self):
        person = self.person()
        if person.id not in self.enrolled:
            self.enrolled.add(person.id)
            completed_course(self.course, person, completed=self.rng.random() < 0.5)

    def certify(self):
        person = self.person()
        if person.id not in self.certified:
            self.certified.add(person.id)
            db.session.add(Certificate(user_id=person.id, course_id=self.course.id, course_title=self.course.title,
                                       code=f"C{self.rng.randrange(10**9)}", issued_at=utcnow()))
            db.session.commit()

    def webinar(self):
        people = self.rng.sample(self.people, 3)
        ended_webinar(*people[:2], absent=people[2:], hours_ago=self.rng.randrange(2, 30))

    def booking(self):
        city = self.city()
        held_booking(city, self.coordinators[city.id], status=self.rng.choice(["held", "held", "cancelled"]))

    def exchange(self):
        requester, host = self.rng.sample(self.cities, 2)
        attended = [p for p in self.people if p.city_id in (requester.id, host.id)][:2]
        held_exchange(requester, host, attended, status=self.rng.choice([Exchange.REPORTED, Exchange.WITHDRAWN]))

    def move(self):
        person = self.person()
        person.city_id = self.city().id
        db.session.commit()

    def answer(self):
        feedback.create_feedback_requests()
        open_requests = db.session.scalars(select(FeedbackRequest).where(FeedbackRequest.answered_at.is_(None))).all()
        for request in self.rng.sample(open_requests, min(3, len(open_requests))):
            person = db.session.get(type(self.people[0]), request.user_id)
            feedback.answer(person, request.id, self.rng.randint(1, 5), self.rng.randint(1, 5),
                            self.rng.random() < 0.7, comment=self.rng.choice([None, "Useful for our plan."]))

    def random_operation(self):
        self.rng.choice([self.enroll, self.enroll, self.certify, self.webinar, self.booking, self.exchange,
                         self.move, self.answer, self.answer])()


def test_kept_figures_equal_a_recount_after_random_operations(app, client, session, tmp_path):
    world = World(tmp_path, random.Random(2026))
    admin = make_user("admin")
    api = api_as(client, admin)
    year = utcnow().year
    for _round in range(4):
        for _ in range(12):
            world.random_operation()
        refresh_snapshots()
        rows = _overview(api)
        for key, sql in RECOUNT_OVERVIEW.items():
            recounted = _recount(sql)
            assert {cid: row["stats"][key] for cid, row in rows.items()} == {c.id: recounted.get(c.id, 0) for c in world.cities}, key
        report = api.get(f"/api/v1/impact?year={year}").get_json()
        assert _report_figures(report["formats"]) == _recount_impact(year)
        for city in world.cities:
            coordinator_view = api_as(client, world.coordinators[city.id]).get("/api/v1/impact").get_json()
            assert _report_figures(coordinator_view["formats"]) == _recount_impact(year, city.id)
    assert sum(r["responses"] for r in report["formats"]) >= MIN_RESPONSES  # the data was not trivial


def test_figures_are_counted_again_by_the_job_and_the_page_says_when(app, client, session, tmp_path):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    admin = make_user("admin", timezone="Europe/Vienna")
    learners = [make_user("learner", city=graz) for _ in range(3)]
    ended_webinar(learners[0])
    login_session(client, admin)
    first = client.get("/progress/cities").get_data(as_text=True)
    counted_at = session.scalar(select(FigureSnapshot.computed_at).where(FigureSnapshot.name == "city_figures"))
    assert f"counted at {counted_at.astimezone(ZoneInfo('Europe/Vienna')):%a %d %b %Y, %H:%M}" in first
    assert "counted again every 10 minutes" in first

    ended_webinar(learners[1], learners[2])
    # Not counted yet: the page still shows the kept figure, and says when it was counted.
    assert _overview(api_as(client, admin))[graz.id]["webinar_attendances"] == 1
    later = (utcnow() + timedelta(minutes=10)).replace(microsecond=0)
    refresh_snapshots(later)
    row = _overview(api_as(client, admin))[graz.id]
    assert row["webinar_attendances"] == 3
    assert row["figures_counted_at"] == later.isoformat().replace("+00:00", "Z")  # the API says when, too

    ended_webinar(learners[0], title="Another")
    page = client.get("/progress/cities").get_data(as_text=True)
    response = client.post("/progress/cities/recount?country=AT", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "/progress/cities?country=AT" in response.headers["Location"]
    assert _overview(api_as(client, admin))[graz.id]["webinar_attendances"] == 4
    assert "The figures were counted again." in client.get("/progress/cities?country=AT").get_data(as_text=True)


def test_the_impact_page_counts_again_on_request_for_its_own_scope(app, client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=graz)
    people = [make_user("learner", city=graz) for _ in range(4)]
    ended_webinar(*people)
    feedback.create_feedback_requests()
    login_session(client, coordinator)
    page = client.get("/impact").get_data(as_text=True)
    assert "Figures counted at" in page and "Count again now" in page
    for person in people:
        request = session.scalar(select(FeedbackRequest).where(FeedbackRequest.user_id == person.id))
        feedback.answer(person, request.id, 5, 4, True)
    api = api_as(client, coordinator)
    before = api.get("/api/v1/impact").get_json()
    assert _report_figures(before["formats"])["webinar"]["responses"] == 0
    response = client.post("/impact/recount", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    after = api.get("/api/v1/impact").get_json()
    assert _report_figures(after["formats"])["webinar"] == {
        "feedback_requests": 4, "responses": 4, "usefulness_mean": 5.0}
    counted_at = datetime.fromisoformat(after["counted_at"].replace("Z", "+00:00"))
    assert after["counted_at"].endswith("Z") and abs(utcnow() - counted_at) < timedelta(minutes=1)  # when, in UTC
    # Another city's scope is not theirs to count.
    bonn = make_city("Bonn", "DE", "Europe/Berlin")
    assert client.post(f"/impact/recount?city_id={bonn.id}", data={"csrf_token": csrf_from(page)}).status_code == 403


COUNTED_TABLES = ("course_enrollments", "course_certificates", "webinar_registrations", "feedback_requests",
                  "exchange_invitations")


@pytest.mark.parametrize("path", ["/api/v1/progress/cities", "/api/v1/impact", "/progress/cities", "/impact"])
def test_a_view_reads_none_of_the_tables_it_counts(app, client, session, count_queries, path, tmp_path):
    world = World(tmp_path, random.Random(7))
    for _ in range(15):
        world.random_operation()
    admin = make_user("admin")
    if path.startswith("/api/"):
        get = api_as(client, admin).get
    else:
        login_session(client, admin)
        get = client.get
    get(path)
    refresh_snapshots()
    with count_queries() as q:
        assert get(path).status_code == 200
    for statement in q.statements:
        touched = [t for t in COUNTED_TABLES if re.search(rf"\b{t}\b", statement)]
        assert not touched, statement
        if re.search(r"\bfeedback_answers\b", statement):  # only the newest comments, a page of them
            assert "LIMIT" in statement.upper(), statement


def test_the_job_drops_unread_scopes_and_survives_a_failing_one(app, client, session, caplog):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=graz)
    api_as(client, coordinator).get("/api/v1/impact?year=2025")
    scopes = set(session.scalars(select(FigureSnapshot.scope).where(FigureSnapshot.name == "impact")))
    assert f'{{"city_id":{graz.id},"country":null,"year":2025}}' in scopes

    later = utcnow() + timedelta(days=app.config["SNAPSHOT_KEEP_DAYS"] + 1)
    refresh_snapshots(later)
    scopes = set(session.scalars(select(FigureSnapshot.scope).where(FigureSnapshot.name == "impact")))
    assert scopes == {f'{{"city_id":null,"country":null,"year":{later.year}}}'}  # only the default is kept

    sources = contributions(app).snapshots
    real = sources["city_figures"]

    def broken(**params):
        raise RuntimeError("a figure could not be counted")

    sources["city_figures"] = real.__class__(real.name, broken, real.defaults)
    try:
        assert refresh_snapshots(later) >= 1  # the impact scope was still counted
    finally:
        sources["city_figures"] = real
    assert "snapshot city_figures {} could not be counted" in caplog.text


def test_two_first_views_of_a_scope_keep_one_snapshot(app, session):
    make_city("Graz", "AT", "Europe/Vienna")
    first = snapshots.read("city_figures", {})
    session.commit()  # a page view's transaction ends with its request
    session.execute(db.delete(FigureSnapshot))
    session.commit()
    # Another process keeps the same scope between this one's count and its insert.
    real = contributions(app).snapshots["city_figures"]

    def count_while_another_keeps(**params):
        data = real.compute(**params)
        with db.engine.begin() as other:  # another process, its own connection
            other.execute(db.insert(FigureSnapshot).values(name="city_figures", scope="{}", data=data,
                                                           computed_at=utcnow(), read_at=utcnow()))
        return data

    contributions(app).snapshots["city_figures"] = real.__class__(real.name, count_while_another_keeps, real.defaults)
    try:
        second = snapshots.read("city_figures", {})
    finally:
        contributions(app).snapshots["city_figures"] = real
    assert second.data == first.data
    session.commit()
    assert session.scalar(select(db.func.count()).select_from(FigureSnapshot)) == 1
