"""Who may do what with practices: the policy table (every action x role), and the persona
x action matrix through the API and the pages (own city, other city, learners of the city,
consultants, someone waiting to join, anonymous)."""
from __future__ import annotations

import pytest

from action_lms.core.policy import ROLES
from action_lms.core.time import utcnow
from action_lms.practices import services

from ..factories import make_city, make_practice, make_user
from ..helpers import api_as
from .conftest import valid_body

POLICY = {
    "practice.list": set(ROLES),
    "practice.view": set(ROLES),
    "practice.create": {"coordinator", "admin"},
    "practice.edit": {"coordinator", "admin"},
    "practice.submit": {"coordinator", "admin"},
    "practice.review": {"admin"},
    "practice.own_city": {"coordinator"},
}


def test_policy_table_is_fully_covered():
    assert set(services.policy.rules) == set(POLICY)


@pytest.mark.parametrize("action", sorted(POLICY))
@pytest.mark.parametrize("role", ROLES)
def test_policy_table(role, action):
    class U:
        is_authenticated = True

    user = U()
    user.role = role
    assert services.policy.allows(user, action) is (role in POLICY[action])


@pytest.mark.parametrize("action", sorted(POLICY))
def test_anonymous_is_refused_every_action(action):
    class Anonymous:
        is_authenticated = False
        role = None

    assert services.policy.allows(Anonymous(), action) is False


PERSONAS = ("admin", "coordinator_own", "coordinator_other", "learner_own", "learner_other", "consultant", "pending",
            "anonymous")

# action: expected status per persona, in PERSONAS order. Every policy action has a row (see below).
MATRIX = {
    # practice.list / practice.view
    "list":              (200, 200, 200, 200, 200, 200, 200, 401),
    "view_published":    (200, 200, 200, 200, 200, 200, 200, 401),
    "view_draft":        (200, 200, 404, 404, 404, 404, 404, 401),
    "view_submitted":    (200, 200, 404, 404, 404, 404, 404, 401),
    "view_archived":     (200, 200, 404, 404, 404, 404, 404, 401),
    # practice.create: own city only for coordinators (a coordinator naming another city: 403)
    "create":            (201, 201, 403, 403, 403, 403, 403, 401),
    # practice.edit: roles that never edit 403; another city's draft is not even seen: 404
    "edit_draft":        (200, 200, 404, 403, 403, 403, 403, 401),
    "edit_published":    (200, 409, 403, 403, 403, 403, 403, 401),
    # practice.submit
    "submit_draft":      (200, 200, 404, 403, 403, 403, 403, 401),
    # practice.review
    "publish":           (200, 403, 403, 403, 403, 403, 403, 401),
    "send_back":         (200, 403, 403, 403, 403, 403, 403, 401),
    "archive":           (200, 403, 403, 403, 403, 403, 403, 401),
    "review_page":       (200, 403, 403, 403, 403, 403, 403, 302),
    # practice.own_city
    "mine_page":         (403, 200, 200, 403, 403, 403, 403, 302),
    # the pages of the list, view, create and edit actions
    "library_page":      (200, 200, 200, 200, 200, 200, 200, 302),
    "detail_page_draft": (200, 200, 404, 404, 404, 404, 404, 302),
    "new_page":          (200, 200, 200, 403, 403, 403, 403, 302),
    "edit_page_draft":   (200, 200, 404, 403, 403, 403, 403, 302),
    "edit_page_published": (200, 409, 403, 403, 403, 403, 403, 302),
}
ACTION_OF_ROW = {
    "list": "practice.list", "view_published": "practice.view", "create": "practice.create",
    "edit_draft": "practice.edit", "submit_draft": "practice.submit", "publish": "practice.review",
    "mine_page": "practice.own_city",
}


def test_every_policy_action_has_a_matrix_row():
    assert set(ACTION_OF_ROW.values()) == set(POLICY)
    assert set(ACTION_OF_ROW) <= set(MATRIX)


@pytest.fixture
def scene(app, session):
    own = make_city("Barcelona", "ES", "Europe/Madrid")
    other = make_city("Bologna", "IT", "Europe/Rome")
    pending = make_user("learner")
    pending.requested_city_id, pending.city_requested_at = own.id, utcnow()
    users = {
        "admin": make_user("admin"),
        "coordinator_own": make_user("coordinator", city=own),
        "coordinator_other": make_user("coordinator", city=other),
        "learner_own": make_user("learner", city=own),
        "learner_other": make_user("learner", city=other),
        "consultant": make_user("consultant"),
        "pending": pending,
        "anonymous": None,
    }
    practices = {status: make_practice(own, f"A {status} practice", status=status)
                 for status in ("draft", "submitted", "published", "archived")}
    return {"city": own, "users": users, "practices": practices}


def perform(client, api, action: str, scene: dict):
    p = scene["practices"]
    pages = {"headers": api.headers}
    if action == "list":
        return api.get("/api/v1/practices")
    if action.startswith("view_"):
        return api.get(f"/api/v1/practices/{p[action[5:]].id}")
    if action == "create":
        return api.post("/api/v1/practices", json=valid_body(city_id=scene["city"].id))
    if action == "edit_draft":
        return api.patch(f"/api/v1/practices/{p['draft'].id}", json={"title": "Renamed"})
    if action == "edit_published":
        return api.patch(f"/api/v1/practices/{p['published'].id}", json={"title": "Renamed"})
    if action == "submit_draft":
        return api.post(f"/api/v1/practices/{p['draft'].id}/submit")
    if action == "publish":
        return api.post(f"/api/v1/practices/{p['submitted'].id}/publish")
    if action == "send_back":
        return api.post(f"/api/v1/practices/{p['submitted'].id}/send-back", json={"comment": "Add the results."})
    if action == "archive":
        return api.post(f"/api/v1/practices/{p['published'].id}/archive")
    if action == "review_page":
        return client.get("/practices/review", **pages)
    if action == "mine_page":
        return client.get("/practices/mine", **pages)
    if action == "library_page":
        return client.get("/practices", **pages)
    if action == "detail_page_draft":
        return client.get(f"/practices/{p['draft'].id}", **pages)
    if action == "new_page":
        return client.get("/practices/new", **pages)
    if action == "edit_page_draft":
        return client.get(f"/practices/{p['draft'].id}/edit", **pages)
    if action == "edit_page_published":
        return client.get(f"/practices/{p['published'].id}/edit", **pages)
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, scene, persona, action):
    api = api_as(client, scene["users"][persona])
    response = perform(client, api, action, scene)
    expected = MATRIX[action][PERSONAS.index(persona)]
    assert response.status_code == expected, (persona, action, response.get_data(as_text=True)[:300])
