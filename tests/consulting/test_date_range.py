"""Dates before 2000 or after 2100 are refused by the forms and the API alike (one service
rule, a 422 naming the field), and a far-future slot already in the database never breaks
a page: it is listed on the consultant's schedule, can be removed there, and booking it is
a 4xx, not a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from action_lms.consulting.models import Slot
from action_lms.extensions import db

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user
from ..helpers import api_as, assert_envelope, login_session

# The last evening of year 9999: the month after it, and its end in any zone east of UTC,
# are in year 10000, which Python's dates cannot hold.
FAR = datetime(9999, 12, 31, 22, 30, tzinfo=UTC)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# ---------------------------------------------------------------- input: forms and API


@pytest.mark.parametrize("starts", ["9999-12-31T10:00", "2101-01-02T10:00", "1999-06-01T10:00"])
def test_single_slot_form_refuses_years_outside_2000_2100(client, session, starts):
    consultant = make_consultant()
    csrf = login_session(client, consultant)
    response = client.post(
        "/consulting/schedule/slots", data={"csrf_token": csrf, "starts_at": starts, "duration_minutes": "60"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="starts_at-error"' in html and "between 2000 and 2100" in html
    assert session.scalar(select(Slot)) is None


@pytest.mark.parametrize(
    "starts", ["9999-12-31T10:00:00+00:00", "2101-01-02T10:00:00+01:00", "2100-12-31T23:30:00-05:00"]
)
def test_slot_api_refuses_years_outside_2000_2100(client, session, starts):
    api = api_as(client, make_consultant())
    body = assert_envelope(api.post("/api/v1/slots", json={"starts_at": starts, "duration_minutes": 60}), 422)
    assert "starts_at" in body["errors"]
    assert session.scalar(select(Slot)) is None


def test_availability_refuses_years_outside_2000_2100_in_form_and_api(client, session):
    consultant = make_consultant()
    api = api_as(client, consultant)
    body = {
        "weekdays": [0],
        "start_time": "09:00",
        "end_time": "10:00",
        "slot_minutes": 60,
        "valid_from": "9999-12-01",
        "valid_until": "9999-12-31",
    }
    assert "valid_from" in assert_envelope(api.post("/api/v1/availability", json=body), 422)["errors"]
    body.update(valid_from="2100-12-01", valid_until="2101-01-31")
    assert "valid_until" in assert_envelope(api.post("/api/v1/availability", json=body), 422)["errors"]

    csrf = login_session(client, consultant)
    response = client.post(
        "/consulting/schedule/availability",
        data={
            "csrf_token": csrf,
            "weekdays": "0",
            "start_time": "09:00",
            "end_time": "10:00",
            "timezone": "Europe/Madrid",
            "slot_minutes": "60",
            "buffer_minutes": "0",
            "valid_from": "9999-12-01",
            "valid_until": "9999-12-31",
        },
    )
    assert response.status_code == 422 and 'id="valid_from-error"' in response.get_data(as_text=True)
    assert session.scalar(select(Slot)) is None


def test_follow_up_due_dates_outside_2000_2100_are_refused(client, session):
    consultant = make_consultant()
    slot = make_slot(consultant, starts_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=1))
    booking = make_booking(slot)
    api = api_as(client, consultant)
    body = {"summary": "Held.", "follow_ups": [{"text": "Survey", "owner": "City", "due_date": "2999-01-01"}]}
    errors = assert_envelope(api.post(f"/api/v1/bookings/{booking.id}/notes", json=body), 422)["errors"]
    assert "follow_ups.0.due_date" in errors


# ---------------------------------------------------------------- a year-9999 slot already stored


def test_stored_year_9999_slot_shows_on_the_schedule_and_can_be_removed(client, session):
    consultant = make_consultant()
    far = make_slot(consultant, starts_at=FAR)
    far_id = far.id
    csrf = login_session(client, consultant)
    page = client.get("/consulting/schedule")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    assert f"/consulting/slots/{far_id}/remove" in html and "9999" in html
    removed = client.post(f"/consulting/slots/{far_id}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 302
    db.session.expire_all()
    assert session.get(Slot, far_id) is None
    assert client.get("/consulting/schedule").status_code == 200


def test_stored_year_9999_slot_booking_is_4xx_not_500(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city)
    far = make_slot(make_consultant(), starts_at=FAR)
    api = api_as(client, coordinator)
    response = api.post(f"/api/v1/slots/{far.id}/booking", json={"topic": "Far away"})
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert_envelope(response, response.status_code)

    login_session(client, coordinator)
    form = client.get(f"/consulting/slots/{far.id}/book")
    assert form.status_code == 200
    posted = client.post(
        f"/consulting/slots/{far.id}/book",
        data={"csrf_token": csrf_of(form.get_data(as_text=True)), "topic": "Far away"},
    )
    assert 400 <= posted.status_code < 500, posted.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert session.get(Slot, far.id).status == "open"


def test_stored_year_9999_slot_does_not_break_lists_and_pages(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city)
    consultant = make_consultant()
    far = make_slot(consultant, starts_at=FAR)
    booked = make_booking(
        make_slot(consultant, starts_at=datetime(9999, 6, 1, 9, 0, tzinfo=UTC)), booked_by=coordinator
    )
    login_session(client, coordinator)
    for path in (
        "/consulting",
        "/consulting?week=9999-12-27",
        "/consulting?week=0001-01-01",
        "/consulting/bookings",
        f"/consulting/bookings/{booked.id}",
        f"/consulting/bookings/{booked.id}/calendar.ics",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    api = api_as(client, coordinator)
    assert api.get("/api/v1/slots").status_code == 200
    assert api.get(f"/api/v1/slots/{far.id}").status_code == 200
    assert api.get("/api/v1/bookings").status_code == 200
    assert api.get(f"/api/v1/bookings/{booked.id}/calendar.ics").status_code == 200
    admin_client = client.application.test_client()
    login_session(admin_client, make_user("admin"))
    assert admin_client.get("/consulting/overview").status_code == 200
    assert admin_client.get(f"/consulting/schedule?consultant_id={consultant.id}").status_code == 200
