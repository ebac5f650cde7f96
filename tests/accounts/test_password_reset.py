"""Password reset by e-mailed link: same answer for unknown addresses, one use, expiry."""
import re

from sqlalchemy import select

from action_lms.accounts import services
from action_lms.core.models import OutboxMessage

from ..factories import PASSWORD, make_user
from ..helpers import assert_envelope, csrf_from


def reset_link(session) -> str:
    body = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).one().body_text
    return re.search(r"http://lms.test(/password/reset/\S+)", body).group(1)


def test_reset_by_api_then_sign_in_with_the_new_password(client, session):
    make_user(email="lea@example.org")
    assert client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"}).status_code == 202
    assert client.post("/api/v1/auth/password-reset", json={"email": "LEA@example.org"}).status_code == 202
    path = reset_link(session)  # exactly one message: none for the unknown address
    token = path.rsplit("/", 1)[1]
    assert client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "brand-new-password"}).status_code == 204
    assert client.post("/api/v1/auth/login", json={"email": "lea@example.org", "password": "brand-new-password"}).status_code == 200
    assert_envelope(client.application.test_client().post("/api/v1/auth/login", json={"email": "lea@example.org", "password": PASSWORD}), 401)
    # The link works once.
    body = assert_envelope(client.application.test_client().post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "another-password"}), 422)
    assert "already been used" in body["message"]


def test_tampered_and_expired_links_are_refused(app, client, session, monkeypatch):
    make_user(email="lea@example.org")
    client.post("/api/v1/auth/password-reset", json={"email": "lea@example.org"})
    token = reset_link(session).rsplit("/", 1)[1]
    assert_envelope(client.post("/api/v1/auth/password-reset/confirm", json={"token": token[:-2] + "xx", "password": "brand-new-password"}), 422)
    monkeypatch.setattr(services.signin, "PASSWORD_RESET_MAX_AGE", -1)
    body = assert_envelope(client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "brand-new-password"}), 422)
    assert "expired" in body["message"]


def test_reset_through_the_pages(client, session):
    make_user(email="lea@example.org")
    csrf = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    response = client.post("/password/forgot", data={"email": "lea@example.org", "csrf_token": csrf})
    assert response.status_code == 302
    path = reset_link(session)
    page = client.get(path)
    assert page.status_code == 200
    csrf = csrf_from(page.get_data(as_text=True))
    response = client.post(path, data={"password": "short", "csrf_token": csrf})
    assert response.status_code == 422 and "at least 10" in response.get_data(as_text=True)
    response = client.post(path, data={"password": "brand-new-password", "csrf_token": csrf})
    assert response.status_code == 302
    assert client.get(path).status_code == 302  # used: back to the request form
