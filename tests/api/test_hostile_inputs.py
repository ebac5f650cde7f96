"""Hostile inputs to every operation (issue 10): no 5xx, whatever the body or parameters hold.

For each operation of the app's own OpenAPI document (enumerated by schemathesis, as in
test_fuzz.py), as each role (bearer token) and anonymously, on real objects (so requests get
past the 404s to the services): one plausible request, then the same request with each path
parameter, each query parameter and each body field (nested ones included) replaced by
each hostile value: JSON nested 1,000 levels deep, a lone surrogate, a 5,000-digit and a
26-digit integer, CR/LF and NUL.

Deterministic rather than random, so that a failure names the operation, the field and the
value, with the last lines of the traceback, and so that every field is covered in every run.
"""
from __future__ import annotations

import copy
import itertools
import json
import logging
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import schemathesis

from action_lms.accounts.models import ApiToken
from action_lms.core.time import utcnow
from action_lms.courses.models import Lesson, Quiz
from action_lms.extensions import db

from ..factories import (
    PASSWORD,
    make_booking,
    make_city,
    make_consultant,
    make_course,
    make_plan,
    make_practice,
    make_registration,
    make_slot,
    make_token,
    make_user,
    make_webinar,
)

ROLES = ["anonymous", "learner", "coordinator", "consultant", "admin"]
PLACEHOLDER = "\x1ehostile-value\x1e"  # stands in a body until the raw JSON text replaces it
_emails = itertools.count(1)
# For a status field, the first of these the schema allows (else its first value): keeps a
# webinar published and a milestone moving, so later requests still reach the services.
PREFERRED_STATUSES = ("published", "in_progress", "held")


@dataclass(frozen=True)
class Hostile:
    name: str
    json_text: str  # raw JSON, put in a body as is
    url_text: str  # percent-encoded, put in a path or query string as is


HOSTILE = (
    Hostile("deep nesting", "[" * 1000 + "]" * 1000, quote("[" * 1000)),
    Hostile("lone surrogate", '"x\\ud800"', "x%ED%A0%80"),
    Hostile("5000-digit integer", "9" * 5000, "9" * 5000),
    Hostile("26-digit integer", "1" + "0" * 25, "1" + "0" * 25),
    Hostile("CR/LF", json.dumps("a\r\nb"), "a%0D%0Ab"),
    Hostile("NUL", json.dumps("a\x00b"), "a%00b"),
)


@dataclass
class World:
    """Real objects for the path parameters, plausible body values, one bearer token per role."""

    tokens: dict[str, str | None]
    path_values: dict[str, object]
    body_values: dict[str, object]
    # (operation path, parameter) -> value, where the operation needs an object in another state.
    path_overrides: dict[tuple[str, str], object] = field(default_factory=dict)


