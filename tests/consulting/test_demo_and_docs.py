"""The demo seeder is idempotent; the OpenAPI document lists the consulting endpoints."""

from action_lms.consulting.models import Booking, ConsultantProfile, Slot
from action_lms.demo import seed


def test_demo_seed_twice_gives_one_profile_and_one_week_of_slots(app, session):
    seed()
    slots = session.query(Slot).count()
    # Monday to Friday, 09:00-12:00 Vienna, one-hour slots; and the past session whose notes are due
    assert slots == 15 + 1
    assert session.query(ConsultantProfile).count() == 1
    assert sorted(b.status for b in session.query(Booking)) == ["booked", "booked"]  # one ahead, one to write up
    seed()
    assert session.query(Slot).count() == slots and session.query(ConsultantProfile).count() == 1
    assert session.query(Booking).count() == 2


def test_openapi_documents_the_consulting_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method in [
        ("/api/v1/consultants", "get"),
        ("/api/v1/availability", "post"),
        ("/api/v1/slots", "post"),
        ("/api/v1/slots", "get"),
        ("/api/v1/slots/{slot_id}/booking", "post"),
        ("/api/v1/bookings", "get"),
        ("/api/v1/bookings/{booking_id}/cancel", "post"),
        ("/api/v1/bookings/{booking_id}/notes", "post"),
        ("/api/v1/bookings/{booking_id}/calendar.ics", "get"),
    ]:
        assert method in spec["paths"][path], (path, method)
