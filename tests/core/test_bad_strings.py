"""Stored text from before the input rules (CR/LF, NUL, escape and other control characters,
Unicode line separators) never makes a page, a CSV, an .ics or a feed answer 500.

The rows are written directly, bypassing the services, as old data would be. Every answer
is 200 and shows the text, escaped in HTML, folded onto one line in headers and calendar
properties, quoted in CSV.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from action_lms.consulting.models import FollowUp
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.plans.models import Milestone

from ..factories import (
    make_booking,
    make_city,
    make_consultant,
    make_plan,
    make_registration,
    make_slot,
    make_user,
    make_webinar,
)
from ..helpers import api_as, login_session


def bad(label: str) -> str:
    """A marker word wrapped in every kind of character that breaks a header or a content
    line. PostgreSQL cannot store NUL in text at all, so NUL is only tried on SQLite."""
    nul = "\x00" if db.engine.dialect.name == "sqlite" else ""
    return f"{label}\r\nBcc: evil@example.org\r\n\x1b[31m\x07{nul}\u2028\x7f\x85 {label}-end\t"


def assert_header_safe(response) -> None:
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, (name, value)


def assert_calendar_intact(response, marker: str) -> Calendar:
    """A parseable calendar whose text properties hold the marker, each on one logical line."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/calendar"
    assert_header_safe(response)
    raw = response.get_data()
    assert b"\x00" not in raw and b"\x1b" not in raw and b"\x07" not in raw
    cal = Calendar.from_ical(raw)
    texts = [str(v) for component in cal.walk() for k, v in component.items()
             if k in ("SUMMARY", "LOCATION", "X-WR-CALNAME", "DESCRIPTION")]
    assert any(marker in t for t in texts), texts
    for line in raw.decode("utf-8").split("\r\n"):
        assert not line.startswith("BCC"), line  # nothing injected a property
    return cal


def signed_in(app, user):
    """A client with its own session signed in as `user`, and its CSRF token."""
    client = app.test_client()
    return client, login_session(client, user)


def feed_path(app, user) -> str:
    """The secret URL of the user's calendar feed (made in a session of its own)."""
    client, csrf = signed_in(app, user)
    page = client.post("/account/calendar", data={"csrf_token": csrf}).get_data(as_text=True)
    return re.search(r'id="feed-url">([^<]+)<', page).group(1).replace("http://localhost", "")


def get_ok(client, path: str, marker: str | None = None):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    assert_header_safe(response)
    if marker is not None:
        assert marker in response.get_data(as_text=True), path
    return response


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# ---------------------------------------------------------------- webinars

def test_webinar_with_bad_title_pages_ics_csv_registration_and_waitlist(app, make_app, client):
    admin = make_user("admin")
    person = make_user(name=bad("Personname"))
    webinar = make_webinar(title=bad("Webinartitle"), capacity=1, description=bad("Descr"))
    waiting = make_user()
    make_registration(webinar, person)
    make_registration(webinar, waiting, status="waitlisted", waitlist_position=1)

    # The registrant: pages, the .ics (page and API), and the personal feed.
    client, _ = signed_in(app, person)
    for path in ("/webinars", f"/webinars/{webinar.id}", "/my/webinars"):
        get_ok(client, path, "Webinartitle")
    cal = assert_calendar_intact(client.get(f"/webinars/{webinar.id}/calendar.ics"), "Webinartitle")
    summary = str(cal.walk("VEVENT")[0]["SUMMARY"])
    assert "Webinartitle" in summary and "Webinartitle-end" in summary and "\n" not in summary
    api = api_as(client, person)
    assert_calendar_intact(api.get(f"/api/v1/webinars/{webinar.id}/calendar.ics"), "Webinartitle")
    assert api.get(f"/api/v1/webinars/{webinar.id}").get_json()["title"].startswith("Webinartitle\r\n")
    assert_calendar_intact(app.test_client().get(feed_path(app, person)), "Webinartitle")

    # The admin: registrations page and CSV (names folded nowhere: the CSV quotes them).
    client, _ = signed_in(app, admin)
    get_ok(client, f"/webinars/{webinar.id}/registrations", "Personname")
    rows = csv_rows(get_ok(client, f"/webinars/{webinar.id}/registrations.csv"))
    assert any("Personname" in cell and "Personname-end" in cell for row in rows for cell in row)
    response = api_as(client, admin).get(f"/api/v1/webinars/{webinar.id}/registrations?format=csv")
    assert response.status_code == 200 and "Personname" in response.get_data(as_text=True)

    # Registration (confirmation with an .ics attached) and waitlist promotion are not 500s.
    newcomer = make_user()
    client, csrf = signed_in(app, newcomer)
    assert client.post(f"/webinars/{webinar.id}/register", data={"csrf_token": csrf}).status_code == 302
    client, csrf = signed_in(app, person)
    assert client.post(f"/webinars/{webinar.id}/unregister", data={"csrf_token": csrf}).status_code == 302
    db.session.expire_all()
    kinds = {m.kind: m for m in db.session.scalars(select(OutboxMessage))}
    assert {"webinar_waitlisted", "webinar_promoted", "webinar_registration_cancelled"} <= set(kinds)
    for message in kinds.values():
        assert "\r" not in message.subject and "\n" not in message.subject and "Webinartitle" in message.subject
    promoted = kinds["webinar_promoted"]
    assert "Webinartitle" in promoted.attachment and Calendar.from_ical(promoted.attachment)


