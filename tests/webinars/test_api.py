"""The webinars API: scheduling, registration rules, waitlist, capacity, notifications, CSV, attendance."""
import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.webinars.models import Webinar, WebinarRegistration

from ..factories import make_city, make_course, make_registration, make_user, make_webinar
from ..helpers import api_as, assert_envelope
from .conftest import messages


def future(days=7, hours=0):
    return (utcnow() + timedelta(days=days, hours=hours)).replace(microsecond=0)


def payload(**over):
    data = {"title": "Peer exchange: drafting a plan", "description": "Hello **world**", "starts_at": future().isoformat(),
            "duration_minutes": 60, "timezone": "Europe/Lisbon", "capacity": 2, "join_url": "https://meet.example.org/x",
            "status": "published"}
    data.update(over)
    return data


# ---------------------------------------------------------------- scheduling

def test_admin_schedules_a_webinar_with_defaults(app, client, tmp_path):
    admin = make_user("admin")
    make_course(tmp_path, slug="action-plans")
    body = payload(description="Intro <script>alert(1)</script> [link](javascript:alert(1)) *ok*",
                   milestone_keys=["draft_plan"], course_module_keys=["action-plans/basics"])
    response = api_as(client, admin).post("/api/v1/webinars", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["starts_at"].endswith("Z")
    # No deadline given: registration closes 1 hour before the start (WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE).
    starts_at = datetime.fromisoformat(data["starts_at"].replace("Z", "+00:00"))
    assert data["registration_closes_at"] == (starts_at - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert data["seats_left"] == 2 and data["waitlist_length"] == 0 and data["registration_open"] is True
    assert "<script>" not in data["description_html"] and "javascript:" not in data["description_html"]
    assert "<em>ok</em>" in data["description_html"]
    assert data["milestone_keys"] == ["draft_plan"] and data["course_module_keys"] == ["action-plans/basics"]
    assert data["join_url"] == "https://meet.example.org/x"  # admins see it


@pytest.mark.parametrize("field,value", [
    ("starts_at", "2030-03-01T10:00:00"),                # naive
    ("starts_at", "2020-03-01T10:00:00+01:00"),          # past
    ("timezone", "Mars/Olympus"),
    ("capacity", 0),
    ("duration_minutes", 0),
    ("join_url", "ftp://x"),
    ("milestone_keys", ["not_a_milestone"]),
    ("status", "cancelled"),
    pytest.param("registration_closes_at", (utcnow() + timedelta(days=30)).isoformat(), id="registration_closes_at-after-start"),
])
def test_invalid_webinar_is_422_naming_the_field(app, client, field, value):
    admin = make_user("admin")
    response = api_as(client, admin).post("/api/v1/webinars", json=payload(**{field: value}))
    body = assert_envelope(response, 422)
    assert field in body["errors"], body


def test_list_shows_published_upcoming_to_learners_and_drafts_to_admins(app, client):
    learner, admin = make_user(), make_user("admin")
    make_webinar("Upcoming", starts_at=future(2))
    make_webinar("Draft", status="draft")
    make_webinar("Past", starts_at=future(-3))
    titles = [w["title"] for w in api_as(client, learner).get("/api/v1/webinars").get_json()]
    assert titles == ["Upcoming"]
    titles = [w["title"] for w in api_as(client, learner).get("/api/v1/webinars?include_past=true").get_json()]
    assert titles == ["Past", "Upcoming"]
    titles = {w["title"] for w in api_as(client, admin).get("/api/v1/webinars").get_json()}
    assert titles == {"Upcoming", "Draft"}
    assert api_as(client, learner).get("/api/v1/webinars?from=2030-01-01T00:00:00Z").get_json() == []
    assert_envelope(api_as(client, learner).get("/api/v1/webinars?from=2030-01-01T00:00:00"), 422)


def test_a_day_long_webinar_under_way_is_still_upcoming(app, client):
    """The upcoming list bounds starts_at by the longest webinar allowed (so the index skips
    the past ones): a webinar of that length that started nearly a day ago is still listed."""
    from action_lms.webinars.models import MAX_DURATION_MINUTES
    learner = make_user()
    started = utcnow() - timedelta(minutes=MAX_DURATION_MINUTES - 30)
    make_webinar("All-day workshop", starts_at=started, duration_minutes=MAX_DURATION_MINUTES)
    make_webinar("Yesterday", starts_at=utcnow() - timedelta(hours=26), duration_minutes=60)
    titles = [w["title"] for w in api_as(client, learner).get("/api/v1/webinars").get_json()]
    assert titles == ["All-day workshop"]


def test_draft_is_invisible_to_learners(app, client):
    learner = make_user()
    draft = make_webinar(status="draft")
    assert_envelope(api_as(client, learner).get(f"/api/v1/webinars/{draft.id}"), 404)
    assert_envelope(api_as(client, learner).post(f"/api/v1/webinars/{draft.id}/registrations"), 404)


def test_past_webinar_gets_a_recording_link_and_is_listed_as_past(app, client):
    admin, learner = make_user("admin"), make_user()
    webinar = make_webinar(starts_at=future(-2))
    response = api_as(client, admin).patch(f"/api/v1/webinars/{webinar.id}", json={"recording_url": "https://video.example.org/r"})
    assert response.status_code == 200
    data = api_as(client, learner).get(f"/api/v1/webinars/{webinar.id}").get_json()
    assert data["past"] is True and data["recording_url"] == "https://video.example.org/r"
    assert data["registration_open"] is False


# ---------------------------------------------------------------- registration

def test_register_confirmed_then_waitlisted_with_positions(app, client):
    webinar = make_webinar(capacity=1)
    users = [make_user(timezone="Europe/Helsinki") for _ in range(3)]
    results = [api_as(client, u).post(f"/api/v1/webinars/{webinar.id}/registrations") for u in users]
    assert [r.status_code for r in results] == [201, 201, 201]
    assert [(r.get_json()["status"], r.get_json()["waitlist_position"]) for r in results] == [
        ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    data = api_as(client, users[2]).get(f"/api/v1/webinars/{webinar.id}").get_json()
    assert data["seats_left"] == 0 and data["waitlist_length"] == 2
    assert data["my_registration"]["waitlist_position"] == 2
    assert data["join_url"] is None  # waitlisted: no join link
    assert api_as(client, users[0]).get(f"/api/v1/webinars/{webinar.id}").get_json()["join_url"] == "https://meet.example.org/w"
    confirmation = messages("webinar_confirmed", users[0])
    assert len(confirmation) == 1 and "https://meet.example.org/w" in confirmation[0].body_text
    assert confirmation[0].attachment_name.endswith(".ics") and "meet.example.org" in confirmation[0].attachment
    waitlisted = messages("webinar_waitlisted", users[1])
    assert len(waitlisted) == 1 and "position 1" in waitlisted[0].body_text
    assert "meet.example.org" not in waitlisted[0].body_text


def test_second_registration_is_409(app, client):
    webinar, user = make_webinar(), make_user()
    api = api_as(client, user)
    assert api.post(f"/api/v1/webinars/{webinar.id}/registrations").status_code == 201
    body = assert_envelope(api.post(f"/api/v1/webinars/{webinar.id}/registrations"), 409)
    assert "already registered" in body["message"]


@pytest.mark.parametrize("kind,expected", [
    ("closed", "Registration closed"),
    ("cancelled", "cancelled"),
    ("past", "already taken place"),
    ("started", "already started"),
])
def test_closed_cancelled_past_or_started_is_409_with_a_reason(app, client, kind, expected):
    user = make_user()
    if kind == "closed":
        webinar = make_webinar(registration_closes_at=utcnow() - timedelta(minutes=1))
    elif kind == "cancelled":
        webinar = make_webinar(status="cancelled")
    elif kind == "past":
        webinar = make_webinar(starts_at=future(-1))
    else:
        webinar = make_webinar(starts_at=utcnow() - timedelta(minutes=5), duration_minutes=60)
    body = assert_envelope(api_as(client, user).post(f"/api/v1/webinars/{webinar.id}/registrations"), 409)
    assert expected in body["message"]


def test_cancel_own_registration_promotes_first_waitlisted_and_notifies(app, client):
    webinar = make_webinar(capacity=1)
    first, second, third = make_user(), make_user(timezone="Europe/Lisbon"), make_user()
    for user in (first, second, third):
        api_as(client, user).post(f"/api/v1/webinars/{webinar.id}/registrations")
    response = api_as(client, first).delete(f"/api/v1/webinars/{webinar.id}/registrations/me")
    assert response.status_code == 204
    regs = {r.user_id: r for r in db.session.scalars(select(WebinarRegistration))}
    assert regs[first.id].status == "cancelled"
    assert regs[second.id].status == "confirmed" and regs[second.id].waitlist_position is None
    assert regs[third.id].status == "waitlisted" and regs[third.id].waitlist_position == 1
    promoted = messages("webinar_promoted", second)
    assert len(promoted) == 1 and "https://meet.example.org/w" in promoted[0].body_text
    assert len(messages("webinar_registration_cancelled", first)) == 1
    # Not registered any more: 404; the seat taken is not handed out twice.
    assert_envelope(api_as(client, first).delete(f"/api/v1/webinars/{webinar.id}/registrations/me"), 404)
    assert len(messages("webinar_promoted")) == 1


def test_leaving_the_waitlist_closes_the_gap(app, client):
    webinar = make_webinar(capacity=1)
    users = [make_user() for _ in range(4)]
    for user in users:
        api_as(client, user).post(f"/api/v1/webinars/{webinar.id}/registrations")
    api_as(client, users[1]).delete(f"/api/v1/webinars/{webinar.id}/registrations/me")
    positions = {r.user_id: r.waitlist_position for r in db.session.scalars(
        select(WebinarRegistration).where(WebinarRegistration.status == "waitlisted"))}
    assert positions == {users[2].id: 1, users[3].id: 2}
    # Re-registering after cancelling is allowed and goes to the end of the queue.
    response = api_as(client, users[1]).post(f"/api/v1/webinars/{webinar.id}/registrations")
    assert response.status_code == 201 and response.get_json()["waitlist_position"] == 3


def test_raising_capacity_confirms_waitlisted_in_order_and_lowering_below_confirmed_is_409(app, client):
    admin = make_user("admin")
    webinar = make_webinar(capacity=1)
    users = [make_user() for _ in range(4)]
    for user in users:
        api_as(client, user).post(f"/api/v1/webinars/{webinar.id}/registrations")
    response = api_as(client, admin).patch(f"/api/v1/webinars/{webinar.id}", json={"capacity": 3})
    assert response.status_code == 200 and response.get_json()["seats_left"] == 0
    assert response.get_json()["waitlist_length"] == 1
    statuses = {r.user_id: (r.status, r.waitlist_position) for r in db.session.scalars(select(WebinarRegistration))}
    assert statuses == {users[0].id: ("confirmed", None), users[1].id: ("confirmed", None),
                        users[2].id: ("confirmed", None), users[3].id: ("waitlisted", 1)}
    assert {m.user_id for m in messages("webinar_promoted")} == {users[1].id, users[2].id}
    body = assert_envelope(api_as(client, admin).patch(f"/api/v1/webinars/{webinar.id}", json={"capacity": 2}), 409)
    assert "3 people are already confirmed" in body["message"]
    assert db.session.get(Webinar, webinar.id).capacity == 3


def test_reschedule_notifies_everyone_in_their_own_zone_once_per_change(app, client):
    admin = make_user("admin")
    lisbon, helsinki = make_user(timezone="Europe/Lisbon"), make_user(timezone="Europe/Helsinki")
    webinar = make_webinar(capacity=1, timezone="Europe/Lisbon")
    api_as(client, lisbon).post(f"/api/v1/webinars/{webinar.id}/registrations")
    api_as(client, helsinki).post(f"/api/v1/webinars/{webinar.id}/registrations")
    # Sunday 28 March 2027, the day clocks go forward: 10:00 WEST in Lisbon is 12:00 EEST in Helsinki.
    new_start = datetime(2027, 3, 28, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
    api = api_as(client, admin)
    response = api.patch(f"/api/v1/webinars/{webinar.id}", json={"starts_at": new_start.isoformat()})
    assert response.status_code == 200
    assert response.get_json()["starts_at"] == "2027-03-28T09:00:00Z" and response.get_json()["sequence"] == 1
    [to_lisbon] = messages("webinar_rescheduled", lisbon)
    [to_helsinki] = messages("webinar_rescheduled", helsinki)
    assert "Sun 28 Mar 2027, 10:00 WEST" in to_lisbon.body_text
    assert "Sun 28 Mar 2027, 12:00 EEST" in to_helsinki.body_text
    assert "meet.example.org" in to_lisbon.body_text and "meet.example.org" not in to_helsinki.body_text  # waitlisted
    # Same PATCH again: no change of time, no e-mail. A second real change: one more each.
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"starts_at": new_start.isoformat(), "title": "New title"})
    assert len(messages("webinar_rescheduled")) == 2
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"starts_at": (new_start + timedelta(hours=1)).isoformat()})
    assert len(messages("webinar_rescheduled")) == 4
    # Back to the earlier time: a new sequence, so people hear about it again.
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"starts_at": new_start.isoformat()})
    assert len(messages("webinar_rescheduled")) == 6