def build_world(root) -> World:
    city = make_city()
    coordinator = make_user("coordinator", city=city)
    learner = make_user("learner", city=city)
    consultant = make_consultant(expertise=(1, 3))
    admin = make_user("admin")
    course = make_course(root)
    lesson = db.session.scalars(db.select(Lesson).order_by(Lesson.id)).first()
    quiz = db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.id)).first()
    question = quiz.questions[0]
    webinar = make_webinar()
    slot = make_slot(consultant)
    spare_slot = make_slot(consultant, starts_at=utcnow().replace(microsecond=0, second=0) + timedelta(days=4))
    now = utcnow().replace(microsecond=0, second=0)
    booking = make_booking(make_slot(consultant, starts_at=now + timedelta(days=5)), booked_by=coordinator)
    held_booking = make_booking(make_slot(consultant, starts_at=now - timedelta(hours=2)), booked_by=coordinator)
    started_webinar = make_webinar(starts_at=now - timedelta(minutes=30))
    make_registration(started_webinar, learner)
    plan = make_plan(city)
    draft_practice = make_practice(city, "Fuzz draft practice", status="draft")
    submitted_practice = make_practice(city, "Fuzz submitted practice", status="submitted")
    published_practice = make_practice(city, "Fuzz published practice", status="published")
    make_token(admin, name="spare")
    spare_token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == "spare").order_by(ApiToken.id.desc()))
    users = {"learner": learner, "coordinator": coordinator, "consultant": consultant, "admin": admin}
    tokens: dict[str, str | None] = {role: make_token(user) for role, user in users.items()}
    tokens["anonymous"] = None
    soon = date.today() + timedelta(days=10)
    return World(
        tokens=tokens,
        path_overrides={
            ("/api/v1/consultants/{user_id}", "user_id"): consultant.id,
            ("/api/v1/bookings/{booking_id}/notes", "booking_id"): held_booking.id,  # notes need a started session
            ("/api/v1/webinars/{webinar_id}/attendance", "webinar_id"): started_webinar.id,
            # a practice in the status each step of the review starts from
            ("/api/v1/practices/{practice_id}/publish", "practice_id"): submitted_practice.id,
            ("/api/v1/practices/{practice_id}/send-back", "practice_id"): submitted_practice.id,
            ("/api/v1/practices/{practice_id}/archive", "practice_id"): published_practice.id,
        },
        path_values={
            "city_id": city.id, "user_id": learner.id, "token_id": spare_token_id, "slug": course.slug,
            "lesson_id": lesson.id, "quiz_id": quiz.id, "code": "NO-SUCH-CERTIFICATE", "webinar_id": webinar.id,
            "slot_id": slot.id, "booking_id": booking.id, "plan_id": plan.id, "key": "political_mandate",
            "practice_id": draft_practice.id,
        },
        body_values={
            "email": learner.email, "password": PASSWORD, "name": "Fuzz name", "timezone": "Europe/Berlin",
            "city_id": city.id, "country": "AT", "role": "learner", "active": True, "token": "not-a-reset-token",
            "title": "Fuzz title", "focus": "Fuzz focus", "commitments": [1, 3], "is_current": True,
            "description": "About this webinar.", "starts_at": (utcnow() + timedelta(days=20)).replace(microsecond=0).isoformat(),
            "duration_minutes": 60, "capacity": 10, "join_url": "https://meet.example.org/fuzz",
            "recording_url": "https://example.org/recording", "course_module_keys": ["basics"],
            "milestone_keys": ["adoption"], "reason": "A reason.", "user_ids": [learner.id], "replace": False,
            "answers": {str(question.id): [question.options[0].id]},
            "expertise": [1], "languages": ["English"], "bio": "A bio.", "weekdays": [0, 2], "start_time": "09:00",
            "end_time": "12:00", "slot_minutes": 60, "buffer_minutes": 0, "valid_from": soon.isoformat(),
            "valid_until": (soon + timedelta(days=6)).isoformat(), "consultant_id": consultant.id,
            "topic": "A topic", "questions": "Some questions?", "milestone_key": "political_mandate",
            "slot_id": spare_slot.id, "summary": "What was discussed.",
            "follow_ups": [{"text": "Send the data", "owner": "Ana", "due_date": soon.isoformat(), "milestone_key": "adoption"}],
            "due_date": soon.isoformat(), "evidence_url": "https://example.org/evidence", "note": "A note.",
            "owner": "The equality unit", "blocked_reason": "Waiting for the council.",
            "links": [{"title": "The plan", "url": "https://example.org/plan.pdf"}], "contact_id": learner.id,
            "started_year": 2016, "featured_in": "The Guidebook", "comment": "Please add the results.",
            "problem": "Prejudice in services.", "transfer": "A mandate.",
        },
    )


# ---------------------------------------------------------------- building requests

def body_schema(operation) -> dict | None:
    """The operation's JSON body schema, with schemathesis' bundled top-level $ref resolved."""
    for body in operation.body:
        if body.media_type != "application/json":
            continue
        schema = body.definition.get("schema", {})
        ref = schema.get("$ref")
        if ref and ref.startswith("#/x-bundled/"):
            schema = schema["x-bundled"][ref.rsplit("/", 1)[1]]
        return schema
    return None


