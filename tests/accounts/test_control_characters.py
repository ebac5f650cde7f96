"""Names of people, cities and tokens are one line: CR/LF and other control characters are
refused with a 422 naming the field, in the API, the forms and the CLI alike (they end up in
e-mail headers, calendar files and CSV exports)."""
from __future__ import annotations

import pytest

from ..factories import PASSWORD, make_city, make_user
from ..helpers import api_as, assert_envelope, csrf_from, login_session

BAD = ["Lea\r\nBcc: victim@example.org", "Lea\x00", "Lea\tSchmidt", "Lea\u2028Schmidt", "Le\x85a"]


@pytest.mark.parametrize("bad", BAD)
def test_registration_refuses_a_name_with_control_characters(client, bad):
    body = assert_envelope(client.post("/api/v1/auth/register", json={
        "email": "lea@example.org", "password": PASSWORD, "name": bad}), 422)
    assert "name" in body["errors"] and "one line" in body["errors"]["name"][0]


def test_my_name_and_admin_edits_refuse_control_characters(client):
    user = make_user(name="Lea")
    admin = make_user("admin")
    assert "name" in assert_envelope(api_as(client, user).patch("/api/v1/me", json={"name": "Lea\r\nX"}), 422)["errors"]
    office = api_as(client, admin)
    assert "name" in assert_envelope(office.patch(f"/api/v1/users/{user.id}", json={"name": "A\nB"}), 422)["errors"]
    assert "name" in assert_envelope(office.post("/api/v1/users", json={
        "email": "n@example.org", "name": "A\rB", "role": "learner"}), 422)["errors"]
    assert "name" in assert_envelope(office.post("/api/v1/cities", json={
        "name": "Gr\naz", "country": "AT", "timezone": "Europe/Vienna"}), 422)["errors"]
    city = make_city("Graz", "AT", "Europe/Vienna")
    assert "name" in assert_envelope(office.patch(f"/api/v1/cities/{city.id}", json={"name": "G\x07"}), 422)["errors"]
    assert "name" in assert_envelope(api_as(client, user).request(
        "POST", "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD, "name": "ci\nbot"}), 422)["errors"]


def test_the_account_form_shows_the_error_on_the_name_field(client):
    user = make_user(name="Lea")
    csrf = login_session(client, user)
    response = client.post("/account", data={"csrf_token": csrf, "name": "Lea\r\nSchmidt", "timezone": "Europe/Berlin"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and "one line of text" in html


def test_the_registration_form_shows_the_error(client):
    token = csrf_from(client.get("/register").get_data(as_text=True))
    response = client.post("/register", data={"csrf_token": token, "name": "Lea\x00", "email": "lea@example.org",
                                              "password": PASSWORD, "timezone": "Europe/Berlin", "city_id": ""})
    assert response.status_code == 422
    assert "one line of text" in response.get_data(as_text=True)


def test_the_cli_refuses_a_name_with_a_line_break(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "ops@example.org", "--name", "Ops\nTeam",
                                 "--role", "admin", "--password", PASSWORD])
    assert result.exit_code != 0, result.output
    assert "name" in result.output and "one line" in result.output
    result = runner.invoke(args=["cities", "create", "--name", "Gr\raz", "--country", "AT", "--timezone", "Europe/Vienna"])
    assert result.exit_code != 0 and "one line" in result.output
