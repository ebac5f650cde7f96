"""The consulting pages: week of slots, booking form, bookings, a booking, schedule, notes, profile, overview."""

import re
from datetime import UTC, datetime, timedelta

from action_lms.consulting.models import Booking, Slot
from action_lms.core.time import utcnow, zone

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user
from ..helpers import login_session


def next_week_slot(consultant, hour=9, day=0):
    today = utcnow().astimezone(zone("Europe/Berlin")).date()
    monday = today + timedelta(days=7 - today.weekday())
    d = monday + timedelta(days=day)
    local = datetime(d.year, d.month, d.day, hour, 0, tzinfo=zone("Europe/Berlin"))
    return make_slot(consultant, local.astimezone(UTC)), monday


def test_week_view_shows_open_slots_in_both_zones_and_books(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, timezone="Europe/Berlin")
    consultant = make_consultant(name="Oona", timezone="Europe/Helsinki", expertise=[8])
    slot, monday = next_week_slot(consultant)
    make_booking(make_slot(consultant, slot.starts_at + timedelta(hours=2)))  # booked: not shown
    login_session(client, coordinator)
    page = client.get(f"/consulting?week={monday.isoformat()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "09:00 CET" in html and "10:00 EET" in html and "Oona" in html
    assert html.count('/book"') == 1
    form = client.get(f"/consulting/slots/{slot.id}/book")
    assert form.status_code == 200 and "Questions for the expert" in form.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.get_data(as_text=True)).group(1)
    bad = client.post(f"/consulting/slots/{slot.id}/book", data={"csrf_token": token, "topic": "", "questions": "Q"})
    assert bad.status_code == 422 and 'id="topic-error"' in bad.get_data(as_text=True)
    done = client.post(
        f"/consulting/slots/{slot.id}/book",
        data={
            "csrf_token": token,
            "topic": "School programmes",
            "questions": "What worked in Turin?",
            "milestone_key": "draft_plan",
        },
        follow_redirects=True,
    )
    assert done.status_code == 200 and "The session is booked" in done.get_data(as_text=True)
    assert "What worked in Turin?" in done.get_data(as_text=True)
    booking = session.query(Booking).filter_by(slot_id=slot.id).one()
    assert booking.city_id == city.id and booking.milestone_key == "draft_plan"
    # The same slot again: the refusal is shown on the form.
    again = client.post(f"/consulting/slots/{slot.id}/book", data={"csrf_token": token, "topic": "x"})
    assert again.status_code == 409 and "just been booked" in again.get_data(as_text=True)


def test_learner_sees_slots_but_cannot_book(client):
    consultant = make_consultant()
    slot, monday = next_week_slot(consultant)
    login_session(client, make_user("learner"))
    html = client.get(f"/consulting?week={monday.isoformat()}").get_data(as_text=True)
    assert '/book"' not in html
    assert client.get(f"/consulting/slots/{slot.id}/book").status_code == 403
    assert client.get("/consulting/bookings").status_code == 403


def test_booking_page_cancel_and_other_city_404(client, session):
    coordinator = make_user("coordinator")
    booking = make_booking(
        make_slot(starts_at=utcnow() + timedelta(days=5)), booked_by=coordinator, questions="Our private question"
    )
    other = make_booking(make_slot(starts_at=utcnow() + timedelta(days=6)), questions="Their private question")
    token = login_session(client, coordinator)
    page = client.get(f"/consulting/bookings/{booking.id}")
    assert page.status_code == 200 and "Our private question" in page.get_data(as_text=True)
    hidden = client.get(f"/consulting/bookings/{other.id}")
    assert hidden.status_code == 404 and "Their private question" not in hidden.get_data(as_text=True)
    empty = client.post(f"/consulting/bookings/{booking.id}/cancel", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422
    done = client.post(
        f"/consulting/bookings/{booking.id}/cancel",
        data={"csrf_token": token, "reason": "Council"},
        follow_redirects=True,
    )
    assert "The booking is cancelled" in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(Booking, booking.id).status == "cancelled"


def test_reschedule_from_the_booking_page(client, session):
    consultant = make_consultant()
    coordinator = make_user("coordinator")
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(days=5)), booked_by=coordinator)
    target = make_slot(consultant, utcnow() + timedelta(days=7))
    token = login_session(client, coordinator)
    page = client.get(f"/consulting/bookings/{booking.id}").get_data(as_text=True)
    assert f'value="{target.id}"' in page
    done = client.post(
        f"/consulting/bookings/{booking.id}/reschedule",
        data={"csrf_token": token, "slot_id": target.id},
        follow_redirects=True,
    )
    assert "The session has moved" in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(Booking, booking.id).slot_id == target.id


