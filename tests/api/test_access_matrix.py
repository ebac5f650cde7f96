"""Every API endpoint x every role, with the answer each role must get.

One row per (method, path) of the API. The test fails when the app has an endpoint
without a row here (so a new endpoint cannot ship without its authorisation decided) or
a row without an endpoint. Roles act on a shared scenario: the learner and the
coordinator belong to city A, the consultant has a booking with city A, every actor is
enrolled in the course and registered for the webinar. Domain matrices test the finer
object-level rules (other cities, other consultants...)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest
from sqlalchemy import select

from action_lms.accounts.models import ApiToken
from action_lms.core.time import utcnow
from action_lms.courses import services as course_services
from action_lms.courses.models import Lesson, Quiz

from ..factories import (
    make_booking, make_city, make_consultant, make_course, make_plan, make_registration, make_slot, make_token, make_user,
    make_webinar,
)
from ..helpers import ApiClient

ROLES = ("anonymous", "learner", "coordinator", "consultant", "admin", "pending")
# shorthand: anonymous, learner, coordinator, consultant (S for slots), admin, and P: a learner
# who asked to join city A and is not yet approved (sees nothing of the city).
A, L, C, S, D, P = ROLES
SIGNED_IN = (L, C, S, D, P)
IGNORED = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/static/<path:filename>"}


@dataclass
class Row:
    method: str
    rule: str
    expect: dict  # role -> status code
    path: Callable | None = None  # scenario -> concrete path (default: the rule itself)
    body: Callable | None = None  # scenario -> JSON body


def only(allowed: dict, others: int = 403, anonymous: int = 401) -> dict:
    """Expected codes: the given roles get their code, other signed-in roles `others`, anonymous `anonymous`."""
    return {role: allowed.get(role, anonymous if role == A else others) for role in ROLES}


def everyone(code: int, anonymous: int = 401) -> dict:
    return {role: anonymous if role == A else code for role in ROLES}


def public(code: int) -> dict:
    return {role: code for role in ROLES}


def future(days=3, hour=9):
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


ROWS = [
    # ------------------------------------------------------------ accounts
    Row("GET", "/api/v1/auth/csrf", public(200)),
    Row("POST", "/api/v1/auth/register", public(201), body=lambda s: {"email": f"new-{s.role}@example.org", "password": "long-enough-pw", "name": "New"}),
    Row("POST", "/api/v1/auth/login", public(200), body=lambda s: {"email": s.probe.email, "password": "correct-horse-battery"}),
    Row("POST", "/api/v1/auth/logout", public(204)),
    Row("POST", "/api/v1/auth/password-reset", public(202), body=lambda s: {"email": s.probe.email}),
    Row("POST", "/api/v1/auth/password-reset/confirm", public(422), body=lambda s: {"token": "forged", "password": "long-enough-pw"}),
    Row("GET", "/api/v1/auth/tokens", everyone(200)),
    Row("POST", "/api/v1/auth/tokens", public(201), body=lambda s: {"email": s.probe.email, "password": "correct-horse-battery"}),
    Row("DELETE", "/api/v1/auth/tokens/<int:token_id>", everyone(204, anonymous=401),
        path=lambda s: f"/api/v1/auth/tokens/{s.own_token_id or s.probe_token_id}"),
    Row("GET", "/api/v1/me", everyone(200)),
    Row("PATCH", "/api/v1/me", everyone(200), body=lambda s: {"name": "Renamed"}),
    Row("DELETE", "/api/v1/me", only({L: 204, C: 204, S: 204, D: 409, P: 204})),  # the last admin may not erase themselves
    Row("GET", "/api/v1/me/data", everyone(200)),
    Row("GET", "/api/v1/me/email-preferences", everyone(200)),
    Row("PATCH", "/api/v1/me/email-preferences", everyone(200), body=lambda s: {"reminders": False}),
    Row("GET", "/api/v1/me/sessions", everyone(200)),
    Row("POST", "/api/v1/me/sessions/revoke", everyone(200)),
    # Only learners ask to join; the pending learner already asked for city A (409), the
    # learner is already a member (409).
    Row("POST", "/api/v1/me/city-request", only({L: 409, P: 409}), body=lambda s: {"city_id": s.city_a.id}),
    Row("DELETE", "/api/v1/me/city-request", only({L: 409, P: 204})),
    Row("GET", "/api/v1/cities/<int:city_id>/join-requests", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/cities/{s.city_a.id}/join-requests"),
    Row("POST", "/api/v1/cities/<int:city_id>/join-requests/<int:user_id>/approve", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/cities/{s.city_a.id}/join-requests/{s.applicant.id}/approve"),
    Row("POST", "/api/v1/cities/<int:city_id>/join-requests/<int:user_id>/decline", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/cities/{s.city_a.id}/join-requests/{s.applicant.id}/decline"),
    Row("GET", "/api/v1/cities", everyone(200)),
    Row("POST", "/api/v1/cities", only({D: 201}), body=lambda s: {"name": "Turin", "country": "IT", "timezone": "Europe/Rome"}),
    Row("GET", "/api/v1/cities/<int:city_id>", everyone(200), path=lambda s: f"/api/v1/cities/{s.city_a.id}"),
    Row("PATCH", "/api/v1/cities/<int:city_id>", only({D: 200}), path=lambda s: f"/api/v1/cities/{s.city_a.id}",
        body=lambda s: {"timezone": "Europe/Vienna"}),
    Row("GET", "/api/v1/users", only({D: 200})),
    Row("POST", "/api/v1/users", only({D: 201}), body=lambda s: {"email": "made@example.org", "name": "Made", "role": "learner"}),
    Row("GET", "/api/v1/users/<int:user_id>", only({D: 200}), path=lambda s: f"/api/v1/users/{s.probe.id}"),
    Row("PATCH", "/api/v1/users/<int:user_id>", only({D: 200}), path=lambda s: f"/api/v1/users/{s.probe.id}",
        body=lambda s: {"name": "Probe B."}),
    # ------------------------------------------------------------ courses
    Row("GET", "/api/v1/courses", everyone(200)),
    Row("GET", "/api/v1/courses/<slug>", everyone(200), path=lambda s: "/api/v1/courses/sample-course"),
    Row("POST", "/api/v1/courses/<slug>/enrollment", everyone(200), path=lambda s: "/api/v1/courses/sample-course/enrollment"),
    Row("DELETE", "/api/v1/courses/<slug>/enrollment", everyone(204), path=lambda s: "/api/v1/courses/sample-course/enrollment"),
    Row("GET", "/api/v1/courses/<slug>/progress", everyone(200), path=lambda s: "/api/v1/courses/sample-course/progress"),
    Row("GET", "/api/v1/courses/<slug>/report", only({C: 200, D: 200}), path=lambda s: "/api/v1/courses/sample-course/report"),
    Row("GET", "/api/v1/lessons/<int:lesson_id>", everyone(200), path=lambda s: f"/api/v1/lessons/{s.lesson.id}"),
    Row("POST", "/api/v1/lessons/<int:lesson_id>/completion", everyone(200), path=lambda s: f"/api/v1/lessons/{s.lesson.id}/completion"),
    Row("GET", "/api/v1/quizzes/<int:quiz_id>", everyone(200), path=lambda s: f"/api/v1/quizzes/{s.quiz.id}"),
    Row("POST", "/api/v1/quizzes/<int:quiz_id>/attempts", everyone(201), path=lambda s: f"/api/v1/quizzes/{s.quiz.id}/attempts",
        body=lambda s: {"answers": {str(q.id): [q.options[0].id] for q in s.quiz.questions}}),  # q1 and q2 answered
    Row("DELETE", "/api/v1/quizzes/<int:quiz_id>/learners/<int:user_id>/attempts", only({D: 204}),
        path=lambda s: f"/api/v1/quizzes/{s.quiz.id}/learners/{s.learner.id}/attempts"),
    Row("GET", "/api/v1/certificates/<code>", public(404), path=lambda s: "/api/v1/certificates/no-such-code"),
    # ------------------------------------------------------------ consulting
    Row("GET", "/api/v1/consultants", everyone(200)),
    Row("GET", "/api/v1/consultants/<int:user_id>", everyone(200), path=lambda s: f"/api/v1/consultants/{s.consultant.id}"),
    Row("PATCH", "/api/v1/consultants/<int:user_id>", only({S: 200, D: 200}), path=lambda s: f"/api/v1/consultants/{s.consultant.id}",
        body=lambda s: {"bio": "Twenty years in municipal equality work."}),
    Row("POST", "/api/v1/availability", only({S: 201, D: 201}),
        body=lambda s: {"weekdays": [0, 1, 2, 3, 4], "start_time": "09:00", "end_time": "10:00", "slot_minutes": 60,
                        "valid_from": future(20).date().isoformat(), "valid_until": future(27).date().isoformat(),
                        "consultant_id": s.consultant.id}),
    Row("POST", "/api/v1/slots", only({S: 201, D: 201}),
        body=lambda s: {"starts_at": future(40).isoformat(), "duration_minutes": 60, "consultant_id": s.consultant.id}),
    Row("GET", "/api/v1/slots", everyone(200)),
    Row("GET", "/api/v1/slots/<int:slot_id>", everyone(200), path=lambda s: f"/api/v1/slots/{s.open_slot.id}"),
    Row("DELETE", "/api/v1/slots/<int:slot_id>", only({S: 204, D: 204}), path=lambda s: f"/api/v1/slots/{s.open_slot.id}"),
    Row("POST", "/api/v1/slots/<int:slot_id>/booking", only({C: 201, D: 201}), path=lambda s: f"/api/v1/slots/{s.open_slot.id}/booking",
        body=lambda s: {"topic": "Baseline data", "questions": "Which data sources?", "city_id": s.city_a.id}),
    Row("GET", "/api/v1/bookings", only({C: 200, S: 200, D: 200})),
    Row("GET", "/api/v1/bookings/<int:booking_id>", only({C: 200, S: 200, D: 200}), path=lambda s: f"/api/v1/bookings/{s.booking.id}"),
    # Where to meet: the session's consultant or the office; the city proposes it only when booking.
    Row("PATCH", "/api/v1/bookings/<int:booking_id>", only({S: 200, D: 200}), path=lambda s: f"/api/v1/bookings/{s.booking.id}",
        body=lambda s: {"meeting_link": "https://meet.example.org/city-a"}),
    Row("GET", "/api/v1/bookings/<int:booking_id>/calendar.ics", only({C: 200, S: 200, D: 200}),
        path=lambda s: f"/api/v1/bookings/{s.booking.id}/calendar.ics"),
    Row("POST", "/api/v1/bookings/<int:booking_id>/cancel", only({C: 200, S: 200, D: 200}),
        path=lambda s: f"/api/v1/bookings/{s.booking.id}/cancel", body=lambda s: {"reason": "The mayor's office moved our meeting."}),
    Row("POST", "/api/v1/bookings/<int:booking_id>/reschedule", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/bookings/{s.booking.id}/reschedule", body=lambda s: {"slot_id": s.other_slot.id}),
    # Notes are for sessions that have started: allowed roles get the rule's 409, others 403.
    Row("POST", "/api/v1/bookings/<int:booking_id>/notes", only({S: 409, D: 409}),
        path=lambda s: f"/api/v1/bookings/{s.booking.id}/notes", body=lambda s: {"summary": "We discussed data."}),
    # ------------------------------------------------------------ plans
    Row("GET", "/api/v1/milestone-templates", everyone(200)),
    Row("GET", "/api/v1/cities/<int:city_id>/plans", {**everyone(200), P: 403}, path=lambda s: f"/api/v1/cities/{s.city_a.id}/plans"),
    Row("POST", "/api/v1/cities/<int:city_id>/plans", only({C: 201, D: 201}), path=lambda s: f"/api/v1/cities/{s.city_a.id}/plans",
        body=lambda s: {"title": "Renewed plan", "focus": "Anti-Muslim racism"}),
    Row("GET", "/api/v1/plans/<int:plan_id>", {**everyone(200), P: 404}, path=lambda s: f"/api/v1/plans/{s.plan.id}"),
    Row("PATCH", "/api/v1/plans/<int:plan_id>", only({C: 200, D: 200}), path=lambda s: f"/api/v1/plans/{s.plan.id}",
        body=lambda s: {"title": "Graz plan 2027"}),
    Row("GET", "/api/v1/plans/<int:plan_id>/history", {**everyone(200), P: 404}, path=lambda s: f"/api/v1/plans/{s.plan.id}/history"),
    Row("PATCH", "/api/v1/plans/<int:plan_id>/milestones/<key>", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/plans/{s.plan.id}/milestones/political_mandate", body=lambda s: {"status": "in_progress"}),
    Row("GET", "/api/v1/progress/cities", only({D: 200})),
    # ------------------------------------------------------------ webinars
    Row("GET", "/api/v1/webinars", everyone(200)),
    Row("POST", "/api/v1/webinars", only({D: 201}),
        body=lambda s: {"title": "Peer exchange", "description": "Two cities share their plans.", "starts_at": future(14).isoformat(),
                        "duration_minutes": 60, "timezone": "Europe/Rome", "capacity": 30,
                        "join_url": "https://meet.example.org/x", "status": "published"}),
    Row("GET", "/api/v1/webinars/<int:webinar_id>", everyone(200), path=lambda s: f"/api/v1/webinars/{s.webinar.id}"),
    Row("PATCH", "/api/v1/webinars/<int:webinar_id>", only({D: 200}), path=lambda s: f"/api/v1/webinars/{s.webinar.id}",
        body=lambda s: {"title": "Peer exchange: data"}),
    Row("POST", "/api/v1/webinars/<int:webinar_id>/cancel", only({D: 200}), path=lambda s: f"/api/v1/webinars/{s.webinar.id}/cancel",
        body=lambda s: {"reason": "The speakers are ill."}),
    Row("POST", "/api/v1/webinars/<int:webinar_id>/registrations", everyone(201),
        path=lambda s: f"/api/v1/webinars/{s.other_webinar.id}/registrations"),
    Row("DELETE", "/api/v1/webinars/<int:webinar_id>/registrations/me", everyone(204),
        path=lambda s: f"/api/v1/webinars/{s.webinar.id}/registrations/me"),
    Row("GET", "/api/v1/webinars/<int:webinar_id>/registrations", only({D: 200}),
        path=lambda s: f"/api/v1/webinars/{s.webinar.id}/registrations"),
    Row("POST", "/api/v1/webinars/<int:webinar_id>/attendance", only({D: 200}),
        path=lambda s: f"/api/v1/webinars/{s.past_webinar.id}/attendance", body=lambda s: {"user_ids": [s.learner.id]}),
    Row("GET", "/api/v1/webinars/<int:webinar_id>/calendar.ics", everyone(200),
        path=lambda s: f"/api/v1/webinars/{s.webinar.id}/calendar.ics"),
    # ------------------------------------------------------------ practices (city A's; see _practice below)
    Row("GET", "/api/v1/practices", everyone(200)),
    # A coordinator for their own city (A), an admin naming it; learners and consultants never.
    Row("POST", "/api/v1/practices", only({C: 201, D: 201}),
        body=lambda s: {"title": "Anti-rumour agents", "summary": "Volunteers answer prejudice.", "description": "How.",
                        "commitments": [4], "languages": ["de", "en"], "city_id": s.city_a.id}),
    Row("GET", "/api/v1/practices/<int:practice_id>", everyone(200), path=lambda s: f"/api/v1/practices/{_practice(s, 'published')}"),
    # City A's draft: its coordinator and the office edit it; the roles that never edit get 403.
    Row("PATCH", "/api/v1/practices/<int:practice_id>", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/practices/{_practice(s, 'draft')}", body=lambda s: {"title": "Renamed practice"}),
    Row("POST", "/api/v1/practices/<int:practice_id>/submit", only({C: 200, D: 200}),
        path=lambda s: f"/api/v1/practices/{_practice(s, 'draft')}/submit"),
    Row("POST", "/api/v1/practices/<int:practice_id>/publish", only({D: 200}),
        path=lambda s: f"/api/v1/practices/{_practice(s, 'submitted')}/publish"),
    Row("POST", "/api/v1/practices/<int:practice_id>/send-back", only({D: 200}),
        path=lambda s: f"/api/v1/practices/{_practice(s, 'submitted')}/send-back",
        body=lambda s: {"comment": "Please add the results you measured."}),
    Row("POST", "/api/v1/practices/<int:practice_id>/archive", only({D: 200}),
        path=lambda s: f"/api/v1/practices/{_practice(s, 'published')}/archive"),
]


def _practice(s, status: str) -> int:
    """A practice of city A in `status`, made on first use (the other rows do not pay for it)."""
    made = s.__dict__.setdefault("_practices", {})
    if status not in made:
        from ..factories import make_practice
        made[status] = make_practice(s.city_a, f"City A's {status} practice", status=status).id
    return made[status]


def _domain_rows() -> list[Row]:
    """Rows that the exchanges and feedback domains keep in their own modules
    (tests/api/<domain>_rows.py, a `rows(Row, only, everyone, public, A, L, C, S, D, P)` function)."""
    from . import exchange_rows, feedback_rows

    return [row for module in (exchange_rows, feedback_rows) for row in module.rows(Row, only, everyone, public, A, L, C, S, D, P)]


ROWS += _domain_rows()


KEPT = ("city_a", "city_b", "learner", "coordinator", "consultant", "admin", "probe", "pending", "applicant", "course",
        "lesson", "quiz", "booked_slot", "booking", "open_slot", "other_slot", "plan", "webinar", "other_webinar",
        "past_webinar")


class Scenario:
    """The shared scenario, built once per session (`build`) and given to every case as a
    copy of that database (`conftest.database.keep/restore`); each case reloads its rows."""

    @staticmethod
    def build(tmp_path) -> dict:
        """Make the scenario in the current app's database; returns the ids and tokens to find it."""
        s = Scenario.__new__(Scenario)
        s.city_a = make_city("City A", "AT", "Europe/Vienna")
        s.city_b = make_city("City B", "BE", "Europe/Brussels")
        s.learner = make_user("learner", city=s.city_a)
        s.coordinator = make_user("coordinator", city=s.city_a)
        s.consultant = make_consultant()
        s.admin = make_user("admin")
        s.probe = make_user("learner", city=s.city_b)
        s.pending = make_user("learner")
        s.applicant = make_user("learner")
        for person in (s.pending, s.applicant):
            person.requested_city_id = s.city_a.id
            person.city_requested_at = utcnow()
        actors = {L: s.learner, C: s.coordinator, S: s.consultant, D: s.admin, P: s.pending}
        s.course = make_course(tmp_path)
        s.lesson = next(iter(sorted(s.course_lessons(), key=lambda x: x.id)))
        s.quiz = s.course_quiz()
        for user in actors.values():
            course_services.enroll(user, "sample-course")
        s.booked_slot = make_slot(s.consultant, starts_at=future(5))
        s.booking = make_booking(slot=s.booked_slot, city=s.city_a, booked_by=s.coordinator)
        s.open_slot = make_slot(s.consultant, starts_at=future(6))
        s.other_slot = make_slot(s.consultant, starts_at=future(7))
        s.plan = make_plan(s.city_a)
        s.webinar = make_webinar(starts_at=future(10), capacity=10)
        s.other_webinar = make_webinar(starts_at=future(11), capacity=10)
        s.past_webinar = make_webinar(starts_at=utcnow() - timedelta(days=2), capacity=10)
        for user in actors.values():
            make_registration(s.webinar, user)
            make_registration(s.past_webinar, user)
        tokens = {role: make_token(user) for role, user in actors.items()}
        make_token(s.probe)
        from action_lms.extensions import db
        token_ids = dict(db.session.execute(select(ApiToken.user_id, ApiToken.id)).all())
        return {
            "ids": {name: getattr(s, name).id for name in KEPT},
            "models": {name: type(getattr(s, name)) for name in KEPT},
            "actors": {role: user.id for role, user in actors.items()},
            "tokens": tokens,
            "token_ids": token_ids,
        }

    def __init__(self, role: str, kept: dict):
        from action_lms.extensions import db
        self.role = role
        for name in KEPT:
            setattr(self, name, db.session.get(kept["models"][name], kept["ids"][name]))
        self.actors = {r: db.session.get(type(self.learner), uid) for r, uid in kept["actors"].items()}
        self.actor = self.actors.get(role)
        self.token = kept["tokens"].get(role)
        self.own_token_id = kept["token_ids"][self.actor.id] if self.actor else None
        self.probe_token_id = kept["token_ids"][self.probe.id]

    def course_lessons(self):
        from action_lms.extensions import db
        return db.session.scalars(select(Lesson)).all()

    def course_quiz(self):
        from action_lms.extensions import db
        return db.session.scalars(select(Quiz).order_by(Quiz.id)).first()


