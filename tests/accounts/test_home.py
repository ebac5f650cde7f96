"""The signed-in home page: what waits for each person, and the panels of their role, each
item linking to where the action happens (issue: "a home page per role")."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from action_lms.core.hooks import HomeContent, contributions
from action_lms.core.time import utcnow
from action_lms.courses import services as course_services
from action_lms.courses.models import Course, Lesson, Quiz

from ..exchanges.world import make_world, requested
from ..factories import (
    make_booking,
    make_city,
    make_consultant,
    make_course,
    make_plan,
    make_practice,
    make_registration,
    make_slot,
    make_user,
    make_webinar,
)
from ..helpers import csrf_from, login_session

DEMO_USERS = [
    ("admin@demo.action-lms.eu", "demo-admin-pass"),
    ("coordinator@demo.action-lms.eu", "demo-coordinator-pass"),
    ("consultant@demo.action-lms.eu", "demo-consultant-pass"),
    ("learner@demo.action-lms.eu", "demo-learner-pass"),
    ("bologna@demo.action-lms.eu", "demo-bologna-pass"),
    ("berlin@demo.action-lms.eu", "demo-berlin-pass"),
]
BROKEN = "Part of this page could not be loaded"


def main_of(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main_of(html))))


def links_of(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', main_of(html))]


def home_as(client, user) -> str:
    login_session(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_signed_out_home_explains_the_service_and_offers_sign_in(client):
    html = client.get("/").get_data(as_text=True)
    assert "Sign in" in text_of(html) and "Create an account" in text_of(html)
    assert "Waiting for you" not in html


@pytest.mark.parametrize("email,password", DEMO_USERS)
def test_every_link_on_each_demo_users_home_answers_200_for_them(app, email, password):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert BROKEN not in html
    assert "Waiting for you" in html
    links = sorted({href.split("#")[0] for href in links_of(html) if href.startswith("/")})
    assert len(links) >= 3, links
    for href in links:
        response = client.get(href)
        assert response.status_code == 200, (email, href, response.status_code)


def test_learner_continue_leads_to_the_modules_quiz_once_its_lessons_are_done(app, session, tmp_path):
    course = make_course(tmp_path)
    learner = make_user("learner", city=make_city())
    course_services.enroll(learner, course.slug)
    basics = [lesson for lesson in session.query(Lesson).filter_by(course_id=course.id) if lesson.module.key == "basics"]
    for lesson in basics:
        course_services.complete_lesson(learner, lesson.id)
    quiz = next(q for q in session.query(Quiz).filter_by(course_id=course.id) if q.module.key == "basics")
    html = home_as(app.test_client(), learner)
    text = text_of(html)
    assert "Continue learning" in text
    assert f'href="/quizzes/{quiz.id}"' in main_of(html)
    assert f"Next: quiz “{quiz.title}”" in text
    assert "2 of 3 lessons and 0 of 2 quizzes done" in text


def test_learner_home_lists_registered_webinars_and_certificates_and_feedback(app, session):
    learner = make_user("learner")
    soon = make_webinar("Drafting indicators", starts_at=(utcnow() + timedelta(days=2)).replace(microsecond=0))
    make_webinar("Not registered", starts_at=(utcnow() + timedelta(days=3)).replace(microsecond=0))
    make_registration(soon, learner)
    text = text_of(home_as(app.test_client(), learner))
    assert "Your next webinars" in text and "Drafting indicators" in text
    assert "Not registered" not in text
    assert "Your certificates" not in text  # none earned: no empty panel


def test_coordinator_sees_the_plan_with_overdue_milestones_first(app, session):
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, timezone="Europe/Vienna")
    today = utcnow().date()
    make_plan(city, statuses={"coordination_team": "completed"},
              due={"baseline_assessment": today + timedelta(days=40), "stakeholder_consultation": today - timedelta(days=3)})
    html = home_as(app.test_client(), coordinator)
    text = text_of(html)
    assert "Graz's action plan" in text
    assert "11% 1 of 9 milestones completed" in text
    first, second = re.findall(r'href="(/my-city\?milestone=[a-z_]+#milestone-[a-z_]+)"', main_of(html))[:2]
    assert first == "/my-city?milestone=stakeholder_consultation#milestone-stakeholder_consultation"
    assert second.startswith("/my-city?milestone=baseline_assessment")
    assert re.search(r"Stakeholder consultation Overdue Not started · due \d+ \w+ \d{4}", text)


def test_coordinator_sees_join_requests_invitations_to_host_and_the_citys_learning(app, session, tmp_path):
    world = make_world()
    client = app.test_client()
    _, exchange = requested(client, world)
    from ..helpers import api_as
    office = api_as(client, world.admin)
    assert office.post(f"/api/v1/exchanges/{exchange['id']}/invitations", json={"city_id": world.bologna.id}).status_code == 201
    newcomer = make_user("learner", city=None)
    newcomer.requested_city_id = world.bologna.id
    newcomer.city_requested_at = utcnow()
    course = make_course(tmp_path)
    course_services.enroll(world.learner["bologna"], course.slug)
    session.commit()
    html = home_as(app.test_client(), world.coord["bologna"])
    text = text_of(html)
    assert "1 person asks to join your city" in text
    assert "Answer the invitation: “Drafting a plan against anti-Muslim racism”" in text
    assert f'href="/exchanges/{exchange["id"]}#answer"' in main_of(html)
    assert "What Bologna's people are learning" in text and "1 enrolled" in text
    assert f'href="/course-reports/{course.slug}?city_id={world.bologna.id}"' in main_of(html)


def test_consultant_sees_todays_session_with_the_citys_questions_and_notes_to_write(app, session):
    consultant = make_consultant(timezone="Europe/Madrid")
    now = utcnow().replace(microsecond=0, second=0)
    city = make_city("Lisbon", "PT", "Europe/Lisbon")
    coordinator = make_user("coordinator", city=city)
    later = make_booking(make_slot(consultant, starts_at=now + timedelta(minutes=30)), booked_by=coordinator,
                         topic="Indicators", questions="1. Which indicators?\r\n2. Who collects them?")
    past = make_booking(make_slot(consultant, starts_at=now - timedelta(hours=3)), booked_by=coordinator, topic="Budget")
    make_slot(consultant, starts_at=now + timedelta(hours=1))
    html = home_as(app.test_client(), consultant)
    text = text_of(html)
    assert "Lisbon: Indicators" in text
    assert "Questions: 1. Which indicators? 2. Who collects them?" in text
    assert f'href="/consulting/bookings/{later.id}"' in main_of(html)
    assert "Write the notes of Lisbon's session “Budget”" in text
    assert f'href="/consulting/bookings/{past.id}/notes"' in main_of(html)
    assert re.search(r"Open slots \d+", text)


def test_office_sees_what_waits_for_it_and_the_weeks_webinars_with_fill_rate(app, session):
    world = make_world()
    admin = world.admin
    requested(app.test_client(), world)
    make_practice(city=world.lisbon, status="submitted", title="Anti-rumour agents")
    consultant = make_consultant()
    make_booking(make_slot(consultant, starts_at=utcnow().replace(microsecond=0) - timedelta(days=2)),
                 booked_by=world.coord["helsinki"])
    webinar = make_webinar("Community consultation", starts_at=(utcnow() + timedelta(days=2)).replace(microsecond=0),
                           capacity=10)
    for _ in range(3):
        make_registration(webinar, make_user("learner"))
    make_plan(world.bologna, due={"coordination_team": date.today() - timedelta(days=10)})
    text = text_of(home_as(app.test_client(), admin))
    assert "Invite host cities: 1 exchange" in text
    assert "1 good practice waits for review" in text
    assert "1 consulting session has no notes yet" in text
    assert "Community consultation" in text and "3 of 10 seats taken (30%)" in text
    assert re.search(r"Cities with overdue milestones Bologna 1 overdue: Coordination team", text)
    assert "This month" in text and "Peer exchanges requested 1" in text


def test_a_failing_panel_is_left_out_and_the_rest_of_the_page_still_shows(app, session):
    def broken(user, now):
        raise RuntimeError("a bug in one panel")

    contributions(app).add_home_panel("broken", broken, {"learner": 1})
    learner = make_user("learner")
    html = home_as(app.test_client(), learner)
    assert BROKEN in html
    assert "Continue learning" in html


def test_a_panel_that_has_nothing_for_the_viewer_is_not_shown(app, session):
    contributions(app).add_home_panel("quiet", lambda user, now: None, {"learner": 1})
    contributions(app).add_home_panel("loud", lambda user, now: HomeContent(title="Loud panel"), {"admin": 1})
    html = home_as(app.test_client(), make_user("learner"))
    assert "Loud panel" not in html and BROKEN not in html


def test_home_queries_do_not_grow_with_the_citys_people_and_enrollments(app, session, tmp_path, count_queries):
    course = make_course(tmp_path)
    city = make_city()
    coordinator = make_user("coordinator", city=city)
    make_plan(city)

    def add_learners(n):
        for _ in range(n):
            course_services.enroll(make_user("learner", city=city), course.slug)

    client = app.test_client()
    login_session(client, coordinator)
    add_learners(2)
    with count_queries() as few:
        assert client.get("/").status_code == 200
    add_learners(8)
    with count_queries() as many:
        assert client.get("/").status_code == 200
    assert many.count == few.count
    assert session.query(Course).count() == 1
