"""Users and cities API (admin unless said), pagination and personal data."""
import json

from sqlalchemy import select

from action_lms.accounts.models import ApiToken, User
from action_lms.core.models import OutboxMessage

from ..factories import PASSWORD, make_city, make_user
from ..helpers import api_as, assert_envelope


def test_admin_creates_and_edits_a_city(client):
    admin = api_as(client, make_user("admin"))
    response = admin.post("/api/v1/cities", json={"name": "Ghent", "country": "be", "timezone": "Europe/Brussels"})
    assert response.status_code == 201
    city = response.get_json()
    assert city == {"id": city["id"], "name": "Ghent", "country": "BE", "timezone": "Europe/Brussels"}
    assert_envelope(admin.post("/api/v1/cities", json={"name": "ghent", "country": "BE", "timezone": "Europe/Brussels"}), 409)
    response = admin.patch(f"/api/v1/cities/{city['id']}", json={"timezone": "Europe/Paris"})
    assert response.get_json()["timezone"] == "Europe/Paris"
    assert admin.get(f"/api/v1/cities/{city['id']}").get_json()["timezone"] == "Europe/Paris"


def test_city_validation(client):
    admin = api_as(client, make_user("admin"))
    body = assert_envelope(admin.post("/api/v1/cities", json={"name": "X", "country": "Germany", "timezone": "Berlin"}), 422)
    assert set(body["errors"]) == {"country", "timezone"}
    body = assert_envelope(admin.post("/api/v1/cities", json={"name": "X", "country": "1!", "timezone": "Europe/Berlin"}), 422)
    assert "country" in body["errors"]
    assert_envelope(admin.get("/api/v1/cities/9999"), 404)


def test_cities_list_is_paginated_for_any_signed_in_user(client):
    for i in range(25):
        make_city(f"City {i:02d}")
    learner = api_as(client, make_user())
    response = learner.get("/api/v1/cities?page=2&page_size=10")
    assert response.status_code == 200
    assert [c["name"] for c in response.get_json()] == [f"City {i:02d}" for i in range(10, 20)]
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": 25, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 2,
        "previous_page": 1, "next_page": 3,
    }
    assert_envelope(learner.get("/api/v1/cities?page_size=101"), 422)
    assert_envelope(learner.get("/api/v1/cities?page=0"), 422)
    assert_envelope(api_as(client).get("/api/v1/cities"), 401)


def test_admin_creates_users_and_a_coordinator_needs_a_city(client):
    admin = api_as(client, make_user("admin"))
    body = assert_envelope(admin.post("/api/v1/users", json={"email": "c@example.org", "name": "C", "role": "coordinator"}), 422)
    assert "city_id" in body["errors"]
    city = make_city("Bologna", "IT", "Europe/Rome")
    response = admin.post("/api/v1/users", json={"email": "c@example.org", "name": "C", "role": "coordinator", "city_id": city.id})
    assert response.status_code == 201
    created = response.get_json()
    assert created["role"] == "coordinator" and created["timezone"] == "Europe/Rome"
    assert_envelope(admin.post("/api/v1/users", json={"email": "C@EXAMPLE.org", "name": "C", "role": "learner"}), 409)
    assert_envelope(admin.post("/api/v1/users", json={"email": "x@example.org", "name": "X", "role": "superuser"}), 422)


def test_users_list_filters_by_role_and_city(client):
    city = make_city()
    make_user("coordinator", city=city)
    make_user("learner", city=city)
    make_user("learner")
    admin = api_as(client, make_user("admin"))
    learners = admin.get("/api/v1/users?role=learner").get_json()
    assert len(learners) == 2 and {u["role"] for u in learners} == {"learner"}
    of_city = admin.get(f"/api/v1/users?city_id={city.id}").get_json()
    assert len(of_city) == 2 and {u["city"]["id"] for u in of_city} == {city.id}


def test_admin_patches_a_user_but_cannot_demote_or_deactivate_self(client):
    admin_user = make_user("admin")
    admin = api_as(client, admin_user)
    user = make_user()
    response = admin.patch(f"/api/v1/users/{user.id}", json={"role": "consultant", "timezone": "Europe/Athens"})
    assert response.status_code == 200 and response.get_json()["role"] == "consultant"
    assert_envelope(admin.patch(f"/api/v1/users/{admin_user.id}", json={"role": "learner"}), 409)
    assert_envelope(admin.patch(f"/api/v1/users/{admin_user.id}", json={"active": False}), 409)
    response = admin.patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.get_json()["active"] is False
    assert_envelope(client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}), 401)


def test_export_contains_everything_about_me(client):
    user = make_user(email="me@example.org")
    api = api_as(client, user)
    data = api.get("/api/v1/me/data").get_json()
    assert data["account"]["email"] == "me@example.org"
    assert len(data["api_tokens"]) == 1 and "token_hash" not in data["api_tokens"][0]
    assert "notifications" in data


def test_erasure_removes_personal_data_and_signs_out(client, session):
    city = make_city()
    user = make_user(email="me@example.org", name="Maria Rossi", city=city)
    api = api_as(client, user)
    assert api.delete("/api/v1/me").status_code == 204
    session.expire_all()
    erased = session.get(User, user.id)
    assert erased.email != "me@example.org" and erased.name == "Erased user"
    assert erased.password_hash is None and not erased.active
    assert erased.city_id == city.id  # aggregates per city are kept
    assert session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all() == []
    assert_envelope(api.get("/api/v1/me"), 401)
    assert_envelope(client.post("/api/v1/auth/login", json={"email": "me@example.org", "password": PASSWORD}), 401)
    # The address can be used again for a new account.
    assert client.post("/api/v1/auth/register", json={"email": "me@example.org", "password": "a-long-password", "name": "M"}).status_code == 201


def test_last_admin_cannot_erase_themselves(client):
    admin = api_as(client, make_user("admin"))
    body = assert_envelope(admin.delete("/api/v1/me"), 409)
    assert "administrator" in body["message"]
