"""One zone per consultant (the account's), and where a session happens (`meeting_link`):
set by the expert or the office, proposed by the city when booking, seen by the two sides
only, in the e-mails and as the LOCATION of the `.ics`."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from action_lms.consulting import services
from action_lms.consulting.models import Booking, ConsultantProfile
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.extensions import db

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user
from ..helpers import api_as, assert_envelope, csrf_from, login_session

LINK = "https://meet.example.org/graz-baseline?pwd=a&b=1"


def messages(session, kind):
    return {m.to_email: m for m in session.query(OutboxMessage).filter_by(kind=kind).all()}


def event_of(ics: bytes | str):
    return next(iter(Calendar.from_ical(ics).walk("VEVENT")))


def two_zoned_consultant():
    """A consultant as the old code left some: account in Brussels, profile in Vienna."""
    consultant = make_consultant(name="Vera", timezone="Europe/Vienna")
    consultant.timezone = "Europe/Brussels"
    db.session.commit()
    return consultant


def lead(html: str) -> str:
    start = html.index('<p class="lead">')
    return html[start : html.index("</p>", start)]


# ---------------------------------------------------------------- one zone


def test_schedule_names_one_zone_the_account_one(client):
    consultant = two_zoned_consultant()
    make_slot(consultant, datetime(2027, 1, 18, 9, 0, tzinfo=UTC))
    login_session(client, consultant)
    html = client.get("/consulting/schedule").get_data(as_text=True)
    assert lead(html) == '<p class="lead">Times are shown in Europe/Brussels, your zone.'
    assert "Vienna" not in html.split("<main", 1)[-1].split('id="availability-h"')[0]
    card = api_as(client, consultant).get(f"/api/v1/consultants/{consultant.id}").get_json()
    assert card["timezone"] == "Europe/Brussels"
    slot = api_as(client, consultant).get(f"/api/v1/slots?consultant_id={consultant.id}&from=2027-01-01T00:00:00Z")
    item = slot.get_json()[0]
    assert item["consultant_timezone"] == "Europe/Brussels" and "10:00 CET" in item["starts_at_consultant"]


def test_patching_the_profile_zone_changes_the_account_zone(client, session):
    consultant = make_consultant(timezone="Europe/Madrid")
    api = api_as(client, consultant)
    response = api.patch(f"/api/v1/consultants/{consultant.id}", json={"timezone": "Europe/Lisbon"})
    assert response.status_code == 200 and response.get_json()["timezone"] == "Europe/Lisbon"
    assert api.get("/api/v1/me").get_json()["timezone"] == "Europe/Lisbon"
    session.expire_all()
    assert session.get(ConsultantProfile, consultant.id).timezone == "Europe/Lisbon"
    login_session(client, consultant)
    html = client.get("/consulting/schedule").get_data(as_text=True)
    assert "Times are shown in Europe/Lisbon, your zone." in html
    # A bad zone changes nothing.
    assert "timezone" in assert_envelope(
        api.patch(f"/api/v1/consultants/{consultant.id}", json={"timezone": "Mars/Olympus"}), 422
    )["errors"]
    assert api.get("/api/v1/me").get_json()["timezone"] == "Europe/Lisbon"


def test_an_admin_changing_a_consultants_zone_changes_their_account(client, session):
    consultant = make_consultant(timezone="Europe/Madrid")
    admin = make_user("admin")
    response = api_as(client, admin).patch(f"/api/v1/consultants/{consultant.id}", json={"timezone": "Europe/Athens"})
    assert response.status_code == 200 and response.get_json()["timezone"] == "Europe/Athens"
    assert api_as(client, consultant).get("/api/v1/me").get_json()["timezone"] == "Europe/Athens"


def test_the_account_page_zone_is_the_schedule_zone(client, session):
    consultant = make_consultant(name="Oona", timezone="Europe/Madrid")
    slot = make_slot(consultant, datetime(2027, 1, 18, 9, 0, tzinfo=UTC))
    token = login_session(client, consultant)
    saved = client.post("/account", data={"csrf_token": token, "name": "Oona", "timezone": "Europe/Helsinki"})
    assert saved.status_code == 302
    html = client.get("/consulting/schedule").get_data(as_text=True)
    assert lead(html) == '<p class="lead">Times are shown in Europe/Helsinki, your zone.'
    assert "11:00 EET" in html and "for the expert" not in html
    card = api_as(client, consultant).get(f"/api/v1/consultants/{consultant.id}").get_json()
    assert card["timezone"] == "Europe/Helsinki"
    got = api_as(client, make_user("learner", timezone="Europe/Lisbon")).get(f"/api/v1/slots/{slot.id}").get_json()
    assert got["consultant_timezone"] == "Europe/Helsinki" and "11:00 EET" in got["starts_at_consultant"]
    # The profile page offers the same zone, and saving it there keeps the account's.
    profile = client.get("/consulting/profile").get_data(as_text=True)
    assert '<option selected value="Europe/Helsinki">' in profile or 'value="Europe/Helsinki" selected' in profile
    done = client.post(
        "/consulting/profile",
        data={"csrf_token": csrf_from(profile), "languages": "English", "bio": "", "timezone": "Europe/Rome"},
    )
    assert done.status_code == 302
    assert api_as(client, consultant).get("/api/v1/me").get_json()["timezone"] == "Europe/Rome"
    assert "Times are shown in Europe/Rome, your zone." in client.get("/consulting/schedule").get_data(as_text=True)


def test_the_office_viewing_a_schedule_sees_both_zones(client):
    consultant = make_consultant(name="Oona", timezone="Europe/Helsinki")
    login_session(client, make_user("admin", timezone="Europe/Brussels"))
    html = client.get(f"/consulting/schedule?consultant_id={consultant.id}").get_data(as_text=True)
    assert "Times are shown in Europe/Brussels, your zone; Oona works in Europe/Helsinki." in html


# ---------------------------------------------------------------- where to meet: API


def graz_booking(**kwargs):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, timezone="Europe/Vienna")
    consultant = make_consultant(name="Rita", timezone="Europe/Lisbon")
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(days=5)), booked_by=coordinator, **kwargs)
    return booking, coordinator, consultant


def test_the_consultant_sets_the_meeting_link_both_sides_are_told(client, session):
    booking, coordinator, consultant = graz_booking()
    api = api_as(client, consultant)
    response = api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK})
    assert response.status_code == 200 and response.get_json()["meeting_link"] == LINK
    sent = messages(session, "consulting_meeting_link")
    assert set(sent) == {coordinator.email, consultant.email}
    assert LINK in sent[coordinator.email].body_text and "Rita" in sent[coordinator.email].body_text
    attached = event_of(sent[consultant.email].attachment)
    assert str(attached["LOCATION"]) == LINK and int(attached["SEQUENCE"]) == 1
    # The booking's own .ics: LOCATION and the description.
    ics = api_as(client, coordinator).get(f"/api/v1/bookings/{booking.id}/calendar.ics")
    assert ics.status_code == 200 and b"LOCATION:" in ics.data
    event = event_of(ics.data)
    assert str(event["LOCATION"]) == LINK and f"Where: {LINK}" in str(event["DESCRIPTION"])
    assert int(event["SEQUENCE"]) == 1
    # The city sees it in the API too.
    assert api_as(client, coordinator).get(f"/api/v1/bookings/{booking.id}").get_json()["meeting_link"] == LINK
    # The same value again: nothing changes, no one is told twice.
    assert api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK}).status_code == 200
    assert session.query(OutboxMessage).filter_by(kind="consulting_meeting_link").count() == 2
    session.expire_all()
    assert session.get(Booking, booking.id).sequence == 1
    # A place instead, then none: each a change, each told.
    place = api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": "Rathaus Graz, Saal 2"})
    assert place.status_code == 200 and place.get_json()["meeting_link"] == "Rathaus Graz, Saal 2"
    cleared = api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": None})
    assert cleared.status_code == 200 and cleared.get_json()["meeting_link"] is None
    assert session.query(OutboxMessage).filter_by(kind="consulting_meeting_link").count() == 6
    event = event_of(api.get(f"/api/v1/bookings/{booking.id}/calendar.ics").data)
    assert "LOCATION" not in event and int(event["SEQUENCE"]) == 3


def test_who_may_set_the_meeting_link_and_who_sees_it(client, session):
    booking, coordinator, consultant = graz_booking()
    api_as(client, consultant).patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK})
    # The booking city proposes it when booking; afterwards the expert (or the office) decides.
    assert_envelope(api_as(client, coordinator).patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": "x"}), 403)
    admin = api_as(client, make_user("admin")).patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK + "2"})
    assert admin.status_code == 200
    # Another city's coordinator and another consultant do not even see the booking.
    stranger = api_as(client, make_user("coordinator", city=make_city("Liège", "BE", "Europe/Brussels")))
    assert_envelope(stranger.get(f"/api/v1/bookings/{booking.id}"), 404)
    assert_envelope(stranger.get(f"/api/v1/bookings/{booking.id}/calendar.ics"), 404)
    assert all(b["id"] != booking.id for b in stranger.get("/api/v1/bookings").get_json())
    other_expert = api_as(client, make_consultant())
    assert_envelope(other_expert.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": "x"}), 404)
    learner = api_as(client, make_user("learner"))
    assert_envelope(learner.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": "x"}), 403)
    # Nor do the slots, which anyone may list.
    listed = api_as(client, make_user("learner")).get("/api/v1/slots?status=booked").get_data(as_text=True)
    assert "meet.example.org" not in listed
    session.expire_all()
    assert session.get(Booking, booking.id).meeting_link == LINK + "2"


def test_the_meeting_link_is_a_line_and_a_link_is_http_or_https(client, session):
    booking, _, consultant = graz_booking()
    api = api_as(client, consultant)
    for bad in (
        "javascript:alert(1)",
        "ftp://files.example.org/x",
        "data:text/html,<b>x</b>",
        "www.example.org/room",
        "https://",
        "https://meet.example.org/a b",
        "Town hall\nroom 2",
        "Room \x07 2",
        "x" * 501,
    ):
        body = assert_envelope(api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": bad}), 422)
        assert "meeting_link" in body["errors"], bad
    assert_envelope(api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK, "topic": "x"}), 422)
    assert session.query(OutboxMessage).filter_by(kind="consulting_meeting_link").count() == 0
    ok = api.patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": "  Town hall: room 2, 3rd floor  "})
    assert ok.status_code == 200 and ok.get_json()["meeting_link"] == "Town hall: room 2, 3rd floor"


def test_no_meeting_link_on_a_cancelled_session(client, session):
    booking, _, consultant = graz_booking(status="cancelled")
    assert_envelope(api_as(client, consultant).patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK}), 409)


def test_the_city_proposes_a_place_when_booking(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, timezone="Europe/Vienna")
    consultant = make_consultant(name="Rita", timezone="Europe/Lisbon")
    slot = make_slot(consultant, datetime(2027, 1, 18, 10, 0, tzinfo=UTC))
    api = api_as(client, coordinator)
    refused = api.post(f"/api/v1/slots/{slot.id}/booking", json={"topic": "Housing", "meeting_link": "javascript:x"})
    assert "meeting_link" in assert_envelope(refused, 422)["errors"]
    assert session.query(Booking).count() == 0
    response = api.post(f"/api/v1/slots/{slot.id}/booking", json={"topic": "Housing", "meeting_link": "Rathaus, Saal 2"})
    assert response.status_code == 201 and response.get_json()["meeting_link"] == "Rathaus, Saal 2"
    sent = messages(session, "consulting_confirmed")
    assert "Where:  Rathaus, Saal 2" in sent[consultant.email].body_text
    assert str(event_of(sent[coordinator.email].attachment)["LOCATION"]) == "Rathaus, Saal 2"
    # Without one, the confirmation says it will come.
    other = make_slot(consultant, datetime(2027, 1, 19, 10, 0, tzinfo=UTC))
    assert api.post(f"/api/v1/slots/{other.id}/booking", json={"topic": "Schools"}).get_json()["meeting_link"] is None


def test_reminder_and_move_messages_carry_the_meeting_link(client, session):
    consultant = make_consultant()
    coordinator = make_user("coordinator")
    now = utcnow()
    booking = make_booking(make_slot(consultant, now + timedelta(hours=60)), booked_by=coordinator)
    api_as(client, consultant).patch(f"/api/v1/bookings/{booking.id}", json={"meeting_link": LINK})
    target = make_slot(consultant, now + timedelta(hours=47))
    moved = api_as(client, coordinator).post(f"/api/v1/bookings/{booking.id}/reschedule", json={"slot_id": target.id})
    assert moved.status_code == 200
    rescheduled = messages(session, "consulting_rescheduled")
    assert LINK in rescheduled[coordinator.email].body_text and LINK in rescheduled[consultant.email].body_text
    assert str(event_of(rescheduled[consultant.email].attachment)["LOCATION"]) == LINK
    assert services.send_booking_reminders(now=now + timedelta(hours=24)) == 1
    reminders = messages(session, "consulting_reminder")
    assert set(reminders) == {coordinator.email, consultant.email}
    assert all(f"Where: {LINK}" in m.body_text for m in reminders.values())


# ---------------------------------------------------------------- where to meet: pages


def test_the_consultant_sets_it_on_the_booking_page_and_the_city_sees_it(app, client, session):
    booking, coordinator, consultant = graz_booking()
    token = login_session(client, consultant)
    page = client.get(f"/consulting/bookings/{booking.id}").get_data(as_text=True)
    assert "Save where to meet" in page and "Not set yet" in page
    bad = client.post(
        f"/consulting/bookings/{booking.id}/meeting-link", data={"csrf_token": token, "meeting_link": "javascript:x"}
    )
    assert bad.status_code == 422 and 'id="meeting_link-error"' in bad.get_data(as_text=True)
    done = client.post(
        f"/consulting/bookings/{booking.id}/meeting-link",
        data={"csrf_token": token, "meeting_link": LINK},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Where to meet is saved" in html
    assert 'href="https://meet.example.org/graz-baseline?pwd=a&amp;b=1"' in html
    assert set(messages(session, "consulting_meeting_link")) == {coordinator.email, consultant.email}
    # The city sees it, without the form.
    client = app.test_client()
    token = login_session(client, coordinator)
    html = client.get(f"/consulting/bookings/{booking.id}").get_data(as_text=True)
    assert "meet.example.org/graz-baseline" in html and "Save where to meet" not in html
    refused = client.post(
        f"/consulting/bookings/{booking.id}/meeting-link", data={"csrf_token": token, "meeting_link": "Café"}
    )
    assert refused.status_code == 403
    ics = client.get(f"/consulting/bookings/{booking.id}/calendar.ics")
    assert str(event_of(ics.data)["LOCATION"]) == LINK
    # Another city's coordinator: 404, as for the booking itself.
    client = app.test_client()
    login_session(client, make_user("coordinator", city=make_city("Liège", "BE", "Europe/Brussels")))
    assert client.get(f"/consulting/bookings/{booking.id}").status_code == 404
    assert client.get(f"/consulting/bookings/{booking.id}/calendar.ics").status_code == 404


def test_a_place_is_shown_as_text_and_proposed_on_the_booking_form(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, timezone="Europe/Vienna")
    slot = make_slot(make_consultant(), utcnow() + timedelta(days=4))
    login_session(client, coordinator)
    form = client.get(f"/consulting/slots/{slot.id}/book").get_data(as_text=True)
    assert "Where to meet (optional)" in form
    done = client.post(
        f"/consulting/slots/{slot.id}/book",
        data={"csrf_token": csrf_from(form), "topic": "Schools", "questions": "", "meeting_link": "Rathaus <Saal 2>"},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Rathaus &lt;Saal 2&gt;" in html and 'href="Rathaus' not in html
    assert session.query(Booking).one().meeting_link == "Rathaus <Saal 2>"
