"""Hostile request bodies (issue 10, "Bad bodies are 500s"): JSON nested 1,000 levels deep,
lone surrogates, integers of thousands of digits, bodies over the size limit, non-JSON
bodies on JSON endpoints and lists far longer than the domain allows. Each was a 500 or was
silently accepted; each is now a 4xx in the API's envelope."""
from __future__ import annotations

import io
import json
import time

import pytest
from marshmallow import Schema, fields

from action_lms.config import ConfigError, load_config
from action_lms.core.api import Blueprint
from action_lms.core.bodies import MAX_DEPTH, MAX_INT_DIGITS, MalformedBody
from action_lms.courses.models import Quiz
from action_lms.courses.schemas import MAX_OPTIONS_PER_QUESTION, MAX_QUESTIONS_PER_QUIZ
from action_lms.extensions import db
from action_lms.plans.models import Plan

from ..factories import PASSWORD, make_city, make_course, make_token, make_user, make_webinar
from ..helpers import api_as, assert_envelope

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
LOGIN = "/api/v1/auth/login"
JSON = "application/json"


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def post_json_text(client, path: str, text: str | bytes, token: str | None = None, content_type: str = JSON):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, data=text, content_type=content_type, headers=headers)


@pytest.fixture
def city(session):
    return make_city("Graz", "AT", "Europe/Vienna")


@pytest.fixture
def coordinator(city):
    return make_user("coordinator", city=city)


@pytest.fixture
def token(coordinator):
    return make_token(coordinator)


def plans_of(city) -> list[Plan]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Plan).where(Plan.city_id == city.id)))


# ---------------------------------------------------------------- deep nesting

@pytest.mark.parametrize("body", [
    DEEP_ARRAY,
    DEEP_OBJECT,
    '{"email": ' + DEEP_ARRAY + ', "password": "x"}',
], ids=["array", "object", "in-a-field"])
def test_json_nested_1000_levels_is_a_400_for_anonymous_login(client, body):
    response = post_json_text(client, LOGIN, body)
    message = assert_envelope(response, 400)["message"]
    assert "nested" in message and str(MAX_DEPTH) in message