def test_cancel_webinar_with_reason_notifies_registered(app, client):
    admin = make_user("admin")
    webinar = make_webinar(capacity=1)
    users = [make_user(), make_user()]
    for user in users:
        api_as(client, user).post(f"/api/v1/webinars/{webinar.id}/registrations")
    api = api_as(client, admin)
    assert_envelope(api.post(f"/api/v1/webinars/{webinar.id}/cancel", json={"reason": ""}), 422)
    response = api.post(f"/api/v1/webinars/{webinar.id}/cancel", json={"reason": "The speaker is ill."})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    cancelled = messages("webinar_cancelled")
    assert {m.user_id for m in cancelled} == {u.id for u in users}
    assert all("The speaker is ill." in m.body_text and "STATUS:CANCELLED" in m.attachment for m in cancelled)
    assert all("meet.example.org" not in m.body_text for m in cancelled)
    assert_envelope(api.post(f"/api/v1/webinars/{webinar.id}/cancel", json={"reason": "again"}), 409)
    assert_envelope(api.patch(f"/api/v1/webinars/{webinar.id}", json={"title": "x"}), 409)
    assert len(messages("webinar_cancelled")) == 2
    # The join link is gone for registrants once cancelled.
    assert api_as(client, users[0]).get(f"/api/v1/webinars/{webinar.id}").get_json()["join_url"] is None


