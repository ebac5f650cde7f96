"""The per-e-mail limit keys on exactly the address sign-in looks up: variants of one
address (case, full-width letters in the domain, which IDNA folds) share one budget, for
sign-in (API and page), token creation, password reset and registration."""
from __future__ import annotations

import pytest

from ..factories import PASSWORD, make_user
from ..helpers import assert_envelope, csrf_from

ADDRESS = "demo@demo.action-lms.eu"
VARIANTS = ["demo@demｏ.action-lms.eu", "DEMO@ＤＥＭＯ.Action-LMS.eu", " Demo@demo.action-lms.EU "]


def from_ip(n: int) -> dict:
    """Every attempt from its own address, so only the per-e-mail limit can refuse it."""
    return {"REMOTE_ADDR": f"10.0.0.{n}"}


@pytest.fixture
def limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        make_user(email=ADDRESS)
    return app


def test_full_width_variants_share_the_login_budget_and_cannot_sign_in(limited):
    client = limited.test_client()
    for n in range(3):
        response = client.post("/api/v1/auth/login", json={"email": ADDRESS, "password": "wrong-password"},
                               environ_base=from_ip(n))
        assert response.status_code == 401
    for n, variant in enumerate(VARIANTS, start=10):
        response = client.post("/api/v1/auth/login", json={"email": variant, "password": PASSWORD},
                               environ_base=from_ip(n))
        assert_envelope(response, 429)


def test_the_sign_in_page_shares_the_budget(limited):
    client = limited.test_client()
    for n in range(3):
        client.post("/api/v1/auth/login", json={"email": VARIANTS[n], "password": "wrong-password"},
                    environ_base=from_ip(n))
    token = csrf_from(client.get("/login", environ_base=from_ip(20)).get_data(as_text=True))
    response = client.post("/login", data={"email": ADDRESS, "password": PASSWORD, "csrf_token": token},
                           environ_base=from_ip(20))
    assert response.status_code == 429


@pytest.mark.parametrize("path,body", [
    ("/api/v1/auth/tokens", {"password": "wrong-password"}),
    ("/api/v1/auth/password-reset", {}),
    ("/api/v1/auth/register", {"password": "long-enough-pw", "name": "Again"}),
])
def test_tokens_reset_and_registration_share_one_budget_per_address(limited, path, body):
    client = limited.test_client()
    for n in range(3):
        client.post(path, json={"email": VARIANTS[n % len(VARIANTS)], **body}, environ_base=from_ip(n))
    assert_envelope(client.post(path, json={"email": ADDRESS, **body}, environ_base=from_ip(30)), 429)
