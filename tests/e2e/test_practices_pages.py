"""Accessibility of the good-practice pages: axe-core finds no serious violations on the
library (with results and after a search), a practice's page (with the exchange button, as a
draft, with the office's review panel), the city's own list, the form (empty and with its
errors), and the office's review queue (with an error on a send-back)."""
from __future__ import annotations

import pytest

from ..factories import PASSWORD, make_city, make_practice, make_user
from .conftest import assert_accessible, sign_in


@pytest.fixture
def library(app):
    barcelona = make_city("Barcelona", "ES", "Europe/Madrid")
    graz = make_city("Graz", "AT", "Europe/Vienna")
    users = {
        "coordinator": make_user("coordinator", email="coordinator@example.org", city=graz),
        "barcelona": make_user("coordinator", email="barcelona@example.org", city=barcelona),
        "admin": make_user("admin", email="admin@example.org"),
        "learner": make_user("learner", email="learner@example.org", city=graz),
    }
    published = make_practice(
        barcelona, "Municipal Plan against Islamophobia", commitments=(1, 3, 8),
        milestone_keys=("stakeholder_consultation", "draft_plan"), languages=("es", "ca", "en"),
        summary="A city-wide plan against anti-Muslim racism.", description="**Three lines**: vigilance, support, education.",
        problem="Prejudice in services.", transfer="A political mandate.", started_year=2016,
        featured_in="Guidebook on Local Actions against Anti-Muslim Racism",
        links=[{"title": "ECCAR", "url": "https://www.eccar.info/"}], contact_id=users["barcelona"].id)
    draft = make_practice(graz, "Graz draft", status="draft", review_comment="Please add the results.")
    submitted = make_practice(barcelona, "Barcelona waiting", status="submitted")
    return users, {"published": published.id, "draft": draft.id, "submitted": submitted.id}


PAGES = {
    "coordinator": ["/practices", "/practices?q=islamophobie&commitment=3", "/practices?q=nothing-matches",
                    "/practices/{published}", "/practices/{draft}", "/practices/mine", "/practices/new",
                    "/practices/{draft}/edit"],
    "learner": ["/practices", "/practices/{published}"],
    "admin": ["/practices", "/practices/review", "/practices/{submitted}", "/practices/{published}", "/practices/new"],
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_practices_pages_are_accessible(page, library, role):
    users, ids = library
    sign_in(page, users[role].email, PASSWORD)
    for template in PAGES[role]:
        path = template.format(**ids)
        response = page.goto(path)
        assert response.status == 200, f"{role} {path}: {response.status}"
        assert_accessible(page, f"{role} {path}")


def test_the_exchange_button_is_reachable_by_keyboard(page, library):
    users, ids = library
    sign_in(page, users["coordinator"].email, PASSWORD)
    page.goto(f"/practices/{ids['published']}")
    button = page.get_by_role("link", name="Ask for an exchange about this")
    assert button.is_visible()
    button.focus()
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Ask for an exchange about this"


def test_the_form_with_errors_is_accessible(page, library):
    users, _ = library
    sign_in(page, users["coordinator"].email, PASSWORD)
    page.goto("/practices/new")
    page.get_by_label("Languages the city can talk about it in").fill("Spanish")
    page.get_by_role("button", name="Save the draft").click()
    assert page.get_by_role("alert").is_visible()
    assert page.locator("#title-error").is_visible() and page.locator("#commitments-error").is_visible()
    assert_accessible(page, "new practice with errors")
    page.get_by_role("link", name="Title: This field is required.").click()
    assert page.evaluate("() => location.hash") == "#title"


def test_the_review_queue_with_a_send_back_error_is_accessible(page, library):
    users, ids = library
    sign_in(page, users["admin"].email, PASSWORD)
    page.goto("/practices/review")
    page.get_by_text("Send back to Barcelona with a comment").click()
    page.get_by_role("button", name="Send back Barcelona waiting").click()
    assert page.locator(f"#p{ids['submitted']}-comment-error").is_visible()
    assert_accessible(page, "review queue with an error")
