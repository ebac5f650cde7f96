"""The webinar pages: list in the viewer's zone, webinar page, register/cancel, my webinars,
admin pages to schedule, edit, cancel, see registrations and mark attendance."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.webinars.models import Webinar, WebinarRegistration

from ..factories import make_course, make_registration, make_user, make_webinar
from ..helpers import login_session
from .conftest import messages


def test_list_shows_times_in_the_viewers_zone_with_the_zone_named(app, client):
    user = make_user(timezone="Europe/Helsinki")
    make_webinar("Plan clinic", starts_at=datetime(2030, 3, 31, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon")), timezone="Europe/Lisbon")
    make_webinar("Secret draft", status="draft")
    login_session(client, user)
    html = client.get("/webinars").get_data(as_text=True)
    assert "Plan clinic" in html and "Secret draft" not in html
    assert "Europe/Helsinki" in html and "Sun 31 Mar 2030, 12:00 EEST" in html
    assert "Schedule a webinar" not in html


def test_list_query_count_does_not_grow_with_rows(app, client, count_queries):
    user = make_user()
    login_session(client, user)

    def count_for(n):
        for i in range(n):
            w = make_webinar(f"W{i}")
            if i % 2:
                make_registration(w, user)
        with count_queries() as q:
            assert client.get("/webinars").status_code == 200
        db.session.query(WebinarRegistration).delete()
        db.session.query(Webinar).delete()
        db.session.commit()
        return q.count

    assert count_for(2) == count_for(20)


def test_api_list_query_count_does_not_grow_with_rows(app, client, count_queries):
    from ..helpers import api_as
    user = make_user()
    api = api_as(client, user)
    api.get("/api/v1/me")  # the token's first use is recorded once; not part of the list

    def count_for(n):
        for i in range(n):
            w = make_webinar(f"W{i}")
            make_registration(w, user)
        with count_queries() as q:
            assert len(api.get("/api/v1/webinars").get_json()) == n
        db.session.query(WebinarRegistration).delete()
        db.session.query(Webinar).delete()
        db.session.commit()
        return q.count

    assert count_for(2) == count_for(20)


def test_webinar_page_register_waitlist_and_cancel(app, client):
    webinar = make_webinar("Peer exchange", capacity=1, description="Read <script>alert(1)</script> *first*")
    make_registration(webinar, make_user())
    user = make_user()
    csrf = login_session(client, user)
    html = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert "Full" in html and "Join the waitlist" in html and "<em>first</em>" in html and "<script>alert" not in html
    assert "meet.example.org" not in html
    response = client.post(f"/webinars/{webinar.id}/register", data={"csrf_token": csrf}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "on the waitlist at position 1" in html and 'id="waitlist-position">1<' in html
    assert "Add to calendar" in html and "meet.example.org" not in html
    response = client.post(f"/webinars/{webinar.id}/register", data={"csrf_token": csrf}, follow_redirects=True)
    assert "already on the waitlist" in response.get_data(as_text=True)
    response = client.post(f"/webinars/{webinar.id}/unregister", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Your registration is cancelled" in response.get_data(as_text=True)


def test_confirmed_registrant_sees_join_link_and_downloads_ics(app, client):
    webinar = make_webinar("Open seats", capacity=5)
    user = make_user()
    csrf = login_session(client, user)
    html = client.post(f"/webinars/{webinar.id}/register", data={"csrf_token": csrf}, follow_redirects=True).get_data(as_text=True)
    assert "You are registered" in html and 'id="join-link"' in html
    response = client.get(f"/webinars/{webinar.id}/calendar.ics")
    assert response.status_code == 200
    assert "meet.example.org" in Calendar.from_ical(response.data).walk("VEVENT")[0].to_ical().decode()


def test_register_without_csrf_token_changes_nothing(app, client):
    webinar = make_webinar()
    login_session(client, make_user())
    assert client.post(f"/webinars/{webinar.id}/register", data={}).status_code in (302, 400)
    assert db.session.scalars(select(WebinarRegistration)).all() == []


def test_my_webinars_shows_upcoming_and_attended(app, client):
    user = make_user()
    upcoming = make_webinar("Coming up")
    attended = make_webinar("I was there", starts_at=utcnow() - timedelta(days=5), recording_url="https://video.example.org/1")
    missed = make_webinar("I missed it", starts_at=utcnow() - timedelta(days=9))
    make_registration(upcoming, user)
    make_registration(attended, user, attended=True)
    make_registration(missed, user)
    login_session(client, user)
    html = client.get("/my/webinars").get_data(as_text=True)
    upcoming_part, attended_part = html.split('id="attended"')
    assert "Coming up" in upcoming_part
    assert "I was there" in attended_part.split('id="missed"')[0] and "video.example.org/1" in attended_part
    assert "I missed it" in attended_part.split('id="missed"')[1]


def test_nav_has_webinars_and_my_webinars(app, client):
    login_session(client, make_user())
    html = client.get("/").get_data(as_text=True)
    assert 'href="/webinars"' in html and 'href="/my/webinars"' in html


def test_admin_schedules_in_a_zone_and_edits_a_webinar(app, client, tmp_path):
    admin = make_user("admin", timezone="Europe/Berlin")
    make_course(tmp_path, slug="plans")
    csrf = login_session(client, admin)
    assert client.get("/webinars/new").status_code == 200
    form = {"csrf_token": csrf, "title": "Baseline data", "description": "**Bring** your data", "starts_local": "2030-10-27T10:00",
            "timezone": "Europe/Lisbon", "duration_minutes": "90", "capacity": "25", "closes_local": "",
            "join_url": "https://meet.example.org/b", "status": "published", "milestone_keys": ["baseline_assessment"],
            "course_module_keys": ["plans/basics", "plans/advanced"]}
    response = client.post("/webinars/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    webinar = db.session.scalar(select(Webinar))
    # 27 Oct 2030 is the last Sunday of October: 10:00 in Lisbon is WET, 10:00 UTC.
    assert webinar.starts_at == datetime(2030, 10, 27, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert webinar.milestone_keys == ["baseline_assessment"] and webinar.course_module_keys == ["plans/basics", "plans/advanced"]
    html = client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    assert 'value="2030-10-27T10:00"' in html
    user = make_user()
    make_registration(webinar, user)
    form.update(title="Baseline data (updated)")
    assert client.post(f"/webinars/{webinar.id}/edit", data=form).status_code == 302
    assert messages("webinar_rescheduled") == []  # same time: nobody is told of a change
    form.update(starts_local="2030-10-27T11:00")
    assert client.post(f"/webinars/{webinar.id}/edit", data=form).status_code == 302
    assert len(messages("webinar_rescheduled", user)) == 1


@pytest.mark.parametrize("change,field_id", [
    ({"starts_local": "2030-03-31T01:30", "timezone": "Europe/Lisbon"}, "starts_local-error"),  # does not exist
    ({"starts_local": "2001-01-01T10:00"}, "starts_local-error"),
    ({"starts_local": "9999-12-31T23:00", "timezone": "America/New_York"}, "starts_local-error"),
    ({"join_url": "not a link"}, "join_url-error"),
    ({"title": ""}, "title-error"),
])
def test_schedule_form_shows_errors_in_place(app, client, change, field_id):
    admin = make_user("admin")
    csrf = login_session(client, admin)
    form = {"csrf_token": csrf, "title": "T", "starts_local": "2030-10-27T10:00", "timezone": "Europe/Berlin",
            "duration_minutes": "60", "capacity": "10", "status": "published", "join_url": ""}
    form.update(change)
    response = client.post("/webinars/new", data=form)
    assert response.status_code == 422
    assert f'id="{field_id}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Webinar)) is None


def test_admin_cancels_with_a_reason(app, client):
    admin, user = make_user("admin"), make_user()
    webinar = make_webinar()
    make_registration(webinar, user)
    csrf = login_session(client, admin)
    assert client.post(f"/webinars/{webinar.id}/cancel", data={"csrf_token": csrf, "reason": ""}).status_code == 422
    response = client.post(f"/webinars/{webinar.id}/cancel", data={"csrf_token": csrf, "reason": "Speaker ill"}, follow_redirects=True)
    assert "has been cancelled" in response.get_data(as_text=True) and "Speaker ill" in response.get_data(as_text=True)
    assert len(messages("webinar_cancelled", user)) == 1


def test_admin_marks_attendance_with_checkboxes_and_downloads_csv(app, client):
    admin = make_user("admin")
    webinar = make_webinar(starts_at=utcnow() - timedelta(hours=2))
    a, b = make_user(name="Ana"), make_user(name="Ben")
    make_registration(webinar, a)
    make_registration(webinar, b)
    csrf = login_session(client, admin)
    html = client.get(f"/webinars/{webinar.id}/registrations").get_data(as_text=True)
    assert "Ana" in html and 'name="attended"' in html
    response = client.post(f"/webinars/{webinar.id}/registrations", data={"csrf_token": csrf, "attended": [str(a.id)]},
                           follow_redirects=True)
    assert "1 attended" in response.get_data(as_text=True)
    csv_text = client.get(f"/webinars/{webinar.id}/registrations.csv").get_data(as_text=True)
    assert re.search(r"Ana,[^\n]*,yes", csv_text) and re.search(r"Ben,[^\n]*,no", csv_text)


@pytest.mark.parametrize("role", ["learner", "coordinator", "consultant"])
@pytest.mark.parametrize("path", ["/webinars/new", "/webinars/{id}/edit", "/webinars/{id}/cancel",
                                  "/webinars/{id}/registrations", "/webinars/{id}/registrations.csv"])
def test_admin_pages_are_forbidden_to_others(app, client, role, path):
    webinar = make_webinar()
    login_session(client, make_user(role))
    assert client.get(path.format(id=webinar.id)).status_code == 403


def test_pages_need_sign_in(app, client):
    webinar = make_webinar()
    for path in ("/webinars", f"/webinars/{webinar.id}", "/my/webinars"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_my_webinars_query_count_does_not_grow_with_rows(app, client, count_queries):
    user = make_user()
    login_session(client, user)

    def count_for(n):
        for i in range(n):
            upcoming = make_webinar(f"U{i}")
            past = make_webinar(f"P{i}", starts_at=utcnow() - timedelta(days=i + 1))
            make_registration(upcoming, user)
            make_registration(past, user, attended=bool(i % 2))
        with count_queries() as q:
            assert client.get("/my/webinars").status_code == 200
        db.session.query(WebinarRegistration).delete()
        db.session.query(Webinar).delete()
        db.session.commit()
        return q.count

    assert count_for(2) == count_for(20)