def test_deep_nesting_is_a_400_when_the_rate_limit_reads_the_body_first(make_app):
    """The per-e-mail login limit reads the body before any view (request.get_json)."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        response = post_json_text(app.test_client(), LOGIN, '{"email": ' + DEEP_ARRAY + "}")
    assert "nested" in assert_envelope(response, 400)["message"]


def test_nesting_is_bounded_at_max_depth(client):
    assert "nested" in assert_envelope(post_json_text(client, LOGIN, nested(MAX_DEPTH + 1)), 400)["message"]
    # At the bound the parser accepts it; the schema then refuses a list where an object is due.
    assert_envelope(post_json_text(client, LOGIN, nested(MAX_DEPTH)), 422)


def test_deep_nesting_is_a_400_on_an_authenticated_write(client, city, token):
    body = '{"title": "Plan", "focus": "Housing", "commitments": ' + DEEP_ARRAY + "}"
    assert_envelope(post_json_text(client, f"/api/v1/cities/{city.id}/plans", body, token), 400)
    assert plans_of(city) == []


# ---------------------------------------------------------------- lone surrogates

def test_lone_surrogate_in_a_text_field_is_a_400(client, city, token):
    body = '{"title": "Plan \\ud800", "focus": "Housing"}'
    message = assert_envelope(post_json_text(client, f"/api/v1/cities/{city.id}/plans", body, token), 400)["message"]
    assert "surrogate" in message
    assert plans_of(city) == []


def test_lone_surrogate_in_a_key_is_a_400(client, city, token):
    body = '{"title": "Plan", "focus": "Housing", "\\udfff": 1}'
    assert "surrogate" in assert_envelope(post_json_text(client, f"/api/v1/cities/{city.id}/plans", body, token),
                                          400)["message"]


def test_lone_surrogate_is_a_400_anonymously(client):
    assert_envelope(post_json_text(client, LOGIN, '{"email": "a\\udc00@example.org", "password": "x"}'), 400)


def test_a_surrogate_pair_is_one_character_and_is_accepted(client, city, token):
    body = '{"title": "Plan \\ud83d\\ude00", "focus": "Housing"}'
    response = post_json_text(client, f"/api/v1/cities/{city.id}/plans", body, token)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] == "Plan \U0001F600"


def test_raw_bytes_that_are_not_utf8_are_a_400(client):
    body = b'{"email": "\xed\xa0\x80@example.org", "password": "x"}'  # a surrogate encoded as UTF-8
    assert "UTF-8" in assert_envelope(post_json_text(client, LOGIN, body), 400)["message"]


# ---------------------------------------------------------------- huge numbers

@pytest.mark.parametrize("digits", [5000, MAX_INT_DIGITS + 1])
def test_huge_integer_in_a_body_is_a_400(client, digits):
    body = '{"email": ' + "9" * digits + ', "password": "x"}'
    message = assert_envelope(post_json_text(client, LOGIN, body), 400)["message"]
    assert f"more than {MAX_INT_DIGITS} digits" in message


def test_huge_negative_integer_and_float_are_400s(client):
    assert_envelope(post_json_text(client, LOGIN, '{"email": -' + "9" * 5000 + "}"), 400)
    assert_envelope(post_json_text(client, LOGIN, '{"email": 1' + "0" * 5000 + ".5}"), 400)
    assert_envelope(post_json_text(client, LOGIN, '{"email": 1e999}'), 400)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, constant):
    assert constant in assert_envelope(post_json_text(client, LOGIN, '{"email": ' + constant + "}"), 400)["message"]


def test_integer_within_the_digit_bound_but_out_of_range_is_a_422(client, city, token):
    body = '{"title": "Plan", "focus": "Housing", "commitments": [' + "9" * MAX_INT_DIGITS + "]}"
    assert_envelope(post_json_text(client, f"/api/v1/cities/{city.id}/plans", body, token), 422)


@pytest.mark.parametrize("query", [
    "/api/v1/webinars?page=" + "9" * 5000,
    "/api/v1/webinars?page_size=" + "9" * 5000,
    "/api/v1/webinars?page=" + "9" * 25,
    "/api/v1/users?city_id=" + "9" * 5000,
    "/api/v1/users?city_id=" + "9" * 25,
    "/api/v1/users?page=" + "9" * 25,
    "/api/v1/slots?consultant_id=" + "9" * 5000,
    "/api/v1/slots?consultant_id=" + "9" * 25,
    "/api/v1/bookings?city_id=" + "9" * 5000,
    "/api/v1/courses?page=" + "9" * 5000,
    "/api/v1/courses?page=" + "9" * 25,
    "/api/v1/webinars/" + "9" * 5000,
    "/api/v1/cities/" + "9" * 25,
])
def test_huge_integers_in_query_strings_and_paths_are_4xx(client, query):
    admin = make_user("admin")
    response = api_as(client, admin).get(query)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert_envelope(response, response.status_code)


# ---------------------------------------------------------------- every body reader uses the parser

def test_flask_smorest_arguments_use_the_hardened_parser(app):
    """webargs' own JSON loader would call json.loads on the raw bytes; ours is routed in."""

    class Anything(Schema):
        x = fields.Raw()

    body = '{"x": ' + DEEP_ARRAY + "}"
    with app.test_request_context("/not-api", method="POST", data=body, content_type=JSON), pytest.raises(MalformedBody):
        Blueprint.ARGUMENTS_PARSER.parse(Anything(), location="json")
    with app.test_request_context("/not-api", method="POST", data='{"x": [1]}', content_type=JSON):
        assert Blueprint.ARGUMENTS_PARSER.parse(Anything(), location="json") == {"x": [1]}


