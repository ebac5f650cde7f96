"""Start times inside working hours in every taking-part city's zone, across zones outside
Central Europe and across a daylight-saving change; scheduling, moving, the calendar file."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.core.time import UTC

from ..helpers import api_as, assert_envelope
from .world import accepted, at, invited, make_world, next_weekday, requested, scheduled


def _options(client, world, exchange_id, day, minutes=60):
    response = api_as(client, world.admin).get(
        f"/api/v1/exchanges/{exchange_id}/time-options?date={day.isoformat()}&duration_minutes={minutes}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(o["starts_at"], o["ends_at"]) for o in response.get_json()]


def test_three_cities_in_one_zone_get_the_whole_working_day(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    invited(client, world, exchange["id"], "barcelona", "bologna")
    day = date(2027, 2, 16)  # a Tuesday, CET (UTC+1)
    options = _options(client, world, exchange["id"], day)
    assert options[0] == ("2027-02-16T08:00:00Z", "2027-02-16T09:00:00Z")  # 09:00 in Berlin, Barcelona, Bologna
    assert options[-1] == ("2027-02-16T15:00:00Z", "2027-02-16T16:00:00Z")  # ends at 17:00
    assert len(options) == 15  # every 30 minutes from 09:00 to 16:00


def test_lisbon_and_helsinki_narrow_the_day_and_follow_daylight_saving(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    invited(client, world, exchange["id"], "lisbon", "helsinki")
    # Friday before the change (last Sunday of March 2027 is the 28th): Lisbon UTC+0, Helsinki UTC+2.
    before = _options(client, world, exchange["id"], date(2027, 3, 26))
    # 09:00 in Lisbon is 09:00 UTC; 17:00 in Helsinki is 15:00 UTC.
    assert before[0][0] == "2027-03-26T09:00:00Z" and before[-1][1] == "2027-03-26T15:00:00Z"
    # Monday after: summer time everywhere, every bound an hour earlier in UTC.
    after = _options(client, world, exchange["id"], date(2027, 3, 29))
    assert after[0][0] == "2027-03-29T08:00:00Z" and after[-1][1] == "2027-03-29T14:00:00Z"
    assert len(before) == len(after) == 11
    # Autumn: the last Sunday of October 2027 is the 31st; Monday 1 November is winter time again.
    november = _options(client, world, exchange["id"], date(2027, 11, 1))
    assert november[0][0] == "2027-11-01T09:00:00Z"


def test_athens_and_lisbon_share_only_a_few_hours(client, session):
    world = make_world()
    from ..factories import make_city
    athens = make_city("Athens", "GR", "Europe/Athens")
    _, exchange = requested(client, world)
    office = api_as(client, world.admin)
    for city in (athens, world.lisbon):
        assert office.post(f"/api/v1/exchanges/{exchange['id']}/invitations", json={"city_id": city.id}).status_code == 201
    # Athens UTC+2 (09-17 = 07-15 UTC), Lisbon UTC+0 (09-17 UTC), Berlin UTC+1 (08-16 UTC): 09:00-15:00 UTC.
    options = _options(client, world, exchange["id"], date(2027, 2, 16), minutes=120)
    assert options[0] == ("2027-02-16T09:00:00Z", "2027-02-16T11:00:00Z")
    assert options[-1] == ("2027-02-16T13:00:00Z", "2027-02-16T15:00:00Z")


def test_no_options_on_a_weekend_or_the_sunday_of_the_change(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    assert _options(client, world, exchange["id"], date(2027, 3, 28)) == []
    assert _options(client, world, exchange["id"], date(2027, 3, 27)) == []


def test_working_hours_are_a_setting(make_app):
    app = make_app(EXCHANGE_WORKDAY_START="10:00", EXCHANGE_WORKDAY_END="12:00")
    with app.app_context():
        client = app.test_client()
        world = make_world()
        _, exchange = requested(client, world)
        options = _options(client, world, exchange["id"], date(2027, 2, 16))
        assert options == [("2027-02-16T09:00:00Z", "2027-02-16T10:00:00Z"), ("2027-02-16T09:30:00Z", "2027-02-16T10:30:00Z"),
                           ("2027-02-16T10:00:00Z", "2027-02-16T11:00:00Z")]


def test_scheduling_needs_an_accepted_host(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    invited(client, world, exchange["id"], "barcelona")
    body = assert_envelope(api_as(client, world.admin).post(f"/api/v1/exchanges/{exchange['id']}/schedule", json={
        "starts_at": at(next_weekday(1), 10, tz="Europe/Berlin").isoformat(), "duration_minutes": 60,
        "join_url": "https://meet.example.org/x"}), 409)
    assert "accepted" in body["message"]


def test_a_time_outside_a_citys_hours_is_refused_naming_it_unless_confirmed(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    ids = invited(client, world, exchange["id"], "lisbon")
    accepted(client, world, exchange["id"], ids)
    day = next_weekday(1)
    nine_berlin = at(day, 9, tz="Europe/Berlin")  # 08:00 in Lisbon
    office = api_as(client, world.admin)
    path = f"/api/v1/exchanges/{exchange['id']}/schedule"
    body = {"starts_at": nine_berlin.isoformat(), "duration_minutes": 60, "join_url": "https://meet.example.org/x"}
    refused = assert_envelope(office.post(path, json=body), 409)
    assert "Lisbon" in refused["message"] and "Berlin" not in refused["message"]
    assert "08:00" in refused["message"]
    assert office.get(f"/api/v1/exchanges/{exchange['id']}").get_json()["status"] == "matching"
    confirmed = office.post(path, json={**body, "outside_hours_ok": True})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["starts_at"] == nine_berlin.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_naive_and_past_times_are_refused(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "bologna"))
    office = api_as(client, world.admin)
    path = f"/api/v1/exchanges/{exchange['id']}/schedule"
    naive = assert_envelope(office.post(path, json={"starts_at": "2027-03-02T10:00:00", "duration_minutes": 60,
                                                     "join_url": "https://meet.example.org/x"}), 422)
    assert "starts_at" in naive["errors"]
    past = assert_envelope(office.post(path, json={"starts_at": "2025-03-04T10:00:00+01:00", "duration_minutes": 60,
                                                    "join_url": "https://meet.example.org/x"}), 422)
    assert "starts_at" in past["errors"]
    assert_envelope(office.post(path, json={"starts_at": at(next_weekday(1), 10, tz="Europe/Berlin").isoformat(),
                                            "duration_minutes": 60, "join_url": "javascript:alert(1)"}), 422)


def test_everyone_gets_the_time_in_their_own_zone_and_a_move_raises_the_sequence(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    ids = invited(client, world, exchange["id"], "lisbon", "helsinki")
    accepted(client, world, exchange["id"], ids)
    day = next_weekday(2)
    first = scheduled(client, world, exchange["id"], at(day, 11, tz="Europe/Berlin"))
    assert first["sequence"] == 0
    mails = {m.to_email: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_scheduled"))}
    assert set(mails) == {world.coord[k].email for k in ("berlin", "lisbon", "helsinki")}
    assert "11:00" in mails[world.coord["berlin"].email].body_text
    assert "10:00" in mails[world.coord["lisbon"].email].body_text
    assert "12:00" in mails[world.coord["helsinki"].email].body_text
    assert "SEQUENCE:0" in mails[world.coord["berlin"].email].attachment
    uid = f"UID:exchange-{exchange['id']}@action-lms"
    assert uid in mails[world.coord["berlin"].email].attachment
    moved = scheduled(client, world, exchange["id"], at(day, 13, tz="Europe/Berlin"))
    assert moved["sequence"] == 1
    again = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_rescheduled")).all()
    assert len(again) == 3
    assert all("SEQUENCE:1" in m.attachment and uid in m.attachment for m in again)
    # The same time again changes nothing and tells nobody.
    scheduled(client, world, exchange["id"], at(day, 13, tz="Europe/Berlin"))
    assert len(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_rescheduled")).all()) == 3


def test_the_calendar_file_is_for_participants_and_the_office(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "bologna"))
    path = f"/api/v1/exchanges/{exchange['id']}/calendar.ics"
    assert_envelope(api_as(client, world.admin).get(path), 409)  # no time yet
    officer = api_as(client, world.learner["bologna"])
    assert officer.request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me").status_code == 200
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    ics = officer.get(path)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert "meet.example.org/berlin" in ics.get_data(as_text=True)
    assert api_as(client, world.admin).get(path).status_code == 200
    assert_envelope(api_as(client, world.coord["bologna"]).get(path), 403)
    assert_envelope(api_as(client, world.coord["barcelona"]).get(path), 404)


def test_cancelling_a_scheduled_exchange_sends_a_cancelled_event(client, session):
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "bologna"))
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    api_as(client, world.admin).post(f"/api/v1/exchanges/{exchange['id']}/cancel", json={"reason": "The host is ill."})
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_cancelled")).all()
    assert {m.to_email for m in mails} == {world.coord["berlin"].email, world.coord["bologna"].email}
    assert all("STATUS:CANCELLED" in m.attachment and "SEQUENCE:1" in m.attachment for m in mails)


def test_the_personal_feed_lists_exchanges_one_takes_part_in(client, session):
    from action_lms.exchanges import services
    world = make_world()
    _, exchange = requested(client, world)
    accepted(client, world, exchange["id"], invited(client, world, exchange["id"], "bologna"))
    api_as(client, world.learner["bologna"]).request("PUT", f"/api/v1/exchanges/{exchange['id']}/participants/me")
    scheduled(client, world, exchange["id"], at(next_weekday(1), 10, tz="Europe/Berlin"))
    events = services.calendar_events_for(world.learner["bologna"])
    assert [e.uid for e in events] == [f"exchange-{exchange['id']}@action-lms"]
    assert events[0].location == "https://meet.example.org/berlin"
    assert services.calendar_events_for(world.coord["barcelona"]) == []
    assert isinstance(events[0].starts_at, datetime) and events[0].starts_at.tzinfo == UTC
