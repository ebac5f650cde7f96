"""Availability becomes concrete UTC slots, correct across clock changes; slots never overlap."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from action_lms.consulting import services
from action_lms.consulting.models import Slot
from action_lms.core.time import utcnow

from ..factories import make_booking, make_consultant, make_slot, make_user
from ..helpers import api_as, assert_envelope


def publish(api, **overrides):
    body = {
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "start_time": "09:00",
        "end_time": "10:00",
        "timezone": "Europe/Madrid",
        "slot_minutes": 60,
        "valid_from": "2027-03-26",
        "valid_until": "2027-03-30",
    }
    body.update(overrides)
    return api.post("/api/v1/availability", json=body)


@pytest.mark.parametrize(
    "first,last,before_utc,after_utc",
    [
        # last Sunday of March 2027 is the 28th: CET (UTC+1) -> CEST (UTC+2)
        ("2027-03-26", "2027-03-30", "08:00", "07:00"),
        # last Sunday of October 2027 is the 31st: CEST -> CET
        ("2027-10-29", "2027-11-02", "07:00", "08:00"),
    ],
)
def test_nine_in_madrid_stays_nine_in_madrid_across_the_clock_change(client, first, last, before_utc, after_utc):
    consultant = make_consultant(timezone="Europe/Madrid")
    response = publish(api_as(client, consultant), valid_from=first, valid_until=last)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    starts = [s["starts_at"] for s in body["slots"]]
    assert len(starts) == 5 and body["skipped"] == []
    assert starts[0].endswith(f"T{before_utc}:00Z") and starts[1].endswith(f"T{before_utc}:00Z")
    assert all(s.endswith(f"T{after_utc}:00Z") for s in starts[3:])
    # Every slot is 09:00 for the consultant, whatever the season.
    assert all("09:00" in s["starts_at_consultant"] for s in body["slots"])


def test_a_local_time_that_does_not_exist_is_skipped_and_reported():
    slots, skipped = services.generate_slot_times(
        [6], time(1, 0), time(4, 0), "Europe/Madrid", 60, 0, date(2027, 3, 28), date(2027, 3, 28)
    )
    # 01:00 CET and 03:00 CEST exist; 02:00 does not exist that night.
    assert [s.starts_at for s in slots] == [
        datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
    ]
    assert len(skipped) == 1 and "clock change" in skipped[0].reason and "02:00" in skipped[0].local


def test_weekdays_window_length_and_buffer():
    slots, skipped = services.generate_slot_times(
        [0, 2], time(9, 0), time(12, 0), "Europe/Lisbon", 45, 15, date(2027, 1, 4), date(2027, 1, 10)
    )
    # Monday and Wednesday, 09:00, 10:00, 11:00 (45 min + 15 min buffer); Lisbon is UTC in winter.
    assert [s.starts_at.strftime("%a %H:%M") for s in slots] == [
        "Mon 09:00",
        "Mon 10:00",
        "Mon 11:00",
        "Wed 09:00",
        "Wed 10:00",
        "Wed 11:00",
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots) and not skipped


def test_generation_skips_clashes_with_existing_slots_and_says_so(client, session):
    consultant = make_consultant(timezone="Europe/Madrid")
    existing = make_slot(consultant, datetime(2027, 3, 29, 7, 30, tzinfo=UTC), minutes=60)  # 09:30-10:30 Madrid
    response = publish(api_as(client, consultant), end_time="11:00")
    body = response.get_json()
    assert response.status_code == 201
    assert body["created_count"] == 8 and body["skipped_count"] == 2
    assert all("Overlaps your existing slot" in s["reason"] for s in body["skipped"])
    assert {s["starts_at"] for s in body["skipped"]} == {"2027-03-29T07:00:00Z", "2027-03-29T08:00:00Z"}
    # Publishing the same pattern again creates nothing new: everything clashes.
    again = publish(api_as(client, consultant), end_time="11:00").get_json()
    assert again["created_count"] == 0 and again["skipped_count"] == 10
    assert session.query(Slot).filter_by(consultant_id=consultant.id).count() == 9
    assert existing.id


def test_availability_validation_messages(client):
    consultant = make_consultant()
    api = api_as(client, consultant)
    body = assert_envelope(publish(api, end_time="08:00"), 422)
    assert "end_time" in body["errors"]
    body = assert_envelope(publish(api, weekdays=[7]), 422)
    assert "weekdays" in body["errors"]
    body = assert_envelope(publish(api, start_time="9am"), 422)
    assert "start_time" in body["errors"]
    body = assert_envelope(publish(api, valid_until="2027-03-01"), 422)
    assert "valid_until" in body["errors"]
    body = assert_envelope(publish(api, timezone="Mars/Olympus"), 422)
    assert "timezone" in body["errors"]


def test_admin_publishes_for_a_consultant_and_must_name_one(client):
    admin = make_user("admin")
    consultant = make_consultant()
    api = api_as(client, admin)
    assert "consultant_id" in assert_envelope(publish(api), 422)["errors"]
    response = publish(api, consultant_id=consultant.id)
    assert response.status_code == 201 and response.get_json()["consultant_id"] == consultant.id
    other = make_consultant()
    assert_envelope(publish(api_as(client, consultant), consultant_id=other.id), 403)


def test_single_slot_overlapping_is_409_and_adjacent_is_fine(client):
    consultant = make_consultant(timezone="Europe/Madrid")
    api = api_as(client, consultant)
    first = api.post("/api/v1/slots", json={"starts_at": "2027-05-03T10:00:00+02:00", "duration_minutes": 60})
    assert first.status_code == 201
    assert first.get_json()["starts_at"] == "2027-05-03T08:00:00Z"
    clash = api.post("/api/v1/slots", json={"starts_at": "2027-05-03T10:30:00+02:00", "duration_minutes": 60})
    body = assert_envelope(clash, 409)
    assert "overlaps" in body["message"] and "10:00" in body["message"]
    adjacent = api.post("/api/v1/slots", json={"starts_at": "2027-05-03T11:00:00+02:00", "duration_minutes": 30})
    assert adjacent.status_code == 201
    # Another consultant may have a slot at the same time.
    other = api_as(client, make_consultant())
    assert (
        other.post("/api/v1/slots", json={"starts_at": "2027-05-03T10:00:00+02:00", "duration_minutes": 60}).status_code
        == 201
    )


def test_single_slot_input_errors(client):
    api = api_as(client, make_consultant())
    assert (
        "starts_at"
        in assert_envelope(
            api.post("/api/v1/slots", json={"starts_at": "2027-05-03T10:00:00", "duration_minutes": 60}), 422
        )["errors"]
    )
    past = (utcnow() - timedelta(hours=1)).isoformat()
    assert (
        "starts_at"
        in assert_envelope(api.post("/api/v1/slots", json={"starts_at": past, "duration_minutes": 60}), 422)["errors"]
    )
    assert (
        "duration_minutes"
        in assert_envelope(
            api.post("/api/v1/slots", json={"starts_at": "2027-05-03T10:00:00Z", "duration_minutes": 5}), 422
        )["errors"]
    )


def test_removing_slots(client, session):
    consultant = make_consultant()
    api = api_as(client, consultant)
    open_id = make_slot(consultant).id
    booked = make_booking(make_slot(consultant, utcnow() + timedelta(days=5)))
    booked_slot, city_name = booked.slot_id, booked.city.name
    assert api.delete(f"/api/v1/slots/{open_id}").status_code == 204
    body = assert_envelope(api.delete(f"/api/v1/slots/{booked_slot}"), 409)
    assert "Cancel the booking first" in body["message"] and city_name in body["message"]
    assert_envelope(api_as(client, make_consultant()).delete(f"/api/v1/slots/{booked_slot}"), 403)
    assert_envelope(api.delete(f"/api/v1/slots/{open_id}"), 404)


def test_removed_slot_with_history_frees_the_time(client, session):
    consultant = make_consultant()
    slot = make_slot(consultant, datetime(2027, 6, 1, 8, 0, tzinfo=UTC))
    make_booking(slot, status="cancelled")
    slot.status = "open"
    session.commit()
    api = api_as(client, consultant)
    assert api.delete(f"/api/v1/slots/{slot.id}").status_code == 204
    assert session.get(Slot, slot.id).status == "removed"
    again = api.post("/api/v1/slots", json={"starts_at": "2027-06-01T08:00:00Z", "duration_minutes": 60})
    assert again.status_code == 201


def test_slot_listing_filters_and_zones(client, session):
    madrid = make_consultant(expertise=[2, 4], timezone="Europe/Madrid", name="Ana")
    helsinki = make_consultant(expertise=[8], timezone="Europe/Helsinki", name="Oona")
    a = make_slot(madrid, datetime(2027, 1, 11, 8, 0, tzinfo=UTC))
    b = make_slot(helsinki, datetime(2027, 1, 12, 8, 0, tzinfo=UTC))
    c = make_slot(madrid, datetime(2027, 2, 1, 8, 0, tzinfo=UTC))
    make_booking(c)
    viewer = make_user("learner", timezone="Europe/Lisbon")
    api = api_as(client, viewer)

    def ids(query):
        response = api.get("/api/v1/slots" + query)
        assert response.status_code == 200, response.get_json()
        return [s["id"] for s in response.get_json()]

    assert ids("") == [a.id, b.id, c.id]
    assert ids("?status=open") == [a.id, b.id]
    assert ids("?status=booked") == [c.id]
    assert ids(f"?consultant_id={helsinki.id}") == [b.id]
    assert ids("?expertise=4") == [a.id, c.id]
    assert ids("?from=2027-01-12T00:00:00Z&to=2027-01-31T00:00:00%2B01:00") == [b.id]
    assert_envelope(api.get("/api/v1/slots?from=2027-01-12T00:00:00"), 422)
    assert_envelope(api.get("/api/v1/slots?status=removed"), 422)
    item = api.get(f"/api/v1/slots?consultant_id={helsinki.id}").get_json()[0]
    assert item["consultant"] == {"id": helsinki.id, "name": "Oona"}
    assert item["starts_at"] == "2027-01-12T08:00:00Z" and item["ends_at"] == "2027-01-12T09:00:00Z"
    assert item["starts_at_local"] == "Tue 12 Jan 2027, 08:00 WET"
    assert item["starts_at_consultant"] == "Tue 12 Jan 2027, 10:00 EET"
    assert item["consultant_timezone"] == "Europe/Helsinki"


def test_slots_under_way_are_listed_until_they_end(client, session):
    """The list reads a window of the index by start time; the longest allowed slot that
    started before `from` and is still running must fall inside it."""
    consultant = make_consultant()
    from_ = datetime(2027, 5, 3, 12, 0, tzinfo=UTC)
    longest = services.MAX_SLOT_MINUTES
    running = make_slot(consultant, from_ - timedelta(minutes=longest - 1), minutes=longest)
    make_slot(consultant, from_ - timedelta(minutes=longest + 60), minutes=longest)  # ended an hour ago
    make_slot(consultant, from_ - timedelta(minutes=90), minutes=30)  # ended an hour ago
    later = make_slot(consultant, from_ + timedelta(hours=1))
    api = api_as(client, make_user("learner"))
    response = api.get("/api/v1/slots?from=2027-05-03T12:00:00Z")
    assert [s["id"] for s in response.get_json()] == [running.id, later.id]
    assert response.status_code == 200
    assert api.get("/api/v1/slots?from=0001-01-01T00:00:00Z").status_code == 200


def test_the_database_refuses_a_slot_longer_than_the_longest_allowed(client, session):
    """The list's window relies on the length rule, so the database holds it too, not only the services."""
    from sqlalchemy.exc import IntegrityError

    consultant = make_consultant()
    start = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
    longest = make_slot(consultant, start, minutes=services.MAX_SLOT_MINUTES)
    with pytest.raises(IntegrityError):
        make_slot(consultant, start + timedelta(days=1), minutes=services.MAX_SLOT_MINUTES + 1)
    session.rollback()
    slot = session.get(Slot, longest.id)
    slot.ends_at = slot.ends_at + timedelta(minutes=1)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_slot_list_query_count_is_constant(client, count_queries):
    viewer = make_user("learner")
    api = api_as(client, viewer)
    consultants = [make_consultant() for _ in range(4)]
    for i in range(2):
        make_slot(consultants[i % 4], utcnow() + timedelta(days=2, hours=i * 2))
    api.get("/api/v1/slots")
    with count_queries() as few:
        assert len(api.get("/api/v1/slots").get_json()) == 2
    for i in range(2, 20):
        make_slot(consultants[i % 4], utcnow() + timedelta(days=2, hours=i * 2))
    with count_queries() as many:
        assert len(api.get("/api/v1/slots").get_json()) == 20
    assert many.count == few.count