def test_request_get_json_outside_the_api_is_a_400_page(app, client):
    from flask import request

    @app.get("/echo-json")  # GET, so the page's CSRF check stays out of the way
    def echo_json():
        return {"type": type(request.get_json()).__name__}

    response = client.get("/echo-json", data=DEEP_ARRAY, content_type=JSON)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "nested" in response.get_data(as_text=True)
    assert client.get("/echo-json", data="[1]", content_type=JSON).get_json() == {"type": "list"}


# ---------------------------------------------------------------- size limit

def test_request_size_limit_is_one_mebibyte_by_default_and_configurable(monkeypatch):
    monkeypatch.delenv("MAX_REQUEST_BYTES", raising=False)
    cfg = load_config({"TESTING": True})
    assert cfg["MAX_REQUEST_BYTES"] == cfg["MAX_CONTENT_LENGTH"] == 1024 * 1024
    monkeypatch.setenv("MAX_REQUEST_BYTES", "4096")
    assert load_config({"TESTING": True})["MAX_CONTENT_LENGTH"] == 4096
    with pytest.raises(ConfigError):
        load_config({"TESTING": True, "MAX_REQUEST_BYTES": 0})


def test_json_body_just_over_the_default_limit_is_a_413(client):
    padding = "a" * (1024 * 1024)
    body = json.dumps({"email": padding, "password": "x"})
    assert len(body) > 1024 * 1024
    message = assert_envelope(post_json_text(client, LOGIN, body), 413)["message"]
    assert "1 MiB" in message


def test_body_at_the_limit_is_read_and_one_byte_more_is_a_413(make_app):
    app = make_app(MAX_REQUEST_BYTES=2048)
    with app.app_context():
        client = app.test_client()
        base = json.dumps({"email": "x@example.org", "password": ""})
        at_limit = base[:-2] + "p" * (2048 - len(base)) + '"}'
        assert len(at_limit) == 2048
        # Read and parsed: the schema answers (the password is longer than any allowed).
        assert "password" in assert_envelope(post_json_text(client, LOGIN, at_limit), 422)["errors"]
        over = base[:-2] + "p" * (2049 - len(base)) + '"}'
        assert "2 KiB" in assert_envelope(post_json_text(client, LOGIN, over), 413)["message"]


