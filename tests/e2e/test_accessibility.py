"""Accessibility baseline: axe-core finds no serious violations on the pages of each kind of
user, and the keyboard reaches the content with a visible focus."""
import pytest

from datetime import timedelta

from action_lms.core.time import utcnow
from action_lms.courses import services as course_services

from ..factories import (
    PASSWORD, make_booking, make_city, make_consultant, make_course, make_plan, make_registration, make_slot, make_user,
    make_webinar,
)
from .conftest import assert_accessible, sign_in

PUBLIC_PAGES = ["/", "/login", "/register", "/password/forgot"]
PAGES_BY_ROLE = {
    "learner": ["/", "/account", "/courses", "/courses/sample-course", "/my-learning", "/webinars", "/webinars/{webinar}",
                "/my/webinars", "/my-city", "/consulting", "/lessons/{lesson}", "/quizzes/{quiz}"],
    "coordinator": ["/my-city", "/cities/{city}/plans", "/plans/{plan}/history", "/consulting/bookings",
                    "/consulting/bookings/{booking}", "/consulting/slots/{slot}/book", "/course-reports",
                    "/course-reports/sample-course", "/join-requests"],
    "consultant": ["/consulting/schedule", "/consulting/profile", "/consulting/bookings/{booking}"],
    "admin": ["/admin/cities", "/admin/cities/new", "/admin/users", "/admin/users/new", "/account", "/progress/cities",
              "/plans", "/webinars/new", "/webinars/{webinar}/edit", "/webinars/{webinar}/registrations",
              "/consulting/overview", "/course-reports/sample-course", "/join-requests"],
}


def build_world(tmp_path, city):
    """Something on every page: a course, a webinar, slots and a booking, a plan."""
    from action_lms.courses.models import Lesson, Quiz
    from action_lms.extensions import db
    make_course(tmp_path)
    learner = make_user("learner", email="learner@example.org", city=city)
    coordinator = make_user("coordinator", email="coordinator@example.org", city=city)
    consultant = make_consultant(email="consultant@example.org")
    admin = make_user("admin", email="admin@example.org")
    course_services.enroll(learner, "sample-course")
    webinar = make_webinar(title="Peer exchange on data", starts_at=utcnow() + timedelta(days=5))
    make_registration(webinar, learner)
    start = (utcnow() + timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0)
    booking = make_booking(slot=make_slot(consultant, starts_at=start), city=city, booked_by=coordinator)
    open_slot = make_slot(consultant, starts_at=start + timedelta(hours=2))
    plan = make_plan(city)
    waiting = make_user("learner", email="waiting@example.org")  # a row on "People asking to join"
    waiting.requested_city_id, waiting.city_requested_at = city.id, utcnow()
    db.session.commit()
    ids = {"webinar": webinar.id, "booking": booking.id, "slot": open_slot.id, "plan": plan.id, "city": city.id,
           "lesson": db.session.scalars(db.select(Lesson).order_by(Lesson.id)).first().id,
           "quiz": db.session.scalars(db.select(Quiz).order_by(Quiz.id)).first().id}
    return {"learner": learner, "coordinator": coordinator, "consultant": consultant, "admin": admin}, ids


def test_public_pages(page):
    for path in PUBLIC_PAGES:
        page.goto(path)
        assert_accessible(page, path)


@pytest.mark.parametrize("role", sorted(PAGES_BY_ROLE))
def test_signed_in_pages(page, role, tmp_path):
    users, ids = build_world(tmp_path, make_city("Graz", "AT", "Europe/Vienna"))
    sign_in(page, users[role].email, PASSWORD)
    for template in PAGES_BY_ROLE[role]:
        path = template.format(**ids)
        response = page.goto(path)
        assert response.status == 200, f"{role} {path}: {response.status}"
        assert_accessible(page, f"{role} {path}")


def test_form_errors_are_accessible(page):
    page.goto("/register")
    page.get_by_role("button", name="Create account").click()
    assert_accessible(page, "register with errors")


def test_keyboard_reaches_content_with_visible_focus(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    # Tab on: the e-mail field is reachable and focus is visible there too.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "email":
            break
    assert page.evaluate("() => document.activeElement.id") == "email"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
