"""Booking rules and their messages, cancellation, rescheduling, notes and follow-ups."""

from datetime import UTC, datetime, timedelta

import pytest

from action_lms.consulting.models import Booking, Slot
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user
from ..helpers import api_as, assert_envelope

BODY = {"topic": "Baseline data", "questions": "Which indicators should we start with?"}


def in_days(days, hour=9):
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_coordinator_books_an_open_slot(client, session):
    city = make_city("Barcelona", "ES", "Europe/Madrid")
    coordinator = make_user("coordinator", city=city, name="Núria")
    slot = make_slot(make_consultant(name="Ana"), in_days(5))
    response = api_as(client, coordinator).post(
        f"/api/v1/slots/{slot.id}/booking", json={**BODY, "milestone_key": "baseline_assessment"}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["slot"]["id"] == slot.id and body["slot"]["status"] == "booked"
    assert body["city"]["name"] == "Barcelona" and body["booked_by"]["name"] == "Núria"
    assert body["topic"] == "Baseline data" and body["questions"] == BODY["questions"]
    assert body["status"] == "booked" and body["milestone_key"] == "baseline_assessment"
    session.expire_all()
    assert session.get(Slot, slot.id).status == "booked"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"topic": "", "questions": "q"}, "topic"),
        ({"topic": "x" * 201}, "topic"),
        ({"topic": "Data", "milestone_key": "world_peace"}, "milestone_key"),
    ],
)
def test_booking_input_errors_name_the_field(client, payload, field):
    slot = make_slot(starts_at=in_days(5))
    body = assert_envelope(
        api_as(client, make_user("coordinator")).post(f"/api/v1/slots/{slot.id}/booking", json=payload), 422
    )
    assert field in body["errors"]


def test_refusals_are_409_with_sentences(client, session, app):
    coordinator = make_user("coordinator")
    api = api_as(client, coordinator)
    consultant = make_consultant()
    soon = make_slot(consultant, utcnow() + timedelta(hours=5))
    body = assert_envelope(api.post(f"/api/v1/slots/{soon.id}/booking", json=BODY), 409)
    assert "at least 24 hours ahead" in body["message"]
    past = make_slot(consultant, utcnow() - timedelta(hours=5))
    assert "in the past" in assert_envelope(api.post(f"/api/v1/slots/{past.id}/booking", json=BODY), 409)["message"]
    taken = make_booking(make_slot(consultant, in_days(4)))
    body = assert_envelope(api.post(f"/api/v1/slots/{taken.slot_id}/booking", json=BODY), 409)
    assert body["message"] == "This slot has just been booked by another city. Please choose another time."
    assert_envelope(api.post("/api/v1/slots/999999/booking", json=BODY), 404)


def test_monthly_quota_per_city_in_the_citys_zone(client, make_app):
    app = make_app(CONSULTING_MONTHLY_QUOTA=2)
    with app.app_context():
        client = app.test_client()
        city = make_city("Helsinki test", "FI", "Europe/Helsinki")
        coordinator = make_user("coordinator", city=city)
        consultant = make_consultant()
        api = api_as(client, coordinator)
        # 2027-04-30 21:30 UTC is already 1 May in Helsinki (UTC+3).
        april = [make_slot(consultant, datetime(2027, 4, d, 8, tzinfo=UTC)) for d in (5, 6)]
        late_april_utc = make_slot(consultant, datetime(2027, 4, 30, 21, 30, tzinfo=UTC))
        third = make_slot(consultant, datetime(2027, 4, 20, 8, tzinfo=UTC))
        for slot in april:
            assert api.post(f"/api/v1/slots/{slot.id}/booking", json=BODY).status_code == 201
        body = assert_envelope(api.post(f"/api/v1/slots/{third.id}/booking", json=BODY), 409)
        assert body["message"].startswith(
            "Helsinki test already has 2 consulting sessions in April 2027, the monthly limit."
        )
        assert api.post(f"/api/v1/slots/{late_april_utc.id}/booking", json=BODY).status_code == 201
        # Another city is not affected, and a cancelled booking frees the quota.
        other = api_as(client, make_user("coordinator"))
        assert other.post(f"/api/v1/slots/{third.id}/booking", json=BODY).status_code == 201


