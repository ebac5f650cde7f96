"""Sessions end on the server: a copied cookie stops working after logout, password
changes and resets end other sessions (resets also revoke tokens), deactivation ends
everything, and a bearer request is authenticated by its token alone."""
from __future__ import annotations

import re

from sqlalchemy import select

from action_lms.accounts.models import User, UserSession
from action_lms.core.models import OutboxMessage

from ..factories import PASSWORD, make_token, make_user
from ..helpers import api_as, assert_envelope, csrf_from, login_session

NEW_PASSWORD = "a-brand-new-password"


def api_login(client, user, password=PASSWORD):
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def copy_of(client):
    """Another browser holding a copy of this client's session cookie."""
    other = client.application.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_copied_before_logout_stops_working(client):
    user = make_user()
    csrf = api_login(client, user)
    thief = copy_of(client)
    assert thief.get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf}).status_code == 204
    assert_envelope(thief.get("/api/v1/me"), 401)


def test_signing_out_of_the_pages_ends_the_session_on_the_server(client, session):
    user = make_user()
    login_session(client, user)
    thief = copy_of(client)
    assert thief.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    assert thief.get("/account").status_code == 302  # to the sign-in page
    session.commit()
    assert session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_a_password_change_ends_every_other_session_but_keeps_tokens(client):
    user = make_user()
    token = make_token(user)
    csrf = login_session(client, user)
    elsewhere = client.application.test_client()
    api_login(elsewhere, user)
    response = client.post("/account/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                       "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "signed out everywhere else" in client.get("/account").get_data(as_text=True)
    assert_envelope(elsewhere.get("/api/v1/me"), 401)
    assert client.get("/api/v1/me").status_code == 200  # the browser that changed it stays in
    assert client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_password_reset_ends_every_session_and_revokes_every_token(client, session):
    user = make_user(email="lea@example.org")
    token = make_token(user)
    api_login(client, user)
    anonymous = client.application.test_client()
    anonymous.post("/api/v1/auth/password-reset", json={"email": "lea@example.org"})
    session.commit()
    body = session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "password_reset"))
    reset_token = re.search(r"/password/reset/(\S+)", body).group(1)
    assert anonymous.post("/api/v1/auth/password-reset/confirm",
                          json={"token": reset_token, "password": NEW_PASSWORD}).status_code == 204
    assert_envelope(client.get("/api/v1/me"), 401)
    assert_envelope(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_deactivating_a_user_ends_all_their_sessions_and_tokens(client, session):
    user = make_user()
    admin = make_user("admin")
    token = make_token(user)
    api_login(client, user)
    assert api_as(client.application.test_client(), admin).patch(f"/api/v1/users/{user.id}",
                                                                 json={"active": False}).status_code == 200
    assert api_as(client.application.test_client(), admin).patch(f"/api/v1/users/{user.id}",
                                                                 json={"active": True}).status_code == 200
    # Active again, but the old session and the old token were ended, not just paused.
    assert_envelope(client.get("/api/v1/me"), 401)
    assert_envelope(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_revoke_ends_all_other_sessions(client):
    user = make_user()
    csrf = api_login(client, user)
    phone = client.application.test_client()
    api_login(phone, user)
    listed = client.get("/api/v1/me/sessions").get_json()
    assert len(listed) == 2 and sum(1 for s in listed if s["current"]) == 1
    response = client.post("/api/v1/me/sessions/revoke", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200 and response.get_json() == {"ended": 1}
    assert_envelope(phone.get("/api/v1/me"), 401)
    assert client.get("/api/v1/me").status_code == 200


def test_account_page_button_signs_out_everywhere_else(client):
    user = make_user()
    csrf = login_session(client, user)
    phone = client.application.test_client()
    api_login(phone, user)
    page = client.get("/account").get_data(as_text=True)
    assert "Sign out everywhere else" in page and "this browser" in page
    response = client.post("/account/sessions/revoke", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert "Signed out of 1 other session." in client.get("/account").get_data(as_text=True)
    assert_envelope(phone.get("/api/v1/me"), 401)


def test_a_bearer_header_means_the_token_alone_counts(client, session):
    """A cookie plus `Bearer junk` used to skip CSRF and act as the cookie's user."""
    user = make_user(name="Lea")
    api_login(client, user)
    junk = {"Authorization": "Bearer junk"}
    assert_envelope(client.get("/api/v1/me", headers=junk), 401)
    assert_envelope(client.patch("/api/v1/me", json={"name": "Forged"}, headers=junk), 401)
    session.commit()
    assert session.get(User, user.id).name == "Lea"
    # A valid token is someone else's identity: the cookie does not leak into it.
    other = make_user(name="Other")
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token(other)}"}).get_json()
    assert body["id"] == other.id


def test_erasing_the_account_removes_its_sessions(client, session):
    user = make_user()
    csrf = api_login(client, user)
    assert client.delete("/api/v1/me", headers={"X-CSRFToken": csrf}).status_code == 204
    session.commit()
    assert session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_personal_data_export_lists_sessions(client):
    user = make_user()
    api_login(client, user)
    data = client.get("/api/v1/me/data").get_json()
    assert len(data["sessions"]) == 1 and "user_agent" in data["sessions"][0]
