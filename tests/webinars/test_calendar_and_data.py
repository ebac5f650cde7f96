"""Calendar files parsed back with icalendar, the personal feed, personal data,
the cross-city statistic and the demo seeder."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from action_lms.core.hooks import contributions
from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.webinars import services
from action_lms.webinars.models import Webinar, WebinarRegistration

from ..factories import make_city, make_registration, make_user, make_webinar
from ..helpers import api_as, login_session


def event_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    return event


def test_ics_uid_stable_sequence_increases_cancelled_status_utc(app, client):
    admin, user = make_user("admin"), make_user(timezone="Europe/Lisbon")
    # 10:00 in Helsinki on the day the clocks go forward = 07:00 UTC.
    webinar = make_webinar(starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki")),
                           timezone="Europe/Helsinki", duration_minutes=90)
    make_registration(webinar, user)
    path = f"/api/v1/webinars/{webinar.id}/calendar.ics"
    learner = api_as(client, user)
    event = event_of(learner.get(path))
    uid = str(event["uid"])
    assert uid == f"webinar-{webinar.id}@action-lms"
    start = event.decoded("dtstart")
    assert start.utcoffset() == timedelta(0) and (start.hour, start.minute) == (7, 0)
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert int(event["sequence"]) == 0 and str(event["status"]) == "CONFIRMED"
    assert "https://meet.example.org/w" in str(event["description"]) and str(event["url"]) == "https://meet.example.org/w"

    api = api_as(client, admin)
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"title": "Renamed"})
    assert int(event_of(learner.get(path))["sequence"]) == 0  # no change of time
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"starts_at": "2027-03-28T12:00:00+03:00"})
    event = event_of(learner.get(path))
    assert str(event["uid"]) == uid and int(event["sequence"]) == 1
    assert event.decoded("dtstart").hour == 9
    api.post(f"/api/v1/webinars/{webinar.id}/cancel", json={"reason": "Speaker ill"})
    event = event_of(learner.get(path))
    assert str(event["uid"]) == uid and int(event["sequence"]) == 2 and str(event["status"]) == "CANCELLED"
    assert "meet.example.org" not in event.to_ical().decode()


def test_join_link_only_for_confirmed_and_admins_in_ics(app, client):
    admin, confirmed, waiting, stranger = make_user("admin"), make_user(), make_user(), make_user()
    webinar = make_webinar(capacity=1)
    make_registration(webinar, confirmed)
    make_registration(webinar, waiting, status="waitlisted", waitlist_position=1)
    path = f"/api/v1/webinars/{webinar.id}/calendar.ics"
    assert "meet.example.org" in event_of(api_as(client, admin).get(path)).to_ical().decode()
    assert "meet.example.org" in event_of(api_as(client, confirmed).get(path)).to_ical().decode()
    waiting_event = event_of(api_as(client, waiting).get(path))
    assert "meet.example.org" not in waiting_event.to_ical().decode()
    assert str(waiting_event["summary"]).startswith("[Waitlist]")
    response = api_as(client, stranger).get(path)
    assert response.status_code == 403 and "Register" in response.get_json()["message"]


def test_personal_feed_lists_my_webinars(app, client):
    user = make_user()
    mine = make_webinar("Mine")
    waiting = make_webinar("Waiting", capacity=1)
    make_webinar("Not mine")
    cancelled_reg = make_webinar("I left")
    make_registration(mine, user)
    make_registration(waiting, user, status="waitlisted", waitlist_position=1)
    make_registration(cancelled_reg, user, status="cancelled")
    csrf = login_session(client, user)
    page = client.post("/account/calendar", data={"csrf_token": csrf}).get_data(as_text=True)
    path = re.search(r'id="feed-url">([^<]+)<', page).group(1).replace("http://localhost", "")
    response = app.test_client().get(path)
    assert response.status_code == 200
    events = Calendar.from_ical(response.data).walk("VEVENT")
    summaries = sorted(str(e["summary"]) for e in events)
    assert summaries == ["Webinar: Mine", "[Waitlist] Webinar: Waiting"]
    by_summary = {str(e["summary"]): e for e in events}
    assert "meet.example.org" in by_summary["Webinar: Mine"].to_ical().decode()
    assert "meet.example.org" not in by_summary["[Waitlist] Webinar: Waiting"].to_ical().decode()


def test_personal_data_export_and_erasure(app, client):
    user = make_user()
    upcoming = make_webinar("Upcoming", capacity=1)
    past = make_webinar("Past", starts_at=utcnow() - timedelta(days=3))
    make_registration(upcoming, user)
    nxt = make_user()
    make_registration(upcoming, nxt, status="waitlisted", waitlist_position=1)
    make_registration(past, user, attended=True)
    api = api_as(client, user)
    exported = api.get("/api/v1/me/data").get_json()["webinar_registrations"]
    assert sorted(r["webinar_title"] for r in exported) == ["Past", "Upcoming"]
    assert api.delete("/api/v1/me").status_code == 204
    db.session.commit()
    regs = {(r.webinar_id, r.user_id): r for r in db.session.scalars(select(WebinarRegistration))}
    assert regs[(upcoming.id, user.id)].status == "cancelled"
    assert regs[(upcoming.id, nxt.id)].status == "confirmed"  # the seat went to the waitlist
    assert regs[(past.id, user.id)].attended is True  # kept as an anonymous figure


def test_city_stat_counts_attendances_in_one_query(app, count_queries):
    ghent, graz, empty = make_city("Ghent", "BE", "Europe/Brussels"), make_city("Graz", "AT", "Europe/Vienna"), make_city()
    past = make_webinar(starts_at=utcnow() - timedelta(days=2))
    other = make_webinar(starts_at=utcnow() - timedelta(days=9))
    a, b, c = make_user(city=ghent), make_user(city=ghent), make_user(city=graz)
    make_registration(past, a, attended=True)
    make_registration(other, a, attended=True)
    make_registration(past, b, attended=False)
    make_registration(past, c, attended=True)
    stat = contributions().city_stats["webinar_attendances"]
    assert stat.label == "Webinar attendances"
    ids = [ghent.id, graz.id, empty.id]
    with count_queries() as q:
        result = stat.fn(ids)
    assert result == {ids[0]: 2, ids[1]: 1, ids[2]: 0}
    assert q.count == 1


def test_milestone_resource_lists_related_webinars(app):
    make_webinar("Drafting clinic", milestone_keys=["draft_plan"])
    make_webinar("Draft only", milestone_keys=["draft_plan"], status="draft")
    result = contributions().milestone_resources["webinars"].fn(None, ["draft_plan", "adoption"])
    assert [i["title"] for i in result["draft_plan"]] == ["Drafting clinic"] and result["adoption"] == []


def test_demo_seeder_is_idempotent(app):
    from action_lms.demo import seed
    seed()
    seed()
    titles = list(db.session.scalars(select(Webinar.title)))
    assert len(titles) == 3 and len(set(titles)) == 3
    now = utcnow()
    webinars = db.session.scalars(select(Webinar)).all()
    assert sum(w.starts_at > now for w in webinars) == 2
    assert sum(w.is_past(now) and w.recording_url is not None for w in webinars) == 1
    assert all(w.status == "published" for w in webinars)
    # The demo learner attended the past webinar, once.
    regs = db.session.scalars(select(WebinarRegistration)).all()
    assert len(regs) == 1 and regs[0].attended and regs[0].user.email == "learner@demo.action-lms.eu"
    assert services.seed_demo() is None


def test_cli_lists_webinars_and_sends_reminders(app):
    user = make_user()
    webinar = make_webinar("CLI webinar", starts_at=datetime(2031, 6, 1, 8, 0, tzinfo=ZoneInfo("UTC")))
    reg = make_registration(webinar, user)
    reg.confirmed_at = datetime(2031, 5, 1, tzinfo=ZoneInfo("UTC"))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["webinars", "list"])
    assert result.exit_code == 0 and "CLI webinar" in result.output and "1/10" in result.output
    result = runner.invoke(args=["webinars", "remind", "--now", "2031-05-31T08:00:00+00:00"])
    assert result.exit_code == 0 and "'queued': 1" in result.output
    result = runner.invoke(args=["webinars", "remind", "--now", "2031-05-31T08:00:00"])
    assert result.exit_code != 0 and "offset" in result.output
