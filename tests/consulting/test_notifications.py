"""E-mails (each in the recipient's own zone), reminders exactly once, .ics files and feeds,
figures for other domains, and personal data export/erasure."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from action_lms.accounts import services as accounts
from action_lms.consulting import services
from action_lms.consulting.models import Booking, ConsultantProfile, Slot
from action_lms.core.hooks import contributions
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow

from ..factories import make_booking, make_city, make_consultant, make_slot, make_user
from ..helpers import api_as


def messages(session, kind):
    return {m.to_email: m for m in session.query(OutboxMessage).filter_by(kind=kind).all()}


def test_confirmation_to_both_sides_each_in_their_own_zone(client, session):
    city = make_city("Helsinki", "FI", "Europe/Helsinki")
    coordinator = make_user("coordinator", city=city, timezone="Europe/Helsinki")
    consultant = make_consultant(timezone="Europe/Lisbon", name="Rita")
    slot = make_slot(consultant, datetime(2027, 1, 18, 10, 0, tzinfo=UTC))
    response = api_as(client, coordinator).post(
        f"/api/v1/slots/{slot.id}/booking", json={"topic": "Housing", "questions": "How did Lisbon consult tenants?"}
    )
    assert response.status_code == 201
    sent = messages(session, "consulting_confirmed")
    assert set(sent) == {coordinator.email, consultant.email}
    assert "12:00 EET" in sent[coordinator.email].subject and "Rita" in sent[coordinator.email].body_text
    assert "10:00 WET" in sent[consultant.email].subject
    assert "How did Lisbon consult tenants?" in sent[consultant.email].body_text
    assert "Helsinki" in sent[consultant.email].body_text
    assert sent[consultant.email].attachment_type == "text/calendar"
    Calendar.from_ical(sent[consultant.email].attachment)


def test_cancellation_and_reschedule_notices(client, session):
    consultant = make_consultant()
    coordinator = make_user("coordinator")
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(days=5)), booked_by=coordinator)
    target = make_slot(consultant, utcnow() + timedelta(days=6))
    api = api_as(client, coordinator)
    assert api.post(f"/api/v1/bookings/{booking.id}/reschedule", json={"slot_id": target.id}).status_code == 200
    moved = messages(session, "consulting_rescheduled")
    assert set(moved) == {coordinator.email, consultant.email}
    assert "Before:" in moved[consultant.email].body_text
    assert (
        api.post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Council meeting moved"}).status_code == 200
    )
    cancelled = messages(session, "consulting_cancelled")
    assert set(cancelled) == {coordinator.email, consultant.email}
    assert "Council meeting moved" in cancelled[consultant.email].body_text
    ics = Calendar.from_ical(cancelled[coordinator.email].attachment)
    event = next(iter(ics.walk("VEVENT")))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2


def test_reminder_exactly_once_never_for_cancelled_or_started(app, session):
    consultant = make_consultant()
    now = utcnow()
    due = make_booking(make_slot(consultant, now + timedelta(hours=23)))
    later = make_booking(make_slot(consultant, now + timedelta(hours=30)))
    cancelled = make_booking(make_slot(consultant, now + timedelta(hours=20)), status="cancelled")
    started = make_booking(make_slot(consultant, now - timedelta(minutes=10)))
    assert services.send_booking_reminders(now=now) == 1  # `due`: its coordinator and its consultant
    assert services.send_booking_reminders(now=now) == 0
    assert services.send_booking_reminders(now=now + timedelta(minutes=1)) == 0
    reminders = session.query(OutboxMessage).filter_by(kind="consulting_reminder").all()
    assert {m.to_email for m in reminders} == {due.booked_by.email, consultant.email}
    # Six hours later the second booking enters the window; a scheduler that was down catches up.
    assert services.send_booking_reminders(now=now + timedelta(hours=7)) == 1
    assert session.query(OutboxMessage).filter_by(kind="consulting_reminder").count() == 4
    assert cancelled.id and started.id and later.id


def test_reminder_job_is_registered(app):
    from action_lms.scheduler import jobs

    job = next(j for j in jobs(app) if j.id == "send_booking_reminders")
    assert job.seconds == 60 and job.func is services.send_booking_reminders


def test_booking_ics_parses_back(client):
    consultant = make_consultant(name="Ana")
    booking = make_booking(
        make_slot(consultant, datetime(2027, 3, 1, 9, 0, tzinfo=UTC)),
        topic="Indicators",
        milestone_key="priorities_and_indicators",
    )
    response = api_as(client, booking.booked_by).get(f"/api/v1/bookings/{booking.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert event.decoded("DTSTART") == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    assert "Ana" in str(event["SUMMARY"]) and str(event["UID"]) == f"consulting-booking-{booking.id}@action-lms"
    assert "Priorities and indicators" in str(event["DESCRIPTION"])


def test_bookings_appear_in_each_persons_feed(client, session):
    city = make_city()
    coordinator, colleague = make_user("coordinator", city=city), make_user("coordinator", city=city)
    consultant = make_consultant()
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(days=3)), booked_by=coordinator)
    make_booking(make_slot(make_consultant(), utcnow() + timedelta(days=3)))  # another city, another expert
    for person in (colleague, consultant):
        token = accounts.reset_calendar_token(person)
        feed = Calendar.from_ical(client.get(f"/calendar/{token}.ics").data)
        assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [f"consulting-booking-{booking.id}@action-lms"]
    learner = make_user("learner")
    assert services.calendar_events_for(learner) == []


def test_city_stats_and_milestone_resources(app, session):
    berlin, graz = make_city(), make_city()
    coordinator = make_user("coordinator", city=berlin)
    consultant = make_consultant()
    make_booking(
        make_slot(consultant, utcnow() - timedelta(days=3)),
        booked_by=coordinator,
        status="held",
        milestone_key="draft_plan",
    )
    upcoming = make_booking(make_slot(consultant, utcnow() + timedelta(days=3)), booked_by=coordinator)
    make_booking(make_slot(consultant, utcnow() + timedelta(days=9)), booked_by=coordinator)
    stats = contributions().all_city_stats([berlin.id, graz.id])
    assert stats["consulting_sessions_held"] == {berlin.id: 1, graz.id: 0}
    assert stats["next_consulting_session"] == {berlin.id: upcoming.slot.starts_at, graz.id: None}
    held = session.query(Booking).filter_by(status="held").one()
    from action_lms.consulting.models import FollowUp

    session.add(
        FollowUp(
            booking_id=held.id, position=0, text="Ask the council", owner="Mayor's office", milestone_key="adoption"
        )
    )
    session.commit()
    resources = contributions().all_milestone_resources(berlin.id, ["draft_plan", "adoption"])["consulting"]
    assert len(resources["draft_plan"]) == 1
    assert [r["title"] for r in resources["adoption"]] == ["Follow-up: Ask the council"]
    assert len(contributions().all_milestone_resources(None, ["adoption"])["consulting"]["adoption"]) == 1
    assert resources["draft_plan"][0]["url"].startswith("/consulting/bookings/")
    assert contributions().all_milestone_resources(graz.id, ["draft_plan"])["consulting"]["draft_plan"] == []


def test_personal_data_export_and_erasure(client, session):
    coordinator = make_user("coordinator")
    consultant = make_consultant(bio="Expert bio")
    booking = make_booking(
        make_slot(consultant, utcnow() + timedelta(days=3)), booked_by=coordinator, questions="Our questions"
    )
    open_slot = make_slot(consultant, utcnow() + timedelta(days=10))
    # (GET /api/v1/me/data serialises through accounts' PersonalDataSchema, which keeps only its own
    # sections; the export itself, also offered as /account/data.json, includes ours.)
    data = accounts.export_personal_data(coordinator)["consulting"]
    assert data["bookings"][0]["questions"] == "Our questions"
    data = accounts.export_personal_data(consultant)["consulting"]
    assert data["profile"]["bio"] == "Expert bio" and len(data["slots"]) == 2
    booking_id, open_id, consultant_id = booking.id, open_slot.id, consultant.id
    assert api_as(client, coordinator).delete("/api/v1/me").status_code == 204
    assert api_as(client, consultant).delete("/api/v1/me").status_code == 204
    session.expire_all()
    kept = session.get(Booking, booking_id)
    assert kept is not None and kept.booked_by_id is None and kept.status == "booked"
    assert session.get(Slot, open_id) is None and session.get(ConsultantProfile, consultant_id) is None
