"""Authentication API: register, login, logout, tokens, CSRF, rate limits (API.md)."""
from sqlalchemy import select

from action_lms.accounts.models import ApiToken, User
from action_lms.core.models import OutboxMessage

from ..factories import PASSWORD, make_city, make_user
from ..helpers import ApiClient, api_as, assert_envelope


def register(client, **overrides):
    payload = {"email": "Ana.Lopez@Example.org", "password": "a-long-password", "name": "Ana López"}
    payload.update(overrides)
    return client.post("/api/v1/auth/register", json=payload)


def test_register_creates_a_learner_and_queues_a_welcome_email(client, session):
    city = make_city("Barcelona", "ES", "Europe/Madrid")
    response = register(client, city_id=city.id)
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "learner"
    assert body["email"] == "ana.lopez@example.org"
    assert body["timezone"] == "Europe/Madrid"  # defaults to the city's zone
    assert body["city"]["name"] == "Barcelona"
    assert "password" not in body and "password_hash" not in body
    mail = session.scalars(select(OutboxMessage)).all()
    assert [m.kind for m in mail] == ["welcome"]
    assert "Ana López" in mail[0].body_text


def test_register_refuses_duplicate_email_case_insensitively(client):
    assert register(client).status_code == 201
    body = assert_envelope(register(client, email="ANA.LOPEZ@example.ORG"), 409)
    assert "already exists" in body["message"]


def test_register_validation_errors_name_the_fields(client):
    body = assert_envelope(register(client, password="short", timezone="Mars/Olympus"), 422)
    assert set(body["errors"]) == {"password", "timezone"}
    body = assert_envelope(register(client, email="not-an-email"), 422)
    assert "email" in body["errors"]
    body = assert_envelope(register(client, city_id=999), 422)
    assert "city_id" in body["errors"]


def test_register_cannot_choose_a_role(client):
    body = assert_envelope(register(client, role="admin"), 422)
    assert "role" in body["errors"]


def test_login_sets_a_session_and_logout_ends_it(client):
    user = make_user(email="lea@example.org")
    response = client.post("/api/v1/auth/login", json={"email": "LEA@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/v1/me").get_json()["email"] == "lea@example.org"
    csrf = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf}).status_code == 204
    assert_envelope(client.get("/api/v1/me"), 401)


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    make_user(email="lea@example.org")
    wrong = assert_envelope(client.post("/api/v1/auth/login", json={"email": "lea@example.org", "password": "nope-nope-nope"}), 401)
    unknown = assert_envelope(client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "nope-nope-nope"}), 401)
    assert wrong == unknown


def test_inactive_user_cannot_sign_in(client):
    make_user(email="gone@example.org", active=False)
    assert_envelope(client.post("/api/v1/auth/login", json={"email": "gone@example.org", "password": PASSWORD}), 401)


def test_token_is_shown_once_stored_hashed_and_revocable(client, session):
    user = make_user(email="script@example.org")
    response = client.post("/api/v1/auth/tokens", json={"email": "script@example.org", "password": PASSWORD, "name": "report"})
    assert response.status_code == 201
    body = response.get_json()
    plain = body["token"]
    assert body["name"] == "report" and body["created_at"].endswith("Z")
    row = session.scalars(select(ApiToken)).one()
    assert plain not in (row.token_hash, row.prefix) and len(row.token_hash) == 64

    api = ApiClient(client, plain)
    me = api.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    listed = api.get("/api/v1/auth/tokens").get_json()
    assert listed[0]["name"] == "report" and "token" not in listed[0]
    assert api.delete(f"/api/v1/auth/tokens/{body['id']}").status_code == 204
    assert_envelope(api.get("/api/v1/me"), 401)


def test_token_creation_needs_the_right_password(client):
    make_user(email="script@example.org")
    assert_envelope(client.post("/api/v1/auth/tokens", json={"email": "script@example.org", "password": "wrong-password"}), 401)