def example_for(prop: dict):
    """A plausible value for a required property the world has no value for."""
    if "enum" in prop:
        return prop["enum"][0]
    return {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(prop.get("type"), "x")


def base_body(operation, world: World) -> dict | None:
    schema = body_schema(operation)
    if schema is None:
        return None
    required = set(schema.get("required", []))
    body = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if "enum" in prop:
            body[name] = next((s for s in PREFERRED_STATUSES if s in prop["enum"]), prop["enum"][0])
        elif name in world.body_values:
            body[name] = copy.deepcopy(world.body_values[name])
        elif name in required:
            body[name] = example_for(prop)
    if "email" in body and operation.path in ("/api/v1/auth/register", "/api/v1/users"):
        body["email"] = f"fuzz{next(_emails)}@example.org"  # new accounts need new addresses
    return body


def field_paths(value, path=()):
    """Every top-level field and every leaf below it, as key paths."""
    if path and len(path) == 1:
        yield path
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from field_paths(item, path + (key,))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from field_paths(item, path + (index,))
    elif len(path) > 1:
        yield path


def with_placeholder(body, path):
    body = copy.deepcopy(body)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = PLACEHOLDER
    return body


def body_text(body, hostile: Hostile | None = None) -> str:
    text = json.dumps(body)
    return text.replace(json.dumps(PLACEHOLDER), hostile.json_text) if hostile else text


def path_value(operation, name: str, world: World) -> str:
    value = world.path_overrides.get((operation.path, name), world.path_values.get(name, 1))
    return quote(str(value), safe="")


@dataclass
class Probe:
    label: str
    path: str
    query: str = ""
    body: str | None = None


def probes(operation, world: World):
    """The plausible request, then one per (parameter or field, hostile value)."""
    params = {p.name: path_value(operation, p.name, world) for p in operation.path_parameters}

    def url(overrides=None):
        return operation.path.format(**{**params, **(overrides or {})})

    body = base_body(operation, world)
    plain = body_text(body) if body is not None else None
    yield Probe("plausible request", url(), body=plain)
    for name in params:
        for hostile in HOSTILE:
            yield Probe(f"path {name} = {hostile.name}", url({name: hostile.url_text}), body=plain)
    for param in operation.query:
        for hostile in HOSTILE:
            yield Probe(f"query {param.name} = {hostile.name}", url(), query=f"{param.name}={hostile.url_text}", body=plain)
    if body is None:
        return
    for hostile in HOSTILE[:1] + HOSTILE[2:3]:
        yield Probe(f"whole body = {hostile.name}", url(), body=hostile.json_text)
    for path in field_paths(body):
        name = ".".join(map(str, path))
        for hostile in HOSTILE:
            yield Probe(f"body {name} = {hostile.name}", url(), body=body_text(with_placeholder(body, path), hostile))


def ordered(operations):
    """Operations that end things (DELETE, cancel, revoke) run last, so the others meet live objects."""
    def ends_something(op):
        return op.method.upper() == "DELETE" or op.path.endswith(("/cancel", "/revoke"))
    return sorted(operations, key=ends_something)


# ---------------------------------------------------------------- 500s and their tracebacks

class LastError(logging.Handler):
    """Keeps the traceback of the last error the app logged (core.errors logs every 500)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record):
        if record.exc_info:
            lines = "".join(traceback.format_exception(*record.exc_info)).strip().splitlines()
            self.last = " | ".join(line.strip() for line in lines[-3:])

    def pop(self) -> str:
        last, self.last = self.last, None
        return last or "(no traceback logged)"


@pytest.fixture
def last_error():
    handler = LastError()
    logger = logging.getLogger("action_lms")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@dataclass
class Failures:
    by_probe: dict[str, dict] = field(default_factory=dict)

    def add(self, role: str, operation, probe: Probe, status: int, error: str) -> None:
        key = f"{operation.method.upper()} {operation.path} [{probe.label}]"
        entry = self.by_probe.setdefault(key, {"roles": [], "status": status, "error": error})
        entry["roles"].append(role)

    def report(self) -> str:
        return "\n".join(f"{key} as {', '.join(e['roles'])}: {e['status']}: {e['error']}"
                         for key, e in sorted(self.by_probe.items()))


# ---------------------------------------------------------------- the test

def test_hostile_values_in_every_field_of_every_operation_are_never_a_5xx(app, tmp_path, last_error):
    operations = [result.ok() for result in schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
                  .get_all_operations()]
    assert len(operations) > 50
    _send_hostile_requests(app, tmp_path, last_error, operations, minimum=1000)


def test_hostile_values_in_every_practice_operation_are_never_a_5xx(app, tmp_path, last_error):
    """The same, for the good-practice library's operations only (a quicker run for that domain)."""
    operations = [result.ok() for result in schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
                  .get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/api/v1/practices")]
    assert len(operations) == 8
    _send_hostile_requests(app, tmp_path, last_error, operations, minimum=300)


def _send_hostile_requests(app, tmp_path, last_error, operations, minimum: int):
    client = app.test_client(use_cookies=False)  # a sign-in must not turn later requests into cookie ones
    failures = Failures()
    sent = 0
    for n, role in enumerate(ROLES):
        world = build_world(tmp_path / f"content-{n}")  # a fresh world: the previous role ended things
        headers = {"Authorization": f"Bearer {world.tokens[role]}"} if world.tokens[role] else {}
        for operation in ordered(operations):
            if role != "anonymous" and operation.method.upper() == "DELETE" and operation.path == "/api/v1/me":
                continue  # erasing the caller would make every later request a 401; tested on its own
            for probe in probes(operation, world):
                response = client.open(probe.path, method=operation.method.upper(), query_string=probe.query,
                                       data=probe.body, headers=headers,
                                       content_type="application/json" if probe.body is not None else None)
                sent += 1
                if response.status_code >= 500:
                    failures.add(role, operation, probe, response.status_code, last_error.pop())
    assert sent > minimum
    assert not failures.by_probe, f"{len(failures.by_probe)} hostile requests answered 5xx:\n" + failures.report()