def test_published_webinar_with_registrations_cannot_go_back_to_draft(app, client):
    admin, user = make_user("admin"), make_user()
    webinar = make_webinar()
    make_registration(webinar, user)
    assert_envelope(api_as(client, admin).patch(f"/api/v1/webinars/{webinar.id}", json={"status": "draft"}), 409)


# ---------------------------------------------------------------- registrations list, CSV, attendance

def test_registrations_list_and_csv_for_admins(app, client):
    admin = make_user("admin")
    city = make_city("Ghent", "BE", "Europe/Brussels")
    webinar = make_webinar(capacity=1, starts_at=future(-1))
    a = make_user(city=city, name="=HYPERLINK(1)")
    b = make_user()
    make_registration(webinar, a, attended=True)
    make_registration(webinar, b, status="waitlisted", waitlist_position=1)
    api = api_as(client, admin)
    listed = api.get(f"/api/v1/webinars/{webinar.id}/registrations")
    assert listed.status_code == 200 and [r["status"] for r in listed.get_json()] == ["confirmed", "waitlisted"]
    assert listed.get_json()[0]["user"]["city"] == "Ghent"
    response = api.get(f"/api/v1/webinars/{webinar.id}/registrations?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["email"], r["status"], r["attended"], r["waitlist_position"]) for r in rows] == [
        (a.email, "confirmed", "yes", ""), (b.email, "waitlisted", "no", "1")]
    assert rows[0]["name"] == "'=HYPERLINK(1)" and rows[0]["city"] == "Ghent"
    assert_envelope(api.get(f"/api/v1/webinars/{webinar.id}/registrations?format=xml"), 422)


