"""Who may do what with plans: the policy table, and the role x action matrix through the
API (own city, other city, consultants through the consulting hook, anonymous)."""
import pytest

from action_lms.core.hooks import contributions
from action_lms.core.policy import ROLES
from action_lms.plans import services

from ..factories import make_city, make_plan, make_user
from ..helpers import api_as

POLICY = {
    "template.view": set(ROLES),
    "plan.list": set(ROLES),
    "plan.view": set(ROLES),
    "plan.create": {"coordinator", "admin"},
    "plan.update": {"coordinator", "admin"},
    "milestone.update": {"coordinator", "admin"},
    "history.view": set(ROLES),
    "plans.all": {"admin"},
    "overview.view": {"admin"},
    "dashboard.view": set(ROLES),
}


@pytest.mark.parametrize("action", sorted(POLICY))
@pytest.mark.parametrize("role", ROLES)
def test_policy_table(role, action):
    class U:
        is_authenticated = True

    user = U()
    user.role = role
    assert services.policy.allows(user, action) is (role in POLICY[action])


def test_policy_table_is_fully_covered():
    assert set(services.policy.rules) == set(POLICY)


PERSONAS = ("admin", "coordinator_own", "coordinator_other", "learner_own", "learner_other", "consultant",
            "consultant_booked", "anonymous")

# action: expected status per persona, in PERSONAS order
MATRIX = {
    "template":       (200, 200, 200, 200, 200, 200, 200, 401),
    "list":           (200, 200, 403, 200, 403, 403, 200, 401),
    "create":         (201, 201, 403, 403, 403, 403, 403, 401),
    "view":           (200, 200, 404, 200, 404, 404, 200, 401),
    # roles that never edit get 403; a coordinator of another city does not see the plan: 404
    "edit_milestone": (200, 200, 404, 403, 403, 403, 403, 401),
    "edit_plan":      (200, 200, 404, 403, 403, 403, 403, 401),
    "history":        (200, 200, 404, 200, 404, 404, 200, 401),
    "overview":       (200, 403, 403, 403, 403, 403, 403, 401),
    "all_plans_page": (200, 403, 403, 403, 403, 403, 403, 302),
    "plan_page":      (200, 200, 404, 200, 404, 404, 200, 302),
    "overview_page":  (200, 403, 403, 403, 403, 403, 403, 302),
}


@pytest.fixture
def world(app, session):
    own = make_city("Graz", "AT", "Europe/Vienna")
    other = make_city("Ghent", "BE", "Europe/Brussels")
    plan = make_plan(own)
    users = {
        "admin": make_user("admin"),
        "coordinator_own": make_user("coordinator", city=own),
        "coordinator_other": make_user("coordinator", city=other),
        "learner_own": make_user("learner", city=own),
        "learner_other": make_user("learner", city=other),
        "consultant": make_user("consultant"),
        "consultant_booked": make_user("consultant"),
        "anonymous": None,
    }
    booked_id = users["consultant_booked"].id
    own_id = own.id

    def has_booking(user, city_id):  # what consulting registers: bookings with the city
        return user.id == booked_id and city_id == own_id

    viewers = contributions(app).city_viewers  # this test's app only
    viewers.clear()
    viewers.append(has_booking)
    yield {"city": own, "plan": plan, "users": users}


def perform(client, api, action, city_id, plan_id):
    if action == "template":
        return api.get("/api/v1/milestone-templates")
    if action == "list":
        return api.get(f"/api/v1/cities/{city_id}/plans")
    if action == "create":
        return api.post(f"/api/v1/cities/{city_id}/plans", json={"title": "New plan", "focus": "All"})
    if action == "view":
        return api.get(f"/api/v1/plans/{plan_id}")
    if action == "edit_milestone":
        return api.patch(f"/api/v1/plans/{plan_id}/milestones/adoption", json={"owner": "Council office"})
    if action == "edit_plan":
        return api.patch(f"/api/v1/plans/{plan_id}", json={"title": "Renamed plan"})
    if action == "history":
        return api.get(f"/api/v1/plans/{plan_id}/history")
    if action == "overview":
        return api.get("/api/v1/progress/cities")
    if action == "all_plans_page":
        return client.get("/plans", headers=api.headers)
    if action == "plan_page":
        return client.get(f"/plans/{plan_id}", headers=api.headers)
    if action == "overview_page":
        return client.get("/progress/cities", headers=api.headers)
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, world, persona, action):
    user = world["users"][persona]
    api = api_as(client, user)
    response = perform(client, api, action, world["city"].id, world["plan"].id)
    expected = MATRIX[action][PERSONAS.index(persona)]
    assert response.status_code == expected, (persona, action, response.get_data(as_text=True)[:300])