def test_api_registration_for_a_webinar_with_bad_title(app, client):
    webinar = make_webinar(title=bad("Apititle"))
    response = api_as(client, make_user()).post(f"/api/v1/webinars/{webinar.id}/registrations")
    assert response.status_code == 201, response.get_data(as_text=True)


# ---------------------------------------------------------------- a user's own name

def test_personal_feed_of_a_user_with_a_bad_name(app, client):
    user = make_user(name=bad("Ownname"))
    make_registration(make_webinar(), user)
    cal = assert_calendar_intact(app.test_client().get(feed_path(app, user)), "Ownname")
    assert "Ownname" in str(cal["X-WR-CALNAME"])


# ---------------------------------------------------------------- consulting

def test_consulting_with_bad_topic_owner_reason_and_names(app, client):
    city = make_city(bad("Cityname"))
    coordinator = make_user("coordinator", city=city, name=bad("Coordname"))
    consultant = make_consultant(name=bad("Expertname"))
    booking = make_booking(make_slot(consultant, starts_at=utcnow().replace(microsecond=0) + timedelta(days=5)),
                           booked_by=coordinator, topic=bad("Topictext"), questions=bad("Questions"))
    past = make_booking(make_slot(consultant, starts_at=utcnow().replace(microsecond=0) - timedelta(days=2)),
                        booked_by=coordinator, topic=bad("Pasttopic"), status="held")
    db.session.add(FollowUp(booking_id=past.id, position=0, text=bad("Followtext"), owner=bad("Ownerperson")))
    cancelled = make_booking(make_slot(consultant, starts_at=utcnow().replace(microsecond=0) + timedelta(days=6)),
                             booked_by=coordinator, topic=bad("Cancelledtopic"), status="cancelled")
    cancelled.cancel_reason = bad("Reasontext")
    db.session.commit()

    client, _ = signed_in(app, coordinator)
    get_ok(client, "/consulting/bookings", "Topictext")
    get_ok(client, f"/consulting/bookings/{booking.id}", "Topictext")
    get_ok(client, f"/consulting/bookings/{past.id}", "Ownerperson")
    get_ok(client, f"/consulting/bookings/{cancelled.id}", "Reasontext")
    assert_calendar_intact(client.get(f"/consulting/bookings/{booking.id}/calendar.ics"), "Expertname")
    assert_calendar_intact(api_as(client, coordinator).get(f"/api/v1/bookings/{booking.id}/calendar.ics"), "Cityname")
    get_ok(client, "/consulting", "Expertname")
    assert_calendar_intact(app.test_client().get(feed_path(app, coordinator)), "Topictext")

    client, _ = signed_in(app, consultant)
    get_ok(client, "/consulting/schedule", "Topictext")
    get_ok(client, f"/consulting/bookings/{past.id}/notes", "Ownerperson")
    assert_calendar_intact(app.test_client().get(feed_path(app, consultant)), "Cityname")

    client, _ = signed_in(app, make_user("admin"))
    get_ok(client, "/consulting/overview", "Cityname")
    get_ok(client, f"/consulting/schedule?consultant_id={consultant.id}", "Topictext")


