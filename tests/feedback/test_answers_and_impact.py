"""Answering once, only one's own; the impact report's figures on a known data set, the
anonymity threshold, comments, CSV, who sees what, the query count, erasure and export."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from action_lms.core.time import utcnow
from action_lms.feedback import services
from action_lms.feedback.models import FeedbackAnswer, FeedbackRequest

from ..conftest import run_concurrently
from ..factories import make_city, make_token, make_user
from ..helpers import api_as, assert_envelope, refresh_snapshots
from .data import ended_webinar, held_booking, held_exchange


def _answer(client, person, request_id, usefulness=4, will_apply=3, recommend=True, comment=None):
    return api_as(client, person).post("/api/v1/feedback", json={
        "request_id": request_id, "usefulness": usefulness, "will_apply": will_apply, "recommend": recommend,
        "comment": comment})


def _request_of(session, person, kind=None):
    stmt = select(FeedbackRequest).where(FeedbackRequest.user_id == person.id)
    if kind:
        stmt = stmt.where(FeedbackRequest.kind == kind)
    return session.scalar(stmt)


def test_one_answer_per_request_and_only_ones_own(app, client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    person, other = make_user("learner", city=graz), make_user("learner", city=graz)
    ended_webinar(person, other)
    services.create_feedback_requests()
    mine = _request_of(session, person)
    assert_envelope(_answer(client, other, mine.id), 404)
    assert_envelope(_answer(client, person, 987654), 404)
    bad = assert_envelope(_answer(client, person, mine.id, usefulness=6), 422)
    assert "usefulness" in bad["errors"]
    first = _answer(client, person, mine.id, comment="Clear and practical.")
    assert first.status_code == 201 and first.get_json()["usefulness"] == 4
    again = assert_envelope(_answer(client, person, mine.id), 409)
    assert "already answered" in again["message"]
    assert api_as(client, person).get("/api/v1/me/feedback-requests").get_json() == []


def test_two_answers_at_once_one_201_one_409(app, client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    person = make_user("learner", city=graz)
    ended_webinar(person)
    services.create_feedback_requests()
    request_id = _request_of(session, person).id
    token = make_token(person)
    session.commit()

    def attempt(i):
        response = app.test_client().post("/api/v1/feedback", headers={"Authorization": f"Bearer {token}"},
                                          json={"request_id": request_id, "usefulness": 3 + i % 2, "will_apply": 3,
                                                "recommend": True})
        return response.status_code

    assert sorted(run_concurrently(attempt, 4)) == [201, 409, 409, 409]
    session.expire_all()
    assert session.query(FeedbackAnswer).count() == 1


@pytest.fixture
def data_set(app, client, session):
    """Exchanges rated by four people of three cities, consulting by two, a webinar by three."""
    berlin = make_city("Berlin", "DE", "Europe/Berlin")
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    graz = make_city("Graz", "AT", "Europe/Vienna")
    people = {
        "berlin": [make_user("learner", city=berlin), make_user("coordinator", city=berlin)],
        "bologna": [make_user("learner", city=bologna)],
        "graz": [make_user("learner", city=graz)],
    }
    everyone = [p for group in people.values() for p in group]
    held_exchange(berlin, bologna, attended=[people["berlin"][0], people["bologna"][0], people["graz"][0]])
    held_exchange(berlin, bologna, attended=[people["berlin"][1]], hours_ago=30)
    held_booking(berlin, people["berlin"][1])
    ended_webinar(*everyone[:3])
    services.create_feedback_requests()
    ratings = {  # (person, kind): (usefulness, will_apply, recommend, comment)
        (0, "exchange"): (5, 5, True, "We now call Bologna directly."),
        (2, "exchange"): (4, 4, True, None),
        (3, "exchange"): (5, 3, False, "Too short."),
        (1, "exchange"): (4, 4, True, None),
        (1, "consulting"): (3, 2, True, "Good checklist."),
        (0, "webinar"): (3, 3, True, None),
        (1, "webinar"): (2, 2, False, None),
        (2, "webinar"): (4, 3, True, "Slides please."),
    }
    for (index, kind), (u, w, r, c) in ratings.items():
        request = _request_of(session, everyone[index], kind)
        assert _answer(client, everyone[index], request.id, u, w, r, c).status_code == 201
    admin = make_user("admin")
    return {"admin": admin, "berlin": berlin, "bologna": bologna, "graz": graz, "people": people}


def test_impact_figures_on_a_known_data_set(client, data_set):
    body = api_as(client, data_set["admin"]).get(f"/api/v1/impact?year={utcnow().year}").get_json()
    formats = {f["kind"]: f for f in body["formats"]}
    exchange = formats["exchange"]
    assert exchange["events"] == 2
    assert exchange["requests_made"] == 2
    assert exchange["feedback_requests"] == 4 and exchange["responses"] == 4
    assert exchange["response_rate"] == 1.0
    assert exchange["usefulness_mean"] == 4.5
    assert exchange["will_apply_mean"] == 4.0
    assert exchange["recommend_share"] == 0.75
    webinar = formats["webinar"]
    assert (webinar["responses"], webinar["usefulness_mean"], webinar["recommend_share"]) == (3, 3.0, 0.667)
    # Fewer than three answers: not shown, so nobody can be singled out.
    consulting = formats["consulting"]
    assert consulting["responses"] == 1 and consulting["events"] == 1
    assert consulting["usefulness_mean"] is None and consulting["response_rate"] is None and consulting["rank"] is None
    assert (exchange["rank"], webinar["rank"]) == (1, 2)
    assert formats["course"]["responses"] == 0 and formats["course"]["rank"] is None
    berlin = next(c for c in body["cities"] if c["city"]["name"] == "Berlin")
    berlin_exchange = next(f for f in berlin["formats"] if f["kind"] == "exchange")
    assert berlin_exchange["responses"] == 2 and berlin_exchange["usefulness_mean"] is None
    assert berlin_exchange["events"] == 2 and berlin_exchange["requests_made"] == 2


def test_comments_never_name_people_and_name_cities_only_from_three_cities(client, data_set):
    body = api_as(client, data_set["admin"]).get("/api/v1/impact").get_json()
    exchange = body["comments"]["exchange"]
    assert {c["text"] for c in exchange} == {"We now call Bologna directly.", "Too short."}
    assert {c["city"] for c in exchange} <= {"Berlin", "Graz"} and all(c["city"] for c in exchange)
    webinar = body["comments"]["webinar"]
    assert webinar == [{"text": "Slides please.", "city": None}]  # two cities answered: no city named
    text = str(body)
    for group in data_set["people"].values():
        for person in group:
            assert person.name not in text and person.email not in text


def test_coordinators_see_their_city_only_learners_nothing(client, data_set):
    coordinator = data_set["people"]["berlin"][1]
    api = api_as(client, coordinator)
    mine = api.get("/api/v1/impact").get_json()
    assert [c["city"]["name"] for c in mine["cities"]] == ["Berlin"]
    assert {f["kind"]: f["feedback_requests"] for f in mine["formats"]}["exchange"] == 2
    assert_envelope(api.get(f"/api/v1/impact?city_id={data_set['bologna'].id}"), 403)
    assert_envelope(api_as(client, data_set["people"]["graz"][0]).get("/api/v1/impact"), 403)
    assert_envelope(api_as(client).get("/api/v1/impact"), 401)


def test_filters_by_country_and_the_csv(client, data_set):
    api = api_as(client, data_set["admin"])
    italy = api.get("/api/v1/impact?country=IT").get_json()
    assert [c["city"]["name"] for c in italy["cities"]] == ["Bologna"]
    assert {f["kind"]: f["responses"] for f in italy["formats"]}["exchange"] == 1
    csv = api.get("/api/v1/impact?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("scope,format,events,requests_made")
    assert any(line.startswith("all,exchange,2,2,4,4,1.0,4.5,4.0,0.75,1") for line in lines), lines
    assert_envelope(api.get("/api/v1/impact?year=1999"), 422)


def test_the_report_takes_a_fixed_number_of_queries(client, session, count_queries):
    admin = make_user("admin")
    counts = []
    for n in (3, 12):
        city = make_city(f"City {n}", "FR", "Europe/Paris")
        people = [make_user("learner", city=city) for _ in range(n)]
        ended_webinar(*people, title=f"W{n}")
        services.create_feedback_requests()
        for person in people:
            _answer(client, person, _request_of(session, person).id, comment="ok")
        api = api_as(client, admin)
        refresh_snapshots()  # the scheduler counted the figures since
        with count_queries() as q:
            assert api.get("/api/v1/impact").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_erasure_deletes_open_requests_and_keeps_answers_anonymous(client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    person = make_user("learner", city=graz)
    ended_webinar(person)
    ended_webinar(person, title="Second", hours_ago=5)
    services.create_feedback_requests()
    first = session.scalars(select(FeedbackRequest).order_by(FeedbackRequest.id)).first()
    _answer(client, person, first.id, comment="Helpful.")
    export = api_as(client, person).get("/api/v1/me/data").get_json()["feedback"]["requests"]
    assert len(export) == 2
    assert [r["answer"]["comment"] for r in export if r["answer"]] == ["Helpful."]
    assert api_as(client, person).delete("/api/v1/me").status_code == 204
    session.expire_all()
    rows = session.scalars(select(FeedbackRequest)).all()
    assert [(r.id, r.user_id) for r in rows] == [(first.id, None)]
    answer = session.scalar(select(FeedbackAnswer))
    assert answer.request_id == first.id and answer.usefulness == 4 and answer.city_id == graz.id
    assert utcnow() - answer.created_at < timedelta(minutes=5)


def test_no_comments_from_fewer_than_three_answers_in_the_scope(client, data_set):
    """Berlin's coordinator sees their city: one consulting answer, so its comment is withheld."""
    coordinator = data_set["people"]["berlin"][1]
    body = api_as(client, coordinator).get("/api/v1/impact").get_json()
    assert "consulting" not in body["comments"]
    assert "exchange" not in body["comments"]  # two answers from Berlin
    office = api_as(client, data_set["admin"]).get("/api/v1/impact").get_json()
    assert "consulting" not in office["comments"]  # one answer in all