@pytest.fixture(scope="session")
def kept_scenario(database, tmp_path_factory):
    """The scenario's database, built once for the whole matrix (about 0.3 s a case saved)."""
    from action_lms.extensions import db

    from ..conftest import build_app
    tmp = tmp_path_factory.mktemp("matrix")
    url = database(tmp)
    app = build_app(url)
    with app.app_context():
        kept = Scenario.build(tmp)
        db.session.remove()
        db.engine.dispose()
    return kept, database.keep(url)


@pytest.fixture
def scenario_app(database, kept_scenario, tmp_path):
    from action_lms.core.db import reset_write_intent, set_write_intent
    from action_lms.extensions import db

    from ..conftest import build_app
    kept, copy = kept_scenario
    app = build_app(database.restore(copy, tmp_path))
    token = set_write_intent(False)
    with app.app_context():
        yield app, kept
        db.session.remove()
        db.engine.dispose()
    reset_write_intent(token)


def api_rules(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule in IGNORED:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, rule.rule))
    return found


def test_every_endpoint_has_a_row(app):
    rows = {(r.method, r.rule) for r in ROWS}
    endpoints = api_rules(app)
    assert endpoints - rows == set(), f"API endpoints without an access-matrix row: {sorted(endpoints - rows)}"
    assert rows - endpoints == set(), f"matrix rows for endpoints that do not exist: {sorted(rows - endpoints)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.rule}" for r in ROWS])
def test_access(scenario_app, role, row):
    app, kept = scenario_app
    client = app.test_client()
    scenario = Scenario(role, kept)
    path = row.path(scenario) if row.path else row.rule
    body = row.body(scenario) if row.body else None
    api = ApiClient(client, scenario.token)
    response = api.request(row.method, path, json=body)
    expected = row.expect[role]
    assert response.status_code == expected, f"{role} {row.method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}"
