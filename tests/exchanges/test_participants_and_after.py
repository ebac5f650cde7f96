"""Participants, attendance, the report and follow-ups, stories, reminders, personal data."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.exchanges import services
from action_lms.exchanges.models import Exchange, Participant

from ..factories import make_city, make_plan, make_user
from ..helpers import api_as, assert_envelope, login_session
from .world import accepted, at, invited, make_world, next_weekday, requested, scheduled


def _ready(client, world, hosts=("barcelona", "bologna")):
    _, exchange = requested(client, world)
    ids = invited(client, world, exchange["id"], *hosts)
    return exchange, ids


def _took_place(session, exchange_id):
    row = session.get(Exchange, exchange_id)
    row.starts_at, row.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=2)
    session.commit()


def test_members_of_taking_part_cities_join_themselves(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    path = f"/api/v1/exchanges/{exchange['id']}/participants/me"
    # Bologna is invited but has not accepted: its people cannot join yet.
    assert_envelope(api_as(client, world.learner["bologna"]).request("PUT", path), 404)
    accepted(client, world, exchange["id"], {"bologna": ids["bologna"]})
    officer = api_as(client, world.learner["bologna"])
    first = officer.request("PUT", path)
    assert first.status_code == 200
    assert officer.request("PUT", path).status_code == 200  # PUT is idempotent
    assert session.query(Participant).filter_by(exchange_id=exchange["id"]).count() == 1
    # Lisbon was never invited: nothing to see.
    assert_envelope(api_as(client, world.learner["lisbon"]).request("PUT", path), 404)
    assert api_as(client, world.learner["berlin"]).request("PUT", path).status_code == 200
    assert officer.request("DELETE", path).status_code == 204
    assert officer.request("DELETE", path).status_code == 204
    names = [p["user"]["name"] for p in api_as(client, world.admin).get(f"/api/v1/exchanges/{exchange['id']}").get_json()["participants"]]
    assert names == ["Berlin Officer"]


def test_other_cities_see_participants_by_name_never_their_addresses(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    api_as(client, world.learner["berlin"]).request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me")
    seen = api_as(client, world.coord["barcelona"]).get(f"/api/v1/exchanges/{exchange['id']}")
    assert seen.get_json()["participants"] == [
        {"user": {"id": world.learner["berlin"].id, "name": "Berlin Officer"},
         "city": {"id": world.berlin.id, "name": "Berlin", "country": "DE", "timezone": "Europe/Berlin"}, "attended": None}]
    assert "officer-berlin@example.org" not in seen.get_data(as_text=True)


def test_a_coordinator_names_members_of_their_own_city(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    path = f"/api/v1/exchanges/{exchange['id']}/participants"
    berlin = api_as(client, world.coord["berlin"])
    bad = assert_envelope(berlin.post(path, json={"user_id": world.learner["bologna"].id}), 422)
    assert "member of your city" in bad["message"]
    added = berlin.post(path, json={"user_id": world.learner["berlin"].id})
    assert added.status_code == 201
    assert_envelope(berlin.post(path, json={"user_id": world.learner["berlin"].id}), 409)
    told = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "exchange_added"))
    assert told.to_email == world.learner["berlin"].email
    # A coordinator of a city that only got an invitation (not accepted) cannot add people.
    lisbon_id = invited(client, world, exchange["id"], "lisbon")["lisbon"]
    assert lisbon_id
    assert_envelope(api_as(client, world.coord["lisbon"]).post(path, json={"user_id": world.learner["lisbon"].id}), 403)
    assert_envelope(api_as(client, world.learner["berlin"]).post(path, json={"user_id": world.learner["berlin"].id}), 403)


def test_attendance_report_follow_ups_and_story(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    office = api_as(client, world.admin)
    base = f"/api/v1/exchanges/{exchange['id']}"
    for key in ("berlin", "barcelona"):
        api_as(client, world.learner[key]).request("PUT", f"{base}/participants/me")
    early = assert_envelope(office.post(f"{base}/held", json={"attended_user_ids": []}), 409)
    assert "scheduled" in early["message"]
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    not_yet = assert_envelope(office.post(f"{base}/held", json={"attended_user_ids": []}), 409)
    assert "not started" in not_yet["message"]
    report_first = assert_envelope(office.post(f"{base}/report", json={"report": "x"}), 409)
    assert "attendance" in report_first["message"]
    _took_place(session, exchange["id"])
    stranger = assert_envelope(office.post(f"{base}/held", json={"attended_user_ids": [world.learner["lisbon"].id]}), 422)
    assert "attended_user_ids" in stranger["errors"]
    held = office.post(f"{base}/held", json={"attended_user_ids": [world.learner["berlin"].id]})
    assert {p["user"]["name"]: p["attended"] for p in held.get_json()["participants"]} == {
        "Berlin Officer": True, "Barcelona Officer": False}
    late_invite = assert_envelope(office.post(f"{base}/invitations", json={"city_id": world.lisbon.id}), 409)
    assert "held" in late_invite["message"]
    bad = assert_envelope(office.post(f"{base}/report", json={"report": "Fine.", "follow_ups": [
        {"text": "Do", "owner": "Me", "milestone_key": "nope"}]}), 422)
    assert "follow_ups.0.milestone_key" in bad["errors"]
    done = office.post(f"{base}/report", json={"report": "Barcelona shared its plan. <script>x</script>", "publish": False,
                                              "follow_ups": [{"text": "Map community organisations", "owner": "Equal treatment office",
                                                              "due_date": "2027-06-30", "milestone_key": "stakeholder_consultation"}]})
    assert done.status_code == 200
    assert "<script>" not in done.get_json()["report_html"]
    assert done.get_json()["story_slug"] is None
    assert client.get("/api/v1/stories").get_json() == []
    reported = session.scalars(select(OutboxMessage.to_email).where(OutboxMessage.kind == "exchange_reported")).all()
    assert world.learner["berlin"].email in reported
    published = office.post(f"{base}/report", json={"report": "Barcelona shared its plan.", "publish": True,
                                                   "follow_ups": done.get_json()["follow_ups"]})
    slug = published.get_json()["story_slug"]
    assert slug.startswith("drafting-a-plan-against-anti-muslim-racism-")
    stories = client.get("/api/v1/stories").get_json()
    assert [s["slug"] for s in stories] == [slug]
    assert set(stories[0]) == {"slug", "title", "cities", "practices", "published_at", "report_html"}
    # The follow-ups appear on Berlin's plan page under the milestone.
    make_plan(world.berlin)
    login_session(client, world.coord["berlin"])
    page = client.get("/my-city").get_data(as_text=True)
    assert "Map community organisations" in page
    unpublished = office.post(f"{base}/report", json={"report": "Barcelona shared its plan.", "publish": False})
    assert unpublished.status_code == 200
    assert client.get(f"/api/v1/stories/{slug}").status_code == 404


def test_the_reminder_goes_once_24_hours_before(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    api_as(client, world.learner["berlin"]).request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me")
    starts = at(next_weekday(1), 10, tz="Europe/Berlin")
    scheduled(client, world, exchange["id"], starts)
    assert services.send_exchange_reminders(now=starts - timedelta(hours=30)) == 0
    assert services.send_exchange_reminders(now=starts - timedelta(hours=23)) == 1
    assert services.send_exchange_reminders(now=starts - timedelta(hours=22)) == 0
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_reminder")).all()
    assert {m.to_email for m in mails} == {world.learner["berlin"].email, world.coord["berlin"].email,
                                            world.coord["barcelona"].email, world.coord["bologna"].email}
    # Moving the session arms a new reminder; a cancelled one gets none.
    scheduled(client, world, exchange["id"], starts + timedelta(days=1))
    assert services.send_exchange_reminders(now=starts) == 1
    api_as(client, world.admin).post(f"/api/v1/exchanges/{exchange['id']}/cancel", json={"reason": "Off."})
    session.get(Exchange, exchange["id"]).reminded_at = None
    session.commit()
    assert services.send_exchange_reminders(now=starts) == 0


def test_overview_counts_exchanges_requested_and_hosted(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    _, other = requested(client, world, topic="Second")
    api_as(client, world.coord["berlin"]).post(f"/api/v1/exchanges/{other['id']}/withdraw")
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    _took_place(session, exchange["id"])
    api_as(client, world.admin).post(f"/api/v1/exchanges/{exchange['id']}/held", json={"attended_user_ids": []})
    rows = {r["city"]["name"] if isinstance(r["city"], dict) else r["city"]: r
            for r in api_as(client, world.admin).get("/api/v1/progress/cities").get_json()}
    assert rows["Berlin"]["stats"]["exchanges_requested"] == 1
    assert rows["Barcelona"]["stats"]["exchanges_hosted"] == 1
    assert rows["Berlin"]["stats"]["exchanges_hosted"] == 0


def test_export_and_erasure(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    officer = world.learner["berlin"]
    api_as(client, officer).request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me")
    data = api_as(client, world.coord["berlin"]).get("/api/v1/me/data").get_json()["exchanges"]
    assert [r["topic"] for r in data["requested"]] == [exchange["topic"]]
    mine = api_as(client, officer).get("/api/v1/me/data").get_json()["exchanges"]
    assert mine["participations"] == [{"exchange_id": exchange["id"], "topic": exchange["topic"], "status": "matching",
                                       "attended": None}]
    assert api_as(client, officer).delete("/api/v1/me").status_code == 204
    assert session.query(Participant).filter_by(exchange_id=exchange["id"]).count() == 0
    assert api_as(client, world.coord["berlin"]).delete("/api/v1/me").status_code == 204
    session.expire_all()
    row = session.get(Exchange, exchange["id"])
    assert row.requested_by_id is None and row.city_id == world.berlin.id


def test_attendance_of_a_session_that_took_place_stays_anonymous_after_erasure(client, session):
    world = make_world()
    exchange, ids = _ready(client, world)
    accepted(client, world, exchange["id"], ids)
    officer = world.learner["berlin"]
    api_as(client, officer).request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me")
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    _took_place(session, exchange["id"])
    api_as(client, world.admin).post(f"/api/v1/exchanges/{exchange['id']}/held", json={"attended_user_ids": [officer.id]})
    assert api_as(client, officer).delete("/api/v1/me").status_code == 204
    session.expire_all()
    rows = session.scalars(select(Participant).where(Participant.exchange_id == exchange["id"])).all()
    assert [(r.user_id, r.attended, r.city_id) for r in rows] == [(None, True, world.berlin.id)]
    body = api_as(client, world.admin).get(f"/api/v1/exchanges/{exchange['id']}").get_json()
    assert body["participants"][0]["user"] is None


def test_cli_lists_exchanges(app, client, session):
    world = make_world()
    _, exchange = requested(client, world)
    make_city("Turin", "IT", "Europe/Rome")
    make_user("admin")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["exchanges", "list"])
    assert result.exit_code == 0, result.output
    assert "requested" in result.output and "Berlin" in result.output and exchange["topic"] in result.output
    empty = runner.invoke(args=["exchanges", "list", "--status", "held"])
    assert "No exchanges are held." in empty.output
    bad = runner.invoke(args=["exchanges", "list", "--status", "nope"])
    assert bad.exit_code != 0