def test_min_notice_is_configurable(make_app):
    app = make_app(CONSULTING_MIN_NOTICE_HOURS=2)
    with app.app_context():
        client = app.test_client()
        slot = make_slot(starts_at=utcnow() + timedelta(hours=5))
        response = api_as(client, make_user("coordinator")).post(f"/api/v1/slots/{slot.id}/booking", json=BODY)
        assert response.status_code == 201


def test_admin_books_for_a_city_and_coordinator_only_for_own(client):
    slot = make_slot(starts_at=in_days(5))
    admin = api_as(client, make_user("admin"))
    assert "city_id" in assert_envelope(admin.post(f"/api/v1/slots/{slot.id}/booking", json=BODY), 422)["errors"]
    city = make_city()
    coordinator = make_user("coordinator")
    assert_envelope(
        api_as(client, coordinator).post(f"/api/v1/slots/{slot.id}/booking", json={**BODY, "city_id": city.id}), 403
    )
    response = admin.post(f"/api/v1/slots/{slot.id}/booking", json={**BODY, "city_id": city.id})
    assert response.status_code == 201 and response.get_json()["city"]["id"] == city.id
    for role in ("learner", "consultant"):
        other = make_slot(starts_at=in_days(6))
        assert_envelope(api_as(client, make_user(role)).post(f"/api/v1/slots/{other.id}/booking", json=BODY), 403)


def test_cancel_reopens_the_slot_and_the_deadline_binds_all_but_admins(client, session):
    coordinator = make_user("coordinator")
    booking = make_booking(make_slot(starts_at=in_days(5)), booked_by=coordinator)
    api = api_as(client, coordinator)
    assert "reason" in assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/cancel", json={}), 422)["errors"]
    response = api.post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Our mayor called a council meeting."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["slot"]["status"] == "open"
    assert (
        "already cancelled"
        in assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "again"}), 409)["message"]
    )
    # The reopened slot can be booked again by another city.
    other = api_as(client, make_user("coordinator"))
    assert other.post(f"/api/v1/slots/{booking.slot_id}/booking", json=BODY).status_code == 201

    late = make_booking(make_slot(starts_at=utcnow() + timedelta(hours=10)), booked_by=coordinator)
    body = assert_envelope(api.post(f"/api/v1/bookings/{late.id}/cancel", json={"reason": "ill"}), 409)
    assert "up to 24 hours before the session" in body["message"] and "ACTION office" in body["message"]
    consultant_api = api_as(client, late.slot.consultant)
    assert_envelope(consultant_api.post(f"/api/v1/bookings/{late.id}/cancel", json={"reason": "ill"}), 409)
    admin = api_as(client, make_user("admin"))
    assert admin.post(f"/api/v1/bookings/{late.id}/cancel", json={"reason": "Expert ill"}).status_code == 200


def test_reschedule_moves_in_one_step_or_changes_nothing(client, session):
    consultant = make_consultant()
    coordinator = make_user("coordinator")
    booking = make_booking(make_slot(consultant, in_days(5)), booked_by=coordinator)
    old_slot = booking.slot_id
    target = make_slot(consultant, in_days(6))
    taken = make_booking(make_slot(consultant, in_days(7)))
    foreign = make_slot(make_consultant(), in_days(8))
    api = api_as(client, coordinator)

    body = assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/reschedule", json={"slot_id": taken.slot_id}), 409)
    assert "just been booked" in body["message"]
    assert (
        "same consultant"
        in assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/reschedule", json={"slot_id": foreign.id}), 409)[
            "message"
        ]
    )
    session.expire_all()
    assert session.get(Booking, booking.id).slot_id == old_slot
    assert session.get(Slot, old_slot).status == "booked"

    response = api.post(f"/api/v1/bookings/{booking.id}/reschedule", json={"slot_id": target.id})
    assert response.status_code == 200 and response.get_json()["slot"]["id"] == target.id
    session.expire_all()
    assert session.get(Slot, old_slot).status == "open" and session.get(Slot, target.id).status == "booked"
    assert session.get(Booking, booking.id).sequence == 1