def test_attendance_is_recorded_after_the_start_only(app, client):
    admin = make_user("admin")
    upcoming = make_webinar()
    past = make_webinar(starts_at=future(-1))
    users = [make_user() for _ in range(3)]
    for user in users:
        make_registration(past, user)
        make_registration(upcoming, user)
    api = api_as(client, admin)
    body = assert_envelope(api.post(f"/api/v1/webinars/{upcoming.id}/attendance", json={"user_ids": [users[0].id]}), 409)
    assert "once the webinar has started" in body["message"]
    response = api.post(f"/api/v1/webinars/{past.id}/attendance", json={"user_ids": [users[0].id, users[1].id]})
    assert response.status_code == 200 and response.get_json()["attended_count"] == 2
    response = api.post(f"/api/v1/webinars/{past.id}/attendance", json={"user_ids": [users[2].id]})
    assert response.get_json()["attended_user_ids"] == sorted(u.id for u in users)
    response = api.post(f"/api/v1/webinars/{past.id}/attendance", json={"user_ids": [users[2].id], "replace": True})
    assert response.get_json()["attended_user_ids"] == [users[2].id]
    stranger = make_user()
    body = assert_envelope(api.post(f"/api/v1/webinars/{past.id}/attendance", json={"user_ids": [stranger.id]}), 422)
    assert "user_ids" in body["errors"]
    assert_envelope(api.post(f"/api/v1/webinars/{past.id}/attendance", json={"user_ids": "x"}), 422)