def test_consultant_schedule_publishes_and_shows_questions(client, session):
    consultant = make_consultant(timezone="Europe/Madrid")
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(days=3)), questions="Please look at our survey")
    token = login_session(client, consultant)
    page = client.get("/consulting/schedule")
    assert page.status_code == 200 and "Please look at our survey" in page.get_data(as_text=True)
    first = (utcnow() + timedelta(days=14)).date()
    response = client.post(
        "/consulting/schedule/availability",
        data={
            "csrf_token": token,
            "weekdays": ["0", "2"],
            "start_time": "09:00",
            "end_time": "11:00",
            "timezone": "Europe/Madrid",
            "slot_minutes": "60",
            "buffer_minutes": "0",
            "valid_from": first.isoformat(),
            "valid_until": (first + timedelta(days=6)).isoformat(),
        },
        follow_redirects=True,
    )
    assert "4 slots published" in response.get_data(as_text=True)
    bad = client.post(
        "/consulting/schedule/availability",
        data={
            "csrf_token": token,
            "weekdays": ["0"],
            "start_time": "11:00",
            "end_time": "09:00",
            "timezone": "Europe/Madrid",
            "slot_minutes": "60",
            "valid_from": first.isoformat(),
            "valid_until": first.isoformat(),
        },
    )
    assert bad.status_code == 422 and "must end after it starts" in bad.get_data(as_text=True)
    single = client.post(
        "/consulting/schedule/slots",
        data={
            "csrf_token": token,
            "starts_at": f"{(first + timedelta(days=1)).isoformat()}T15:00",
            "duration_minutes": "45",
        },
        follow_redirects=True,
    )
    assert "The slot is added" in single.get_data(as_text=True)
    slot = session.query(Slot).filter_by(consultant_id=consultant.id).order_by(Slot.id.desc()).first()
    assert slot.starts_at.astimezone(zone("Europe/Madrid")).hour == 15
    removed = client.post(
        f"/consulting/slots/{booking.slot_id}/remove", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Cancel the booking first" in removed.get_data(as_text=True)


def test_notes_form(client, session):
    consultant = make_consultant()
    booking = make_booking(make_slot(consultant, utcnow() - timedelta(hours=2)))
    token = login_session(client, consultant)
    assert client.get(f"/consulting/bookings/{booking.id}/notes").status_code == 200
    response = client.post(
        f"/consulting/bookings/{booking.id}/notes",
        data={
            "csrf_token": token,
            "status": "held",
            "summary": "Good talk",
            "follow_ups-0-text": "Draft survey",
            "follow_ups-0-owner": "City",
            "follow_ups-0-due_date": "2027-02-01",
            "follow_ups-0-milestone_key": "baseline_assessment",
            "follow_ups-1-text": "",
            "follow_ups-1-owner": "",
            "follow_ups-2-text": "",
            "follow_ups-2-owner": "",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "The notes are saved" in html and "Draft survey" in html
    session.expire_all()
    assert session.get(Booking, booking.id).status == "held"


def test_profile_and_overview_pages(client, session):
    consultant = make_consultant()
    token = login_session(client, consultant)
    assert client.get("/consulting/profile").status_code == 200
    saved = client.post(
        "/consulting/profile",
        data={
            "csrf_token": token,
            "expertise": ["3", "7"],
            "languages": "English, Greek",
            "bio": "Athens",
            "timezone": "Europe/Athens",
        },
        follow_redirects=True,
    )
    assert "The profile is saved" in saved.get_data(as_text=True)
    assert client.get("/consulting/overview").status_code == 403
    client.post("/logout", data={"csrf_token": token})
    admin = make_user("admin")
    login_session(client, admin)
    make_booking(make_slot(consultant, utcnow() + timedelta(days=3)))
    page = client.get("/consulting/overview")
    assert page.status_code == 200 and "Consulting overview" in page.get_data(as_text=True)
    assert client.get("/consulting/schedule").status_code == 200
    assert client.get(f"/consulting/schedule?consultant_id={consultant.id}").status_code == 200


def test_nav_items_by_role(client):
    login_session(client, make_consultant())
    html = client.get("/consulting").get_data(as_text=True)
    assert ">Consulting<" in html and ">My schedule<" in html and ">Consulting overview<" not in html


def test_bookings_page_query_count_is_constant(client, count_queries):
    coordinator = make_user("coordinator")
    consultants = [make_consultant() for _ in range(3)]
    for i in range(2):
        make_booking(make_slot(consultants[i % 3], utcnow() + timedelta(days=2, hours=2 * i)), booked_by=coordinator)
    login_session(client, coordinator)
    client.get("/consulting/bookings")
    with count_queries() as few:
        assert client.get("/consulting/bookings").status_code == 200
    for i in range(2, 20):
        make_booking(make_slot(consultants[i % 3], utcnow() + timedelta(days=2, hours=2 * i)), booked_by=coordinator)
    with count_queries() as many:
        html = client.get("/consulting/bookings").get_data(as_text=True)
    assert html.count("/consulting/bookings/") == 20
    assert many.count == few.count


def test_week_page_query_count_is_constant(client, count_queries):
    consultants = [make_consultant() for _ in range(3)]
    _, monday = next_week_slot(consultants[0], hour=8)
    login_session(client, make_user("coordinator"))
    url = f"/consulting?week={monday.isoformat()}"
    next_week_slot(consultants[1], hour=10)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for i in range(18):
        next_week_slot(consultants[i % 3], hour=11, day=i // 3)  # six days of that week
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('/book"') == 20
    assert many.count == few.count
