"""Asking for an exchange, who sees it, withdrawing and cancelling (API.md, "Peer exchanges")."""
from __future__ import annotations

from sqlalchemy import select

from action_lms.core.models import OutboxMessage

from ..factories import make_city, make_user
from ..helpers import api_as, assert_envelope
from .world import invited, make_world, request_body, requested


def test_a_request_needs_at_least_one_question(client, session):
    world = make_world()
    api = api_as(client, world.coord["berlin"])
    body = assert_envelope(api.post("/api/v1/exchanges", json=request_body(questions=["   "])), 422)
    assert "questions" in body["errors"]
    assert "at least one question" in body["message"]
    assert_envelope(api.post("/api/v1/exchanges", json=request_body(questions=[])), 422)


def test_the_requesting_city_cannot_name_itself_as_host(client, session):
    world = make_world()
    api = api_as(client, world.coord["berlin"])
    body = assert_envelope(api.post("/api/v1/exchanges", json=request_body(preferred_city_ids=[world.berlin.id])), 422)
    assert "preferred_city_ids" in body["errors"]


def test_bad_fields_are_422_naming_the_field(client, session):
    world = make_world()
    api = api_as(client, world.coord["berlin"])
    cases = {
        "milestone_key": {"milestone_key": "no_such_milestone"},
        "languages": {"languages": ["German!"]},
        "latest_date": {"earliest_date": "2027-05-10", "latest_date": "2027-05-01"},
        "topic": {"topic": "Line\nbreak"},
        "preferred_city_ids": {"preferred_city_ids": [999999]},
        "practice_ids": {"practice_ids": [999999]},
    }
    for field, extra in cases.items():
        body = assert_envelope(api.post("/api/v1/exchanges", json=request_body(**extra)), 422)
        assert field in body["errors"], (field, body)


def test_who_may_ask(client, session):
    world = make_world()
    assert_envelope(api_as(client, world.learner["berlin"]).post("/api/v1/exchanges", json=request_body()), 403)
    assert_envelope(api_as(client).post("/api/v1/exchanges", json=request_body()), 401)
    # A coordinator asks for their own city only; the office names the city.
    other = assert_envelope(api_as(client, world.coord["berlin"]).post(
        "/api/v1/exchanges", json=request_body(city_id=world.bologna.id)), 403)
    assert "own city" in other["message"]
    assert_envelope(api_as(client, world.admin).post("/api/v1/exchanges", json=request_body()), 422)
    made = api_as(client, world.admin).post("/api/v1/exchanges", json=request_body(city_id=world.lisbon.id))
    assert made.status_code == 201 and made.get_json()["city"]["name"] == "Lisbon"


def test_the_office_is_told_of_a_request(client, session):
    world = make_world()
    second_admin = make_user("admin", email="office2@example.org")
    requested(client, world)
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_requested")).all()
    assert {m.to_email for m in messages} == {world.admin.email, second_admin.email}
    assert "How did you involve communities?" in messages[0].body_text
    assert "Berlin" in messages[0].subject


def test_visibility_requesting_city_invited_cities_participants_and_office(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    path = f"/api/v1/exchanges/{exchange['id']}"
    assert api_as(client, world.coord["berlin"]).get(path).status_code == 200
    assert api_as(client, world.admin).get(path).status_code == 200
    # Before its invitation Barcelona sees nothing: 404, and the list leaves it out.
    barcelona = api_as(client, world.coord["barcelona"])
    assert_envelope(barcelona.get(path), 404)
    assert barcelona.get("/api/v1/exchanges").get_json() == []
    # A learner of Berlin who does not take part does not see it either.
    assert_envelope(api_as(client, world.learner["berlin"]).get(path), 404)
    invited(client, world, exchange["id"], "barcelona")
    assert barcelona.get(path).status_code == 200
    assert [e["id"] for e in barcelona.get("/api/v1/exchanges").get_json()] == [exchange["id"]]
    assert_envelope(api_as(client, world.coord["bologna"]).get(path), 404)
    # A pending member of Berlin sees nothing of the city's exchanges.
    pending = make_user("learner")
    pending.requested_city_id = world.berlin.id
    session.commit()
    assert_envelope(api_as(client, pending).get(path), 404)
    assert api_as(client, pending).get("/api/v1/exchanges").get_json() == []


def test_the_list_filters_by_status_and_city(client, session):
    world = make_world()
    _, first = requested(client, world)
    _, second = requested(client, world, topic="Monitoring")
    invited(client, world, second["id"], "bologna")
    office = api_as(client, world.admin)
    assert [e["id"] for e in office.get("/api/v1/exchanges?status=matching").get_json()] == [second["id"]]
    assert [e["id"] for e in office.get(f"/api/v1/exchanges?city_id={world.berlin.id}").get_json()] == [first["id"], second["id"]]
    assert office.get(f"/api/v1/exchanges?city_id={world.lisbon.id}").get_json() == []
    assert_envelope(office.get("/api/v1/exchanges?status=dreaming"), 422)


def test_withdraw_by_the_requesting_city_tells_invited_cities(client, session):
    world = make_world()
    berlin, exchange = requested(client, world)
    invited(client, world, exchange["id"], "barcelona")
    assert_envelope(api_as(client, world.coord["barcelona"]).post(f"/api/v1/exchanges/{exchange['id']}/withdraw"), 403)
    response = berlin.post(f"/api/v1/exchanges/{exchange['id']}/withdraw")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "withdrawn"
    assert body["invitations"][0]["status"] == "withdrawn"
    told = session.scalars(select(OutboxMessage.to_email).where(OutboxMessage.kind == "exchange_withdrawn")).all()
    assert world.coord["barcelona"].email in told
    again = assert_envelope(berlin.post(f"/api/v1/exchanges/{exchange['id']}/withdraw"), 409)
    assert "withdrawn" in again["message"]


def test_cancel_by_the_office_needs_a_reason(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    office = api_as(client, world.admin)
    assert_envelope(office.post(f"/api/v1/exchanges/{exchange['id']}/cancel", json={"reason": " "}), 422)
    assert_envelope(api_as(client, world.coord["berlin"]).post(
        f"/api/v1/exchanges/{exchange['id']}/cancel", json={"reason": "No"}), 403)
    done = office.post(f"/api/v1/exchanges/{exchange['id']}/cancel", json={"reason": "No host city is available."})
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert done.get_json()["cancel_reason"] == "No host city is available."
    body = assert_envelope(office.post(f"/api/v1/exchanges/{exchange['id']}/schedule", json={
        "starts_at": "2027-03-02T10:00:00+01:00", "duration_minutes": 60, "join_url": "https://meet.example.org/x"}), 409)
    assert "cancelled" in body["message"]


def test_a_city_without_coordinators_is_still_listed_for_the_office(client, session):
    world = make_world()
    lonely = make_city("Turin", "IT", "Europe/Rome")
    made = api_as(client, world.admin).post("/api/v1/exchanges", json=request_body(city_id=lonely.id))
    assert made.status_code == 201
    assert made.get_json()["id"] in [e["id"] for e in api_as(client, world.admin).get("/api/v1/exchanges").get_json()]