def test_consultants_list_and_profile_editing(client):
    ana = make_consultant(expertise=[2, 4], timezone="Europe/Madrid", name="Ana", languages=("Spanish", "English"))
    make_consultant(expertise=[8], name="Oona")
    make_user("consultant", name="Zed")  # no profile yet: listed with the account zone
    api = api_as(client, make_user("coordinator"))
    listing = api.get("/api/v1/consultants").get_json()
    assert [c["name"] for c in listing] == ["Ana", "Oona", "Zed"]
    assert listing[0]["expertise"] == [2, 4] and listing[0]["timezone"] == "Europe/Madrid"
    assert listing[0]["languages"] == ["Spanish", "English"]
    assert listing[2]["expertise"] == [] and listing[2]["timezone"] == "Europe/Berlin"
    assert [c["name"] for c in api.get("/api/v1/consultants?expertise=8").get_json()] == ["Oona"]

    assert_envelope(api.patch(f"/api/v1/consultants/{ana.id}", json={"bio": "x"}), 403)
    own = api_as(client, ana).patch(
        f"/api/v1/consultants/{ana.id}",
        json={"expertise": [1, 10], "languages": ["Catalan"], "bio": "Barcelona", "timezone": "Europe/Lisbon"},
    )
    assert own.status_code == 200
    assert own.get_json()["expertise"] == [1, 10] and own.get_json()["timezone"] == "Europe/Lisbon"
    assert (
        "expertise"
        in assert_envelope(api_as(client, ana).patch(f"/api/v1/consultants/{ana.id}", json={"expertise": [11]}), 422)[
            "errors"
        ]
    )
    other = make_consultant()
    assert_envelope(api_as(client, other).patch(f"/api/v1/consultants/{ana.id}", json={"bio": "x"}), 403)
    admin = api_as(client, make_user("admin"))
    assert (
        admin.patch(f"/api/v1/consultants/{ana.id}", json={"bio": "Edited by the office"}).get_json()["bio"]
        == "Edited by the office"
    )
    assert_envelope(admin.get("/api/v1/consultants/999999"), 404)
