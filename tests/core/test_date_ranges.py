"""Dates before 2000 or after 2100 are refused everywhere a date is taken, in the API and the
forms alike, with a 422 naming the field (core's `date_in_range`, called by the services).
Slots and availability: tests/consulting/test_date_range.py."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from action_lms.extensions import db
from action_lms.plans.models import Milestone
from action_lms.webinars.models import Webinar

from ..factories import make_city, make_plan, make_user, make_webinar
from ..helpers import api_as, assert_envelope, login_session

RANGE_MESSAGE = "Use a date between 2000 and 2100."


def webinar_body(**over):
    body = {"title": "Far away", "starts_at": "2030-03-01T10:00:00+01:00", "duration_minutes": 60,
            "timezone": "Europe/Berlin", "capacity": 10, "status": "published"}
    body.update(over)
    return body


@pytest.mark.parametrize("field, value", [
    ("starts_at", "2101-01-01T10:00:00+00:00"),
    ("starts_at", "2100-12-31T23:30:00-05:00"),   # 2101 in UTC
    ("starts_at", "9999-12-31T23:00:00+00:00"),
    ("registration_closes_at", "1999-12-31T10:00:00+00:00"),
])
def test_webinar_api_refuses_dates_outside_2000_2100(app, client, field, value):
    api = api_as(client, make_user("admin"))
    body = assert_envelope(api.post("/api/v1/webinars", json=webinar_body(**{field: value})), 422)
    assert body["errors"][field] == [RANGE_MESSAGE]
    webinar = make_webinar()
    body = assert_envelope(api.patch(f"/api/v1/webinars/{webinar.id}", json={field: value}), 422)
    assert field in body["errors"]


@pytest.mark.parametrize("field, value, error_id", [
    ("starts_local", "2101-03-01T10:00", "starts_local-error"),
    ("closes_local", "1999-03-01T10:00", "closes_local-error"),
])
def test_webinar_form_refuses_dates_outside_2000_2100(app, client, field, value, error_id):
    csrf = login_session(client, make_user("admin"))
    form = {"csrf_token": csrf, "title": "T", "starts_local": "2030-10-27T10:00", "timezone": "Europe/Berlin",
            "duration_minutes": "60", "capacity": "10", "status": "published", "join_url": "", field: value}
    response = client.post("/webinars/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{error_id}"' in html and RANGE_MESSAGE in html
    assert db.session.scalar(select(Webinar)) is None


@pytest.mark.parametrize("due", ["2101-01-01", "1999-12-31", "9999-12-31"])
def test_milestone_due_date_outside_2000_2100_is_refused_in_api_and_form(client, session, due):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city)
    plan = make_plan(city)
    url = f"/api/v1/plans/{plan.id}/milestones/political_mandate"
    body = assert_envelope(api_as(client, coordinator).patch(url, json={"due_date": due}), 422)
    assert body["errors"]["due_date"] == [RANGE_MESSAGE] and "due_date" in body["message"]

    csrf = login_session(client, coordinator)
    response = client.post(f"/plans/{plan.id}/milestones/political_mandate", data={
        "csrf_token": csrf, "political_mandate-status": "in_progress", "political_mandate-due_date": due})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="political_mandate-due_date-error"' in html and RANGE_MESSAGE in html
    db.session.expire_all()
    assert session.scalar(select(Milestone.due_date).where(Milestone.key == "political_mandate")) is None


def test_dates_at_the_edges_of_the_range_are_accepted(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    api = api_as(client, make_user("coordinator", city=city))
    plan = make_plan(city)
    url = f"/api/v1/plans/{plan.id}/milestones/political_mandate"
    assert api.patch(url, json={"due_date": "2100-12-31"}).status_code == 200
    assert api.patch(url, json={"due_date": "2000-01-01"}).status_code == 200