def test_notes_and_follow_ups_after_the_session(client, session):
    consultant = make_consultant()
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(days=2)))
    api = api_as(client, consultant)
    notes = {
        "summary": "We went through the indicators.",
        "follow_ups": [
            {
                "text": "Send the survey draft",
                "owner": "City team",
                "due_date": "2027-02-01",
                "milestone_key": "baseline_assessment",
            },
            {"text": "Invite NGOs", "owner": "Ana"},
        ],
    }
    assert (
        "has started" in assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/notes", json=notes), 409)["message"]
    )
    booking.slot.starts_at = utcnow() - timedelta(hours=2)
    booking.slot.ends_at = utcnow() - timedelta(hours=1)
    session.commit()
    bad = {**notes, "follow_ups": [{"text": "x", "owner": "y", "milestone_key": "nope"}]}
    assert (
        "follow_ups.0.milestone_key"
        in assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/notes", json=bad), 422)["errors"]
    )
    assert (
        "summary"
        in assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/notes", json={"summary": ""}), 422)["errors"]
    )
    response = api.post(f"/api/v1/bookings/{booking.id}/notes", json=notes)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "held" and body["summary"] == notes["summary"]
    assert [f["text"] for f in body["follow_ups"]] == ["Send the survey draft", "Invite NGOs"]
    assert body["follow_ups"][0]["due_date"] == "2027-02-01"
    # The city sees them on its booking.
    city_view = api_as(client, booking.booked_by).get(f"/api/v1/bookings/{booking.id}").get_json()
    assert city_view["follow_ups"][0]["owner"] == "City team"
    # Editing again replaces the list; a no-show can be recorded without a summary.
    again = api.post(f"/api/v1/bookings/{booking.id}/notes", json={"status": "no_show", "summary": None})
    assert again.get_json()["status"] == "no_show" and again.get_json()["follow_ups"] == []
    # Coordinators cannot write notes; another consultant cannot see the booking.
    assert_envelope(api_as(client, booking.booked_by).post(f"/api/v1/bookings/{booking.id}/notes", json=notes), 403)
    assert_envelope(api_as(client, make_consultant()).post(f"/api/v1/bookings/{booking.id}/notes", json=notes), 404)
    # Notes on a cancelled booking are refused.
    cancelled = make_booking(make_slot(consultant, utcnow() - timedelta(days=1)), status="cancelled")
    assert_envelope(api.post(f"/api/v1/bookings/{cancelled.id}/notes", json=notes), 409)
    assert session.query(OutboxMessage).filter_by(kind="consulting_notes").count() == 1


def test_the_consultant_may_cancel_before_the_deadline_and_the_city_is_told(client, session):
    consultant = make_consultant()
    booking = make_booking(make_slot(consultant, in_days(5)))
    response = api_as(client, consultant).post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Ill"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    told = {m.to_email for m in session.query(OutboxMessage).filter_by(kind="consulting_cancelled")}
    assert booking.booked_by.email in told


def test_booking_list_filters(client):
    coordinator = make_user("coordinator")
    consultant = make_consultant()
    early = make_booking(make_slot(consultant, datetime(2027, 1, 5, 9, tzinfo=UTC)), booked_by=coordinator)
    late = make_booking(
        make_slot(make_consultant(), datetime(2027, 2, 5, 9, tzinfo=UTC)), booked_by=coordinator, status="cancelled"
    )
    api = api_as(client, coordinator)

    def ids(query):
        return [b["id"] for b in api.get("/api/v1/bookings" + query).get_json()]

    assert ids("") == [early.id, late.id]
    assert ids("?status=cancelled") == [late.id]
    assert ids("?from=2027-01-20T00:00:00Z") == [late.id]
    assert ids("?to=2027-01-20T00:00:00Z") == [early.id]
    assert ids(f"?consultant_id={consultant.id}") == [early.id]
    assert_envelope(api.get("/api/v1/bookings?status=lost"), 422)