def test_chunked_body_over_the_limit_is_a_413(make_app):
    """No Content-Length: Werkzeug's limited stream stops reading at the limit."""
    app = make_app(MAX_REQUEST_BYTES=1024)
    body = json.dumps({"email": "x@example.org", "password": "p" * 2000}).encode()
    with app.app_context():
        response = app.test_client().post(
            LOGIN, input_stream=io.BytesIO(body), content_type=JSON,
            headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert_envelope(response, 413)


def test_oversized_form_on_a_page_is_an_html_413(make_app):
    app = make_app(MAX_REQUEST_BYTES=1024)
    with app.app_context():
        response = app.test_client().post("/login", data={"email": "a" * 2000, "password": "x"})
    assert response.status_code == 413
    assert response.mimetype == "text/html"


# ---------------------------------------------------------------- JSON only

@pytest.mark.parametrize("content_type, data", [
    ("text/plain", json.dumps({"email": "a@example.org", "password": "x"})),
    ("application/x-www-form-urlencoded", "email=a%40example.org&password=x"),
    ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=email\r\n\r\na\r\n--x--\r\n"),
    ("", '{"email": "a@example.org", "password": "x"}'),
])
def test_a_non_json_body_on_an_api_write_is_a_415(client, content_type, data):
    response = client.post(LOGIN, data=data, headers={"Content-Type": content_type} if content_type else {})
    assert assert_envelope(response, 415)["message"] == "Send JSON with Content-Type: application/json."


def test_form_body_on_an_authenticated_patch_is_a_415(client, coordinator, token):
    response = client.patch("/api/v1/me", data={"name": "New name"}, headers={"Authorization": f"Bearer {token}"})
    assert_envelope(response, 415)
    db.session.expire_all()
    assert db.session.get(type(coordinator), coordinator.id).name != "New name"


def test_a_post_without_a_body_is_still_allowed(client, coordinator, token):
    webinar = make_webinar()
    response = client.post(f"/api/v1/webinars/{webinar.id}/registrations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    # Content-Type alone, with no body, is not a body either.
    assert client.post("/api/v1/auth/logout", headers={"Content-Type": "text/plain"}).status_code < 400


def test_json_with_a_structured_suffix_is_json(client):
    response = client.post(LOGIN, data=json.dumps({"email": "nobody@example.org", "password": PASSWORD}),
                           content_type="application/merge-patch+json")
    assert_envelope(response, 401)


# ---------------------------------------------------------------- list lengths

def test_huge_commitments_list_is_a_422_quickly(client, city, token):
    body = json.dumps({"title": "Plan", "focus": "Housing", "commitments": [1] * 300_000})
    started = time.perf_counter()
    response = post_json_text(client, f"/api/v1/cities/{city.id}/plans", body, token)
    elapsed = time.perf_counter() - started
    assert "commitments" in assert_envelope(response, 422)["errors"]
    assert elapsed < 5, elapsed
    assert plans_of(city) == []


def test_commitments_are_at_most_ten(client, city, coordinator):
    api = api_as(client, coordinator)
    url = f"/api/v1/cities/{city.id}/plans"
    assert "commitments" in assert_envelope(
        api.post(url, json={"title": "Plan", "focus": "Housing", "commitments": list(range(1, 11)) + [1]}), 422)["errors"]
    created = api.post(url, json={"title": "Plan", "focus": "Housing", "commitments": list(range(1, 11))})
    assert created.status_code == 201, created.get_json()
    patched = api.patch(f"/api/v1/plans/{created.get_json()['id']}", json={"commitments": [2] * 11})
    assert "commitments" in assert_envelope(patched, 422)["errors"]


@pytest.fixture
def quiz(app, tmp_path):
    course = make_course(tmp_path / "content")
    return db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.id)).first()


def test_huge_quiz_answer_list_is_a_422_quickly(client, quiz):
    learner = make_user("learner")
    question = quiz.questions[0]
    body = json.dumps({"answers": {str(question.id): [question.options[0].id] * 300_000}})
    started = time.perf_counter()
    response = post_json_text(client, f"/api/v1/quizzes/{quiz.id}/attempts", body, make_token(learner))
    elapsed = time.perf_counter() - started
    assert_envelope(response, 422)
    assert elapsed < 5, elapsed


def test_quiz_answers_are_capped_per_question_and_per_quiz(client, quiz):
    api = api_as(client, make_user("learner"))
    url = f"/api/v1/quizzes/{quiz.id}/attempts"
    question = quiz.questions[0]
    too_many_options = {str(question.id): [question.options[0].id] * (MAX_OPTIONS_PER_QUESTION + 1)}
    assert_envelope(api.post(url, json={"answers": too_many_options}), 422)
    too_many_questions = {str(n): [1] for n in range(1, MAX_QUESTIONS_PER_QUIZ + 2)}
    assert "answers" in assert_envelope(api.post(url, json={"answers": too_many_questions}), 422)["errors"]


def test_webinar_lists_are_capped(client):
    api = api_as(client, make_user("admin"))
    webinar = make_webinar()
    assert "user_ids" in assert_envelope(
        api.post(f"/api/v1/webinars/{webinar.id}/attendance", json={"user_ids": [1] * 10_001}), 422)["errors"]
    assert "milestone_keys" in assert_envelope(
        api.patch(f"/api/v1/webinars/{webinar.id}", json={"milestone_keys": ["adoption"] * 21}), 422)["errors"]
    assert "course_module_keys" in assert_envelope(
        api.patch(f"/api/v1/webinars/{webinar.id}", json={"course_module_keys": ["basics"] * 51}), 422)["errors"]