def test_booking_a_slot_of_a_consultant_with_a_bad_name_sends_clean_subjects(app, client):
    """The confirmation e-mails (subject, .ics) are built from stored names: no 500, no header break."""
    city = make_city(bad("Bookcity"))
    coordinator = make_user("coordinator", city=city)
    consultant = make_consultant(name=bad("Bookexpert"))
    slot = make_slot(consultant, starts_at=utcnow().replace(microsecond=0) + timedelta(days=5))
    response = api_as(client, coordinator).post(f"/api/v1/slots/{slot.id}/booking", json={"topic": "Baseline"})
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    for message in db.session.scalars(select(OutboxMessage)):
        assert "\n" not in message.subject and "\r" not in message.subject
        assert Calendar.from_ical(message.attachment)


# ---------------------------------------------------------------- plans

def test_plans_with_bad_titles_owner_note_and_city(app, client):
    city = make_city(bad("Plancity"))
    coordinator = make_user("coordinator", city=city)
    plan = make_plan(city, title=bad("Plantitle"), focus=bad("Planfocus"),
                     due={"political_mandate": (utcnow() - timedelta(days=10)).date()})
    milestone = db.session.scalar(select(Milestone).where(Milestone.plan_id == plan.id,
                                                          Milestone.key == "political_mandate"))
    milestone.owner, milestone.note, milestone.status = bad("Ownerunit"), bad("Notetext"), "blocked"
    milestone.blocked_reason = bad("Blockedwhy")
    db.session.commit()

    client, _ = signed_in(app, coordinator)
    for path in (f"/plans/{plan.id}", "/my-city", f"/cities/{city.id}/plans"):
        get_ok(client, path, "Plantitle")
    get_ok(client, f"/plans/{plan.id}", "Ownerunit")
    get_ok(client, f"/plans/{plan.id}/history")
    body = api_as(client, coordinator).get(f"/api/v1/plans/{plan.id}").get_json()
    assert body["title"].startswith("Plantitle")

    admin = make_user("admin")
    client, _ = signed_in(app, admin)
    get_ok(client, "/plans", "Plantitle")
    get_ok(client, "/progress/cities", "Plancity")
    rows = csv_rows(get_ok(client, "/progress/cities.csv"))
    assert any("Plantitle" in cell and "Plantitle-end" in cell for row in rows for cell in row)
    response = api_as(client, admin).get("/api/v1/progress/cities?format=csv")
    assert response.status_code == 200 and "Plantitle-end" in response.get_data(as_text=True)


def test_overdue_digest_with_bad_city_name_queues_a_clean_subject(app):
    from action_lms.plans import services as plan_services
    city = make_city(bad("Digestcity"))
    make_user("coordinator", city=city)
    make_plan(city, due={"political_mandate": (utcnow() - timedelta(days=10)).date()})
    assert plan_services.send_overdue_digests()["queued"] == 1
    message = db.session.scalars(select(OutboxMessage)).one()
    assert "Digestcity" in message.subject and "\n" not in message.subject and "\x1b" not in message.subject


# ---------------------------------------------------------------- courses

def test_course_report_csv_for_a_city_with_a_bad_name(app, client, tmp_path):
    from ..factories import make_course
    course = make_course(tmp_path)
    city = make_city(bad("Reportcity"))
    client, _ = signed_in(app, make_user("admin"))
    get_ok(client, f"/course-reports/{course.slug}?city_id={city.id}", "Reportcity")
    response = get_ok(client, f"/course-reports/{course.slug}.csv?city_id={city.id}")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "reportcity" in disposition.lower()


@pytest.mark.parametrize("filename", ["a\r\nb.csv", 'quote".csv', "caf\u00e9 \u2028.csv", "\x00.csv"])
def test_download_filenames_never_break_the_header(app, filename):
    from action_lms.core.calendar import calendar_response
    from action_lms.core.csvfile import csv_response
    for response in (csv_response([["a"]], filename), calendar_response([], filename.replace(".csv", ".ics"))):
        assert_header_safe(response)
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=\"") and disposition.count('"') == 2
