"""Every failure under /api has the error envelope; pages get an HTML error page."""
import pytest
from marshmallow import ValidationError

from action_lms.core.api import UtcDateTime
from action_lms.core.errors import Conflict

from ..factories import make_user
from ..helpers import api_as, assert_envelope


def test_unknown_api_path_is_a_json_404(client):
    body = assert_envelope(client.get("/api/v1/no-such-thing"), 404)
    assert body["status"] == "Not Found"


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.put("/api/v1/cities")
    assert_envelope(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    body = assert_envelope(response, 400)
    assert "JSON" in body["message"]


def test_validation_is_422_with_field_messages(client):
    body = assert_envelope(client.post("/api/v1/auth/login", json={"email": 5}), 422)
    assert set(body["errors"]) == {"email", "password"}
    assert "email" in body["message"] and "password" in body["message"]


def test_unknown_fields_are_refused(client):
    body = assert_envelope(client.post("/api/v1/auth/login", json={"email": "a@b.org", "password": "x", "admin": True}), 422)
    assert "admin" in body["errors"]


def test_naive_datetime_is_refused_and_output_is_utc_z():
    field = UtcDateTime()
    with pytest.raises(ValidationError):
        field.deserialize("2027-03-01T10:00:00")
    with pytest.raises(ValidationError):
        field.deserialize("9999-12-31T23:00:00-05:00")  # past year 9999 in UTC
    value = field.deserialize("2027-03-01T10:00:00+01:00")
    assert field._serialize(value, "x", None) == "2027-03-01T09:00:00Z"


def test_domain_errors_render_as_html_on_pages(app, client):
    @app.route("/boom-conflict")
    def boom():
        raise Conflict("That slot was just taken.")

    response = client.get("/boom-conflict")
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "That slot was just taken." in response.get_data(as_text=True)


def test_unexpected_errors_are_500_envelopes_without_traceback(app, client):
    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    body = assert_envelope(client.get("/api/v1/boom"), 500)
    assert "secret internals" not in body["message"]


def test_html_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)


def test_forbidden_and_unauthorised(client):
    assert_envelope(api_as(client).post("/api/v1/cities", json={"name": "A", "country": "DE", "timezone": "Europe/Berlin"}), 401)
    assert_envelope(api_as(client, make_user()).post("/api/v1/cities", json={"name": "A", "country": "DE", "timezone": "Europe/Berlin"}), 403)


def test_absurd_numbers_are_client_errors_not_500s(client):
    api = api_as(client, make_user("admin"))
    assert_envelope(api.get("/api/v1/cities/99999999999999999999999"), 404)
    response = api.get("/api/v1/cities?page=9999999999999999999")
    assert response.status_code == 200 and response.get_json() == []
    body = assert_envelope(api.get("/api/v1/users?city_id=99999999999999999999"), 422)
    assert "out of range" in body["message"]
