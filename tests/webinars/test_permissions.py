"""Who may do what: the policy table as a role x action matrix, and the same through the API."""
from datetime import timedelta

import pytest

from action_lms.core.policy import ROLES
from action_lms.core.time import utcnow
from action_lms.webinars.services import policy

from ..factories import make_registration, make_user, make_webinar
from ..helpers import api_as

ADMIN_ONLY = {"webinar.view_drafts", "webinar.create", "webinar.update", "webinar.cancel", "webinar.registrations",
              "webinar.attendance", "webinar.join_url_always"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(policy.rules))
def test_policy_matrix(app, role, action):
    user = make_user(role)
    expected = role == "admin" if action in ADMIN_ONLY else True
    assert policy.allows(user, action) is expected


def _api_matrix():
    # (name, method, path template, body, status for admin, status for any other role)
    return [
        ("create", "POST", "/api/v1/webinars", "create", 201, 403),
        ("update", "PATCH", "/api/v1/webinars/{id}", {"title": "Renamed"}, 200, 403),
        ("cancel", "POST", "/api/v1/webinars/{id}/cancel", {"reason": "No speaker"}, 200, 403),
        ("registrations", "GET", "/api/v1/webinars/{id}/registrations", None, 200, 403),
        ("csv", "GET", "/api/v1/webinars/{id}/registrations?format=csv", None, 200, 403),
        ("attendance", "POST", "/api/v1/webinars/{past}/attendance", {"user_ids": []}, 200, 403),
        ("list", "GET", "/api/v1/webinars", None, 200, 200),
        ("view", "GET", "/api/v1/webinars/{id}", None, 200, 200),
        ("view draft", "GET", "/api/v1/webinars/{draft}", None, 200, 404),
        ("register", "POST", "/api/v1/webinars/{id}/registrations", {}, 201, 201),
        ("calendar unregistered", "GET", "/api/v1/webinars/{id}/calendar.ics", None, 200, 403),
        ("calendar registered", "GET", "/api/v1/webinars/{mine}/calendar.ics", None, 200, 200),
        ("unregister", "DELETE", "/api/v1/webinars/{mine}/registrations/me", None, 204, 204),
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", _api_matrix(), ids=lambda c: c[0])
def test_api_matrix(app, client, role, case):
    name, method, template, body, admin_status, other_status = case
    user = make_user(role)
    webinar = make_webinar()
    draft = make_webinar(status="draft")
    past = make_webinar(starts_at=utcnow() - timedelta(days=1))
    mine = make_webinar()
    make_registration(mine, user)
    if body == "create":
        body = {"title": "New", "starts_at": (utcnow() + timedelta(days=3)).isoformat(), "duration_minutes": 60,
                "timezone": "Europe/Berlin", "capacity": 5, "join_url": "https://meet.example.org/n"}
    path = template.format(id=webinar.id, draft=draft.id, past=past.id, mine=mine.id)
    response = api_as(client, user).request(method, path, json=body)
    expected = admin_status if role == "admin" else other_status
    assert response.status_code == expected, (role, name, response.get_data(as_text=True))


@pytest.mark.parametrize("method,path", [("GET", "/api/v1/webinars"), ("POST", "/api/v1/webinars"),
                                         ("POST", "/api/v1/webinars/1/registrations"),
                                         ("GET", "/api/v1/webinars/1/calendar.ics")])
def test_anonymous_is_401(app, client, method, path):
    make_webinar()
    response = api_as(client).request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 401 and response.get_json()["code"] == 401
