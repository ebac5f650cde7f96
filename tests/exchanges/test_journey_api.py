"""DOMAIN.md's example through the API: Berlin asks, the office invites Barcelona and
Bologna, both accept, a time for the three cities, attendance, report, story, follow-ups."""
from __future__ import annotations

from sqlalchemy import select

from action_lms.core.models import OutboxMessage

from ..helpers import api_as
from .world import accepted, at, invited, make_world, next_weekday, requested, scheduled


def test_the_berlin_barcelona_bologna_exchange_end_to_end(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    assert exchange["status"] == "requested"
    assert exchange["city"]["name"] == "Berlin"
    office = api_as(client, world.admin)
    ids = invited(client, world, exchange["id"], "barcelona", "bologna")
    assert office.get(f"/api/v1/exchanges/{exchange['id']}").get_json()["status"] == "matching"
    # The hosts see the questions from their invitation on.
    seen = api_as(client, world.coord["barcelona"]).get(f"/api/v1/exchanges/{exchange['id']}")
    assert seen.status_code == 200
    assert "How did you involve communities?" in seen.get_json()["questions"]
    accepted(client, world, exchange["id"], ids)
    day = next_weekday(1)
    options = office.get(f"/api/v1/exchanges/{exchange['id']}/time-options?date={day.isoformat()}").get_json()
    assert options, "Berlin, Barcelona and Bologna share working hours"
    # Participants: two per city.
    for key in ("berlin", "barcelona", "bologna"):
        assert api_as(client, world.learner[key]).request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me").status_code == 200
    body = scheduled(client, world, exchange["id"], at(day, 10, tz="Europe/Berlin"))
    assert body["status"] == "scheduled"
    officer_view = api_as(client, world.learner["bologna"]).get(f"/api/v1/exchanges/{exchange['id']}").get_json()
    assert officer_view["join_url"] == "https://meet.example.org/berlin"
    coord_view = api_as(client, world.coord["bologna"]).get(f"/api/v1/exchanges/{exchange['id']}").get_json()
    assert coord_view["join_url"] is None, "the join link goes to participants and the office only"
    ics = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_scheduled")).all()
    assert {m.to_email for m in ics} >= {"officer-berlin@example.org", "officer-barcelona@example.org", "coord-bologna@example.org"}
    assert all(m.attachment and "UID:exchange-" in m.attachment for m in ics)
    assert "meet.example.org" in next(m for m in ics if m.to_email == "officer-berlin@example.org").attachment
    assert "meet.example.org" not in next(m for m in ics if m.to_email == "coord-bologna@example.org").attachment
    # The session took place (move it to the past as time would).
    from datetime import timedelta

    from action_lms.core.time import utcnow
    from action_lms.exchanges.models import Exchange
    row = session.get(Exchange, exchange["id"])
    row.starts_at, row.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    session.commit()
    attended = [world.learner["berlin"].id, world.learner["barcelona"].id]
    held = office.post(f"/api/v1/exchanges/{exchange['id']}/held", json={"attended_user_ids": attended})
    assert held.status_code == 200, held.get_data(as_text=True)
    report = office.post(f"/api/v1/exchanges/{exchange['id']}/report", json={
        "report": "Barcelona and Bologna shared how they **drafted** their plans.",
        "follow_ups": [{"text": "Map community organisations", "owner": "Equal treatment office",
                        "due_date": "2027-06-30", "milestone_key": "stakeholder_consultation"}],
        "publish": True})
    assert report.status_code == 200, report.get_data(as_text=True)
    assert report.get_json()["status"] == "reported"
    slug = report.get_json()["story_slug"]
    story = client.get(f"/api/v1/stories/{slug}")
    assert story.status_code == 200
    assert story.get_json()["cities"] == ["Berlin", "Barcelona", "Bologna"]
    assert "<strong>drafted</strong>" in story.get_json()["report_html"]
    assert "meet.example.org" not in story.get_data(as_text=True)
    assert "example.org" not in story.get_data(as_text=True)