def test_cannot_revoke_someone_elses_token(client):
    owner, other = make_user(), make_user()
    api_as(client, owner)
    owner_token_id = owner.tokens[0].id
    assert_envelope(api_as(client, other).delete(f"/api/v1/auth/tokens/{owner_token_id}"), 404)


def test_cookie_writes_need_csrf_but_bearer_writes_do_not(client):
    user = make_user(email="lea@example.org")
    client.post("/api/v1/auth/login", json={"email": "lea@example.org", "password": PASSWORD})
    body = assert_envelope(client.patch("/api/v1/me", json={"name": "Lea"}), 400)
    assert "CSRF" in body["message"]
    csrf = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    assert client.patch("/api/v1/me", json={"name": "Lea"}, headers={"X-CSRFToken": csrf}).status_code == 200
    other_client = client.application.test_client()
    assert api_as(other_client, user).patch("/api/v1/me", json={"name": "Lea B."}).status_code == 200


def test_login_and_token_creation_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        make_user(email="lea@example.org")
    for _ in range(3):
        assert client.post("/api/v1/auth/login", json={"email": "lea@example.org", "password": "wrong-password"}).status_code == 401
    body = assert_envelope(client.post("/api/v1/auth/login", json={"email": "lea@example.org", "password": PASSWORD}), 429)
    assert "Too many" in body["message"]
    # The same e-mail from another address is limited too (per e-mail key).
    other_ip = {"REMOTE_ADDR": "10.1.2.3"}
    r = client.post("/api/v1/auth/tokens", json={"email": "lea@example.org", "password": PASSWORD}, environ_base=other_ip)
    assert r.status_code in (201, 429)
    for _ in range(3):
        r = client.post("/api/v1/auth/tokens", json={"email": "lea@example.org", "password": "x" * 10}, environ_base=other_ip)
    assert_envelope(r, 429)


def test_me_patch_changes_name_and_timezone(client):
    user = make_user()
    api = api_as(client, user)
    response = api.patch("/api/v1/me", json={"timezone": "Europe/Lisbon", "name": "New Name"})
    assert response.status_code == 200
    assert response.get_json()["timezone"] == "Europe/Lisbon"
    assert_envelope(api.patch("/api/v1/me", json={"timezone": "Nowhere/City"}), 422)


def test_me_payload_has_the_contract_fields(client):
    city = make_city("Graz", "AT", "Europe/Vienna")
    user = make_user(role="coordinator", city=city)
    body = api_as(client, user).get("/api/v1/me").get_json()
    assert {"id", "email", "name", "role", "timezone", "city"} <= set(body)
    assert body["city"] == {"id": city.id, "name": "Graz", "country": "AT", "timezone": "Europe/Vienna"}
    assert body["role"] == "coordinator"


def test_session_is_renewed_on_login(client):
    """No session fixation: data planted in the session before login does not survive it."""
    make_user(email="lea@example.org")
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    client.post("/api/v1/auth/login", json={"email": "lea@example.org", "password": PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("_user_id")


def test_users_get_email_uniqueness_from_the_database(session):
    """The unique index on lower(email) holds even if a caller skips the service."""
    import pytest
    from sqlalchemy.exc import IntegrityError
    make_user(email="same@example.org")
    session.add(User(email="SAME@example.org", name="x", role="learner", timezone="UTC", active=True,
                     created_at=make_user().created_at))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_register_without_a_zone_takes_the_requested_citys_zone_also_in_the_welcome_email(client, session):
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    for email, extra in (("giulia@example.org", {}), ("marco@example.org", {"timezone": None})):
        response = register(client, email=email, city_id=bologna.id, **extra)
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.get_json()["timezone"] == "Europe/Rome"
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == response.get_json()["id"])).all()
        assert "your time zone, Europe/Rome" in next(m for m in mail if m.kind == "welcome").body_text
    assert register(client, email="nobody@example.org").get_json()["timezone"] == "Europe/Brussels"
