"""Single-line fields (titles, names, topics, owners, languages, links, keys) refuse line breaks
and control characters with a 422 naming the field, through the API, the HTML forms and the
CLI alike: the rule is core's `single_line`, called by the services. Multi-line fields
(descriptions, questions, notes, reasons) keep line breaks but refuse other controls."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from action_lms.consulting.models import Booking
from action_lms.core.time import utcnow
from action_lms.core.validators import CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_CONTROL_MESSAGE
from action_lms.extensions import db
from action_lms.plans.models import Milestone, Plan
from action_lms.webinars.models import Webinar

from ..factories import (
    make_booking,
    make_city,
    make_consultant,
    make_plan,
    make_slot,
    make_user,
    make_webinar,
    write_course_files,
)
from ..helpers import api_as, assert_envelope, login_session

BAD_ONE_LINE = ["Evil\r\nBcc: x@example.org", "Esc\x1b[31m", "Bell\x07", "Tab\there", "Sep\u2028arator", "C1\x85mid"]
BAD_MULTI_LINE = ["Esc\x1b[2J", "Bell\x07", "Sep\u2029arator"]


def future_iso(days: int = 30) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()


def refused(response, field: str, message: str = CONTROL_CHARACTERS_MESSAGE) -> dict:
    body = assert_envelope(response, 422)
    assert field in body["errors"], body
    assert message in body["errors"][field], body
    assert field in body["message"] or message in body["message"], body
    return body


def form_refused(response, field_id: str, message: str = CONTROL_CHARACTERS_MESSAGE) -> str:
    """The form is shown again (422) with the message in place, next to the field."""
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}">([^<]*)</p>', html)
    assert match, f"no error shown for {field_id}"
    assert message in match.group(1)
    return html


# ---------------------------------------------------------------- webinars

@pytest.mark.parametrize("bad", BAD_ONE_LINE)
def test_webinar_api_refuses_control_characters_in_the_title(app, client, bad):
    api = api_as(client, make_user("admin"))
    body = {"title": bad, "starts_at": future_iso(), "duration_minutes": 60, "timezone": "Europe/Berlin",
            "capacity": 10, "status": "published"}
    refused(api.post("/api/v1/webinars", json=body), "title")
    webinar = make_webinar()
    refused(api.patch(f"/api/v1/webinars/{webinar.id}", json={"title": bad}), "title")
    db.session.expire_all()
    assert db.session.scalars(select(Webinar.title)).all() == [webinar.title]


def test_webinar_api_checks_links_module_keys_description_and_reason(app, client):
    api = api_as(client, make_user("admin"))
    webinar = make_webinar()
    refused(api.patch(f"/api/v1/webinars/{webinar.id}", json={"join_url": "https://meet.example.org/\r\nx"}), "join_url")
    refused(api.patch(f"/api/v1/webinars/{webinar.id}", json={"course_module_keys": ["a\nb"]}), "course_module_keys")
    refused(api.patch(f"/api/v1/webinars/{webinar.id}", json={"description": "Intro\x1b[2J"}), "description",
            MULTI_LINE_CONTROL_MESSAGE)
    assert api.patch(f"/api/v1/webinars/{webinar.id}", json={"description": "Line one\r\nLine two"}).status_code == 200
    refused(api.post(f"/api/v1/webinars/{webinar.id}/cancel", json={"reason": "Ill\x07"}), "reason",
            MULTI_LINE_CONTROL_MESSAGE)
    assert api.post(f"/api/v1/webinars/{webinar.id}/cancel", json={"reason": "Speaker ill.\nSorry."}).status_code == 200


@pytest.mark.parametrize("bad", ["Evil\r\nBcc: x@example.org", "Esc\x1b[31m"])
def test_webinar_form_shows_the_control_character_error_on_the_title(app, client, bad):
    admin = make_user("admin")
    csrf = login_session(client, admin)
    form = {"csrf_token": csrf, "title": bad, "starts_local": "2030-10-27T10:00", "timezone": "Europe/Berlin",
            "duration_minutes": "60", "capacity": "10", "status": "published", "join_url": ""}
    form_refused(client.post("/webinars/new", data=form), "title-error")
    assert db.session.scalar(select(Webinar)) is None
    webinar = make_webinar(title="Good title")
    form_refused(client.post(f"/webinars/{webinar.id}/edit", data=form), "title-error")
    db.session.expire_all()
    assert db.session.get(Webinar, webinar.id).title == "Good title"


# ---------------------------------------------------------------- consulting

def _coordinator_and_slot():
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city)
    slot = make_slot(make_consultant(), starts_at=utcnow().replace(microsecond=0, second=0) + timedelta(days=5))
    return coordinator, slot


@pytest.mark.parametrize("bad", BAD_ONE_LINE)
def test_booking_topic_refuses_control_characters_in_api(client, session, bad):
    coordinator, slot = _coordinator_and_slot()
    refused(api_as(client, coordinator).post(f"/api/v1/slots/{slot.id}/booking", json={"topic": bad}), "topic")
    assert session.scalar(select(Booking)) is None


def test_booking_form_shows_the_topic_error_in_place(client, session):
    coordinator, slot = _coordinator_and_slot()
    login_session(client, coordinator)
    page = client.get(f"/consulting/slots/{slot.id}/book").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(f"/consulting/slots/{slot.id}/book",
                           data={"csrf_token": csrf, "topic": "Data\r\nBcc: x@example.org", "questions": "Q"})
    form_refused(response, "topic-error")
    assert session.scalar(select(Booking)) is None


def test_booking_questions_and_cancel_reason_keep_line_breaks_but_not_controls(client, session):
    coordinator, slot = _coordinator_and_slot()
    api = api_as(client, coordinator)
    refused(api.post(f"/api/v1/slots/{slot.id}/booking", json={"topic": "Data", "questions": "Q\x1b[2J"}),
            "questions", MULTI_LINE_CONTROL_MESSAGE)
    booking = api.post(f"/api/v1/slots/{slot.id}/booking", json={"topic": "Data", "questions": "One?\nTwo?"})
    assert booking.status_code == 201 and booking.get_json()["questions"] == "One?\nTwo?"
    refused(api.post(f"/api/v1/bookings/{booking.get_json()['id']}/cancel", json={"reason": "Ill\x00"}), "reason",
            MULTI_LINE_CONTROL_MESSAGE)


def test_follow_up_owner_and_text_are_one_line(client, session):
    consultant = make_consultant()
    booking = make_booking(make_slot(consultant, starts_at=utcnow().replace(microsecond=0) - timedelta(days=1)))
    api = api_as(client, consultant)
    body = {"summary": "Held.\nGood session.", "follow_ups": [{"text": "Survey", "owner": "City\r\nteam"}]}
    refused(api.post(f"/api/v1/bookings/{booking.id}/notes", json=body), "follow_ups.0.owner")
    body["follow_ups"] = [{"text": "Survey\x1b[31m", "owner": "City team"}]
    refused(api.post(f"/api/v1/bookings/{booking.id}/notes", json=body), "follow_ups.0.text")

    login_session(client, consultant)
    page = client.get(f"/consulting/bookings/{booking.id}/notes").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(f"/consulting/bookings/{booking.id}/notes", data={
        "csrf_token": csrf, "status": "held", "summary": "Held.",
        "follow_ups-0-text": "", "follow_ups-0-owner": "",
        "follow_ups-1-text": "Survey", "follow_ups-1-owner": "City\r\nteam"})
    form_refused(response, "follow_ups-1-owner-error")  # on the row it belongs to, skipped rows counted


def test_consultant_languages_are_one_line(client, session):
    consultant = make_consultant()
    refused(api_as(client, consultant).patch(f"/api/v1/consultants/{consultant.id}",
                                             json={"languages": ["English\r\nBcc"]}), "languages")


# ---------------------------------------------------------------- plans

@pytest.mark.parametrize("bad", BAD_ONE_LINE)
def test_plan_api_refuses_control_characters_in_title_focus_and_owner(client, session, bad):
    city = make_city("Graz", "AT", "Europe/Vienna")
    api = api_as(client, make_user("coordinator", city=city))
    refused(api.post(f"/api/v1/cities/{city.id}/plans", json={"title": bad, "focus": "All"}), "title")
    refused(api.post(f"/api/v1/cities/{city.id}/plans", json={"title": "Plan", "focus": bad}), "focus")
    plan = make_plan(city)
    refused(api.patch(f"/api/v1/plans/{plan.id}", json={"title": bad}), "title")
    refused(api.patch(f"/api/v1/plans/{plan.id}/milestones/political_mandate", json={"owner": bad}), "owner")
    db.session.expire_all()
    assert db.session.scalars(select(Plan.title)).all() == [plan.title]


def test_milestone_note_keeps_line_breaks_but_not_controls(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    api = api_as(client, make_user("coordinator", city=city))
    plan = make_plan(city)
    url = f"/api/v1/plans/{plan.id}/milestones/political_mandate"
    refused(api.patch(url, json={"note": "Minutes\x1b[2J"}), "note", MULTI_LINE_CONTROL_MESSAGE)
    refused(api.patch(url, json={"status": "blocked", "blocked_reason": "Council\x07"}), "blocked_reason",
            MULTI_LINE_CONTROL_MESSAGE)
    refused(api.patch(url, json={"evidence_url": "https://graz.at/\r\nx"}), "evidence_url")
    assert api.patch(url, json={"note": "Decided.\r\nSee the minutes."}).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Milestone.note).where(Milestone.key == "political_mandate")) \
        == "Decided.\nSee the minutes."


def test_plan_forms_show_the_control_character_error_in_place(client, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city)
    csrf = login_session(client, coordinator)
    form_refused(client.post(f"/cities/{city.id}/plans/new",
                             data={"csrf_token": csrf, "title": "Plan\r\nBcc: x", "focus": "All"}), "title-error")
    assert session.scalar(select(Plan)) is None
    plan = make_plan(city)
    form_refused(client.post(f"/plans/{plan.id}/edit",
                             data={"csrf_token": csrf, "title": "Plan", "focus": "All\x1b[31m"}), "focus-error")
    prefix = "political_mandate"
    form_refused(client.post(f"/plans/{plan.id}/milestones/{prefix}", data={
        "csrf_token": csrf, f"{prefix}-status": "in_progress", f"{prefix}-owner": "Mayor\r\noffice"}),
        f"{prefix}-owner-error")


# ---------------------------------------------------------------- courses (the import CLI)

@pytest.mark.parametrize("file, text, expected", [
    ("course.yaml", None, "course.yaml:2: the course: 'title': " + CONTROL_CHARACTERS_MESSAGE),
    ("basics/01-first.md", "---\nkey: first\ntitle: \"First\\x1b[31m\"\nminutes: 10\n---\nBody\n",
     "basics/01-first.md:3: the lesson: 'title': " + CONTROL_CHARACTERS_MESSAGE),
    ("basics/quiz.yaml", ("key: basics-quiz\ntitle: \"Quiz\\u2028two\"\npass_mark: 50\nquestions:\n  - key: q1\n"
                          "    text: \"Pick\\x07\"\n    type: single\n    options:\n      - key: a\n        text: A\n"
                          "        correct: true\n      - key: b\n        text: B\n"),
     "basics/quiz.yaml:2: the quiz: 'title': " + CONTROL_CHARACTERS_MESSAGE),
])
def test_course_import_cli_refuses_control_characters_with_file_and_line(app, tmp_path, file, text, expected):
    write_course_files(tmp_path, title="Intro", overrides={file: text} if text else None)
    if text is None:
        path = tmp_path / "sample-course" / "course.yaml"
        path.write_text(path.read_text().replace("title: Intro", 'title: "Intro\\r\\nBcc: x@example.org"'))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "nothing was imported" in result.output


def test_course_import_keeps_line_breaks_in_summaries_but_not_controls(app, tmp_path):
    write_course_files(tmp_path)
    path = tmp_path / "sample-course" / "course.yaml"
    path.write_text(path.read_text().replace("summary: A short course used by the tests.",
                                             'summary: "Two lines.\\nSecond\\x1b[2J"'))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 1 and "'summary': " + MULTI_LINE_CONTROL_MESSAGE in result.output
    path.write_text(path.read_text().replace('"Two lines.\\nSecond\\x1b[2J"', '"Two lines.\\nSecond line."'))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
