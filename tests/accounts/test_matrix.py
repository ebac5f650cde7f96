"""Role x action matrix for the accounts policy, checked through the API."""
import pytest

from action_lms.accounts.services import policy

from ..factories import make_city, make_user
from ..helpers import api_as

ROLES = ["anonymous", "learner", "coordinator", "consultant", "admin"]

# (action, method, path template, body) -> roles allowed
CASES = [
    ("city.list", "GET", "/api/v1/cities", None),
    ("city.view", "GET", "/api/v1/cities/{city}", None),
    ("city.create", "POST", "/api/v1/cities", {"name": "New City", "country": "FR", "timezone": "Europe/Paris"}),
    ("city.update", "PATCH", "/api/v1/cities/{city}", {"timezone": "Europe/Paris"}),
    ("user.list", "GET", "/api/v1/users", None),
    ("user.view", "GET", "/api/v1/users/{user}", None),
    ("user.create", "POST", "/api/v1/users", {"email": "new@example.org", "name": "N", "role": "learner"}),
    ("user.update", "PATCH", "/api/v1/users/{user}", {"name": "Renamed"}),
    ("me.view", "GET", "/api/v1/me", None),
    ("me.update", "PATCH", "/api/v1/me", {"name": "Me"}),
    ("me.export", "GET", "/api/v1/me/data", None),
    ("token.manage_own", "GET", "/api/v1/auth/tokens", None),
    ("session.manage_own", "POST", "/api/v1/me/sessions/revoke", None),
    ("membership.request", "POST", "/api/v1/me/city-request", {"city_id": "{city}"}),
    # The coordinator of the matrix belongs to {city}; other cities' coordinators: test_membership.py.
    ("membership.decide", "GET", "/api/v1/cities/{city}/join-requests", None),
]


def test_every_policy_action_has_a_matrix_row():
    assert {c[0] for c in CASES} | {"me.erase"} == set(policy.rules)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action,method,path,body", CASES, ids=[c[0] for c in CASES])
def test_matrix(client, role, action, method, path, body):
    city = make_city()
    target = make_user()
    actor = None if role == "anonymous" else make_user(role, city=city if role == "coordinator" else None)
    api = api_as(client, actor)
    if body is not None:
        body = {k: (city.id if v == "{city}" else v) for k, v in body.items()}
    response = api.request(method, path.format(city=city.id, user=target.id), json=body)
    allowed = role != "anonymous" and role in policy.rules[action]
    if role == "anonymous":
        assert response.status_code == 401
    elif allowed:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
