"""Suggestions with reasons, invitations (one per city, never the requester) and answers."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.exchanges.models import Exchange, Invitation
from action_lms.extensions import db

from ..factories import make_plan
from ..helpers import api_as, assert_envelope
from .world import invited, make_world, published_practice, requested


def _complete(plan, key):
    for milestone in plan.milestones:
        if milestone.key == key:
            milestone.status = "completed"
            milestone.completed_at = utcnow()
            milestone.note = "Done with the community council."
    db.session.commit()


def test_suggestions_rank_hosts_with_reasons_and_never_the_requester(client, session):
    world = make_world()
    islamophobia = published_practice(world.barcelona, "Municipal plan against Islamophobia", commitments=(1, 3, 8),
                                      languages=("es", "ca", "en"))
    published_practice(world.bologna, "Non-discriminatory administrative action", commitments=(5, 6), languages=("it", "en"))
    published_practice(world.berlin, "Berlin's own practice", commitments=(1, 3), languages=("de",))
    _complete(make_plan(world.lisbon), "stakeholder_consultation")
    _, exchange = requested(client, world, commitments=[1, 3], languages=["de", "en"], practice_ids=[islamophobia.id],
                            preferred_city_ids=[world.bologna.id])
    response = api_as(client, world.admin).get(f"/api/v1/exchanges/{exchange['id']}/suggestions")
    assert response.status_code == 200
    rows = response.get_json()
    names = [r["city"]["name"] for r in rows]
    assert "Berlin" not in names
    assert names[:3] == ["Barcelona", "Bologna", "Lisbon"]
    barcelona = rows[0]["reasons"]
    assert "owns the practice you asked about: Municipal plan against Islamophobia" in barcelona
    assert "speaks en" in barcelona
    assert "hosted 0 exchanges in the last 12 months" in barcelona
    assert "named by the requesting city" in rows[1]["reasons"]
    assert "completed milestone stakeholder_consultation" in rows[2]["reasons"]
    assert "Helsinki" not in names, "a city with no reason is not suggested"


def test_a_practice_on_a_requested_commitment_is_a_reason_per_commitment(client, session):
    world = make_world()
    published_practice(world.bologna, "Victim support desk", commitments=(3, 10))
    _, exchange = requested(client, world, commitments=[1, 3, 10])
    rows = api_as(client, world.admin).get(f"/api/v1/exchanges/{exchange['id']}/suggestions").get_json()
    assert rows[0]["city"]["name"] == "Bologna"
    assert {"published practice on commitment 3", "published practice on commitment 10"} <= set(rows[0]["reasons"])


def test_hosting_spreads_the_load(client, session):
    world = make_world()
    published_practice(world.barcelona, "A", commitments=(3,))
    published_practice(world.bologna, "B", commitments=(3,))
    # Barcelona hosted twice in the last year, once more than a year ago.
    for days_ago in (30, 90, 500):
        past = Exchange(city_id=world.lisbon.id, topic="Earlier", objective="x", questions=["q"], languages=["en"],
                        status=Exchange.REPORTED, starts_at=utcnow() - timedelta(days=days_ago),
                        ends_at=utcnow() - timedelta(days=days_ago) + timedelta(hours=1))
        db.session.add(past)
        db.session.flush()
        db.session.add(Invitation(exchange_id=past.id, city_id=world.barcelona.id, requester_city_id=world.lisbon.id,
                                  status=Invitation.ACCEPTED))
    db.session.commit()
    _, exchange = requested(client, world, commitments=[3])
    rows = api_as(client, world.admin).get(f"/api/v1/exchanges/{exchange['id']}/suggestions").get_json()
    assert [r["city"]["name"] for r in rows] == ["Bologna", "Barcelona"]
    assert "hosted 2 exchanges in the last 12 months" in rows[1]["reasons"]
    assert rows[1]["hosted_last_year"] == 2


def test_suggestions_are_for_the_office_only(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    assert_envelope(api_as(client, world.coord["berlin"]).get(f"/api/v1/exchanges/{exchange['id']}/suggestions"), 403)


def test_suggestions_take_a_fixed_number_of_queries(client, session, count_queries):
    world = make_world()
    counts = []
    for n in (1, 6):
        for i in range(n):
            published_practice(world.bologna, f"P{n}-{i}", commitments=(3,), languages=("en", "it"))
        _, exchange = requested(client, world, commitments=[3], languages=["en"])
        api = api_as(client, world.admin)
        with count_queries() as q:
            assert api.get(f"/api/v1/exchanges/{exchange['id']}/suggestions").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_the_same_city_twice_is_409_and_the_requester_422(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    office = api_as(client, world.admin)
    invited(client, world, exchange["id"], "barcelona")
    again = assert_envelope(office.post(f"/api/v1/exchanges/{exchange['id']}/invitations", json={"city_id": world.barcelona.id}), 409)
    assert "already invited" in again["message"]
    own = assert_envelope(office.post(f"/api/v1/exchanges/{exchange['id']}/invitations", json={"city_id": world.berlin.id}), 422)
    assert "city_id" in own["errors"]
    assert_envelope(office.post(f"/api/v1/exchanges/{exchange['id']}/invitations", json={"city_id": 987654}), 422)


def test_the_database_refuses_inviting_the_requesting_city(app, session):
    """The rule holds even when a service is bypassed: the CHECK over the composite key."""
    import pytest
    from sqlalchemy.exc import IntegrityError
    world = make_world()
    exchange = Exchange(city_id=world.berlin.id, topic="t", objective="o", questions=["q"], languages=["en"])
    session.add(exchange)
    session.commit()
    session.add(Invitation(exchange_id=exchange.id, city_id=world.berlin.id, requester_city_id=world.berlin.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    # Lying about the requester breaks the composite foreign key instead.
    session.add(Invitation(exchange_id=exchange.id, city_id=world.berlin.id, requester_city_id=world.bologna.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_an_invitation_names_a_practice_of_the_invited_city(client, session):
    world = make_world()
    bologna_practice = published_practice(world.bologna, "Bologna plan")
    _, exchange = requested(client, world)
    office = api_as(client, world.admin)
    wrong = office.post(f"/api/v1/exchanges/{exchange['id']}/invitations",
                        json={"city_id": world.barcelona.id, "practice_id": bologna_practice.id})
    assert_envelope(wrong, 422)
    right = office.post(f"/api/v1/exchanges/{exchange['id']}/invitations",
                        json={"city_id": world.bologna.id, "practice_id": bologna_practice.id, "message": "Please join."})
    assert right.status_code == 201
    assert right.get_json()["practice"]["title"] == "Bologna plan"
    mail = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "exchange_invited"))
    assert mail.to_email == world.coord["bologna"].email
    assert "Who owns the measures?" in mail.body_text, "the questions are sent ahead"
    assert "Bologna plan" in mail.body_text and "Please join." in mail.body_text


def test_answers_accept_decline_and_who_may_give_them(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    ids = invited(client, world, exchange["id"], "barcelona", "bologna")
    base = f"/api/v1/exchanges/{exchange['id']}/invitations"
    # Another city's coordinator: not their invitation.
    assert_envelope(api_as(client, world.coord["bologna"]).post(f"{base}/{ids['barcelona']}/accept"), 404)
    assert_envelope(api_as(client, world.learner["barcelona"]).post(f"{base}/{ids['barcelona']}/accept"), 403)
    barcelona = api_as(client, world.coord["barcelona"])
    assert barcelona.post(f"{base}/{ids['barcelona']}/accept").status_code == 200
    twice = assert_envelope(barcelona.post(f"{base}/{ids['barcelona']}/accept"), 409)
    assert "already accepted" in twice["message"]
    bologna = api_as(client, world.coord["bologna"])
    assert_envelope(bologna.post(f"{base}/{ids['bologna']}/decline", json={"reason": ""}), 422)
    declined = bologna.post(f"{base}/{ids['bologna']}/decline", json={"reason": "Our team is on leave in March."})
    assert declined.status_code == 200
    statuses = {i["city"]["name"]: (i["status"], i["decline_reason"]) for i in declined.get_json()["invitations"]}
    assert statuses == {"Barcelona": ("accepted", None), "Bologna": ("declined", "Our team is on leave in March.")}
    told = session.scalars(select(OutboxMessage.to_email).where(OutboxMessage.kind == "exchange_declined")).all()
    assert set(told) == {world.admin.email, world.coord["berlin"].email}


def test_withdrawn_invitation_lets_the_office_invite_the_city_again(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    ids = invited(client, world, exchange["id"], "barcelona")
    office = api_as(client, world.admin)
    assert office.post(f"/api/v1/exchanges/{exchange['id']}/invitations/{ids['barcelona']}/withdraw").status_code == 200
    assert office.post(f"/api/v1/exchanges/{exchange['id']}/invitations", json={"city_id": world.barcelona.id}).status_code == 201