def test_unknown_webinar_is_404_everywhere(app, client):
    admin = make_user("admin")
    api = api_as(client, admin)
    for method, path, body in [("GET", "/api/v1/webinars/999", None), ("PATCH", "/api/v1/webinars/999", {"title": "x"}),
                               ("POST", "/api/v1/webinars/999/cancel", {"reason": "x"}),
                               ("POST", "/api/v1/webinars/999/registrations", {}),
                               ("GET", "/api/v1/webinars/999/registrations", None),
                               ("POST", "/api/v1/webinars/999/attendance", {"user_ids": []}),
                               ("GET", "/api/v1/webinars/999/calendar.ics", None)]:
        assert_envelope(api.request(method, path, json=body), 404)


def test_openapi_documents_the_webinar_paths(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/webinars", "/api/v1/webinars/{webinar_id}", "/api/v1/webinars/{webinar_id}/cancel",
                 "/api/v1/webinars/{webinar_id}/registrations", "/api/v1/webinars/{webinar_id}/registrations/me",
                 "/api/v1/webinars/{webinar_id}/attendance", "/api/v1/webinars/{webinar_id}/calendar.ics"):
        assert path in spec["paths"], path


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/webinars/99999999999999999999", None),
    ("POST", "/api/v1/webinars/99999999999999999999/registrations", {}),
    ("DELETE", "/api/v1/webinars/99999999999999999999/registrations/me", None),
    ("GET", "/api/v1/webinars/99999999999999999999/registrations", None),
])
def test_out_of_range_ids_are_404_not_500(app, client, method, path, body):
    assert_envelope(api_as(client, make_user("admin")).request(method, path, json=body), 404)


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00+00:00", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00"])
def test_extreme_dates_are_422_not_500(app, client, value):
    body = assert_envelope(api_as(client, make_user("admin")).post("/api/v1/webinars", json=payload(starts_at=value)), 422)
    assert "starts_at" in body["errors"]


def test_a_page_far_beyond_the_end_is_empty_not_500(app, client):
    admin = make_user("admin")
    webinar = make_webinar()
    api = api_as(client, admin)
    for path in ("/api/v1/webinars", f"/api/v1/webinars/{webinar.id}/registrations"):
        response = api.get(path + "?page=81968066642660900864")
        assert response.status_code == 200 and response.get_json() == []
    assert api.get("/api/v1/webinars?page=2").headers["X-Pagination"]


def test_new_join_link_is_sent_to_confirmed_people_only(app, client):
    admin = make_user("admin")
    webinar = make_webinar(capacity=1)
    confirmed, waiting = make_user(), make_user()
    make_registration(webinar, confirmed)
    make_registration(webinar, waiting, status="waitlisted", waitlist_position=1)
    api = api_as(client, admin)
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"join_url": "https://meet.example.org/new"})
    [message] = messages("webinar_join_link")
    assert message.user_id == confirmed.id and "https://meet.example.org/new" in message.body_text
    assert "meet.example.org/new" in message.attachment
    api.patch(f"/api/v1/webinars/{webinar.id}", json={"join_url": "https://meet.example.org/new", "title": "Same link"})
    assert len(messages("webinar_join_link")) == 1
