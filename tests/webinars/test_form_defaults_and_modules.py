"""The registration deadline's default (1 hour before the start, the setting
WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE) and the picker of real course modules, through
the API and the webinar form."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.webinars.models import Webinar

from ..factories import make_course, make_user, make_webinar
from ..helpers import api_as, assert_envelope, login_session

UTC = ZoneInfo("UTC")


def future(days=7, hours=0):
    return (utcnow() + timedelta(days=days, hours=hours)).replace(microsecond=0)


def payload(**over):
    data = {"title": "Baseline data clinic", "starts_at": future().isoformat(), "duration_minutes": 60,
            "timezone": "Europe/Lisbon", "capacity": 10, "status": "published"}
    data.update(over)
    return data


def form_data(csrf, **over):
    data = {"csrf_token": csrf, "title": "Baseline data clinic", "description": "", "starts_local": "2030-10-27T10:00",
            "timezone": "Europe/Lisbon", "duration_minutes": "90", "capacity": "25", "closes_local": "",
            "join_url": "", "status": "published"}
    data.update(over)
    return data


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def courses(app, tmp_path):
    """Two published courses (modules `basics` and `advanced` each) and an unpublished one."""
    return (make_course(tmp_path, slug="plans-basics", title="Plans, the basics"),
            make_course(tmp_path, slug="monitoring", title="Monitoring a plan"),
            make_course(tmp_path, slug="hidden-course", title="Not yet published", published=False))


# ---------------------------------------------------------------- registration deadline

def test_api_without_a_deadline_closes_registration_one_hour_before_the_start(app, client):
    starts = future()
    response = api_as(client, make_user("admin")).post("/api/v1/webinars", json=payload(starts_at=starts.isoformat()))
    assert response.status_code == 201, response.get_json()
    assert parse(response.get_json()["registration_closes_at"]) == starts - timedelta(hours=1)
    assert db.session.scalar(select(Webinar.registration_closes_at)) == starts - timedelta(hours=1)


def test_the_default_deadline_follows_the_setting(app, client):
    app.config["WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE"] = 24 * 60
    starts = future()
    response = api_as(client, make_user("admin")).post("/api/v1/webinars", json=payload(starts_at=starts.isoformat()))
    assert parse(response.get_json()["registration_closes_at"]) == starts - timedelta(days=1)


def test_an_explicit_deadline_is_kept_and_one_after_the_start_refused(app, client):
    """The default applies only when no deadline is given; the start remains the latest one."""
    api = api_as(client, make_user("admin"))
    starts = future()
    closes = starts - timedelta(minutes=5)
    plain = api.post("/api/v1/webinars", json=payload(starts_at=starts.isoformat())).get_json()
    assert parse(plain["registration_closes_at"]) == starts - timedelta(hours=1)
    response = api.post("/api/v1/webinars", json=payload(starts_at=starts.isoformat(), registration_closes_at=closes.isoformat()))
    assert response.status_code == 201, response.get_json()
    assert parse(response.get_json()["registration_closes_at"]) == closes
    late = (starts + timedelta(minutes=1)).isoformat()
    body = assert_envelope(api.post("/api/v1/webinars", json=payload(starts_at=starts.isoformat(), registration_closes_at=late)), 422)
    assert "registration_closes_at" in body["errors"]


def test_a_default_deadline_moves_with_the_start_and_an_explicit_one_stays(app, client):
    api = api_as(client, make_user("admin"))
    starts = future()
    default_id = api.post("/api/v1/webinars", json=payload(starts_at=starts.isoformat())).get_json()["id"]
    fixed = starts - timedelta(days=2)
    fixed_id = api.post("/api/v1/webinars", json=payload(starts_at=starts.isoformat(),
                                                         registration_closes_at=fixed.isoformat())).get_json()["id"]
    later = starts + timedelta(days=3)
    moved = api.patch(f"/api/v1/webinars/{default_id}", json={"starts_at": later.isoformat()}).get_json()
    assert parse(moved["registration_closes_at"]) == later - timedelta(hours=1)
    kept = api.patch(f"/api/v1/webinars/{fixed_id}", json={"starts_at": later.isoformat()}).get_json()
    assert parse(kept["registration_closes_at"]) == fixed
    back = api.patch(f"/api/v1/webinars/{fixed_id}", json={"registration_closes_at": None}).get_json()
    assert parse(back["registration_closes_at"]) == later - timedelta(hours=1)


def test_form_without_a_deadline_applies_the_default_and_says_so(app, client):
    csrf = login_session(client, make_user("admin", timezone="Europe/Berlin"))
    html = client.get("/webinars/new").get_data(as_text=True)
    assert "Empty: registration closes 1 hour before the start." in html
    assert client.post("/webinars/new", data=form_data(csrf)).status_code == 302
    webinar = db.session.scalar(select(Webinar))
    # 27 Oct 2030, 10:00 in Lisbon (WET) is 10:00 UTC: registration closes at 09:00 UTC.
    assert webinar.registration_closes_at == datetime(2030, 10, 27, 9, 0, tzinfo=UTC)
    edit = client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    assert 'name="closes_local" type="datetime-local" value=""' in edit  # the default stays the default
    app.config["WEBINAR_REGISTRATION_CLOSES_MINUTES_BEFORE"] = 30
    assert "Empty: registration closes 30 minutes before the start." in client.get("/webinars/new").get_data(as_text=True)


def test_form_keeps_an_explicit_deadline_and_refuses_one_after_the_start(app, client):
    csrf = login_session(client, make_user("admin"))
    assert client.post("/webinars/new", data=form_data(csrf, closes_local="2030-10-26T18:00")).status_code == 302
    webinar = db.session.scalar(select(Webinar))
    # The one field the office left empty on the same form gets the default, not the start.
    assert client.post("/webinars/new", data=form_data(csrf, title="No deadline")).status_code == 302
    plain = db.session.scalar(select(Webinar).where(Webinar.title == "No deadline"))
    assert plain.registration_closes_at == datetime(2030, 10, 27, 9, 0, tzinfo=UTC)
    assert webinar.registration_closes_at == datetime(2030, 10, 26, 17, 0, tzinfo=UTC)  # 18:00 WEST
    assert 'value="2030-10-26T18:00"' in client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    response = client.post("/webinars/new", data=form_data(csrf, closes_local="2030-10-27T10:30"))
    assert response.status_code == 422
    assert 'id="closes_local-error"' in response.get_data(as_text=True)


# ---------------------------------------------------------------- related course modules

def test_api_accepts_real_module_keys_and_refuses_an_unknown_one(app, client, courses):
    api = api_as(client, make_user("admin"))
    ok = api.post("/api/v1/webinars", json=payload(course_module_keys=["monitoring/advanced", "plans-basics/basics"]))
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["course_module_keys"] == ["monitoring/advanced", "plans-basics/basics"]
    for bad in (["action-plans/module-1"], ["basics"], ["hidden-course/basics"]):
        body = assert_envelope(api.post("/api/v1/webinars", json=payload(course_module_keys=bad)), 422)
        assert "course_module_keys" in body["errors"], body
        assert bad[0] in str(body["errors"]["course_module_keys"])
    webinar_id = ok.get_json()["id"]
    body = assert_envelope(api.patch(f"/api/v1/webinars/{webinar_id}", json={"course_module_keys": ["nope/nope"]}), 422)
    assert "course_module_keys" in body["errors"]
    assert db.session.scalar(select(Webinar.course_module_keys).where(Webinar.id == webinar_id)) == [
        "monitoring/advanced", "plans-basics/basics"]


def test_picker_lists_real_modules_by_course_and_saves_the_ticked_ones(app, client, courses):
    csrf = login_session(client, make_user("admin"))
    html = client.get("/webinars/new").get_data(as_text=True)
    for key in ("plans-basics/basics", "plans-basics/advanced", "monitoring/basics", "monitoring/advanced"):
        assert f'type="checkbox" value="{key}"' in html
    assert "hidden-course/" not in html and "Not yet published" not in html
    # Grouped by course (by title: "Monitoring a plan" before "Plans, the basics"), titled by module.
    assert html.index("Monitoring a plan") < html.index("Plans, the basics")
    assert "The basics" in html and "Going further" in html
    assert "Module keys separated by commas" not in html
    response = client.post("/webinars/new", data=form_data(csrf, course_module_keys=["plans-basics/advanced", "monitoring/basics"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    webinar = db.session.scalar(select(Webinar))
    assert webinar.course_module_keys == ["plans-basics/advanced", "monitoring/basics"]
    edit = client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    assert _checked(edit, "plans-basics/advanced") and _checked(edit, "monitoring/basics")
    assert not _checked(edit, "monitoring/advanced") and not _checked(edit, "plans-basics/basics")


def _checked(html: str, value: str) -> bool:
    tag = re.search(r'<input[^>]*value="' + re.escape(value) + r'"[^>]*>', html)
    return tag is not None and "checked" in tag.group(0)


def test_form_rerenders_with_the_error_on_an_unknown_module_key(app, client, courses):
    csrf = login_session(client, make_user("admin"))
    response = client.post("/webinars/new", data=form_data(csrf, course_module_keys=["plans-basics/basics", "made/up"]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="course_module_keys-error"' in html and "made/up" in html
    assert _checked(html, "plans-basics/basics")  # what was ticked stays ticked
    assert db.session.scalar(select(Webinar)) is None


def test_webinar_page_shows_module_titles_linking_to_the_course(app, client, courses):
    webinar = make_webinar("Monitoring clinic", course_module_keys=["monitoring/advanced", "plans-basics/basics"])
    login_session(client, make_user())
    html = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert "Related course modules" in html
    assert '<a href="/courses/monitoring">Going further</a>' in html
    assert '<a href="/courses/plans-basics">The basics</a>' in html
    assert "Monitoring a plan" in html and "monitoring/advanced" not in html
