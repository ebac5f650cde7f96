"""Accessibility baseline: axe-core finds no serious violations on the pages of each kind of
user, and the keyboard reaches the content with a visible focus."""
import pytest

from ..factories import PASSWORD, make_city, make_user
from .conftest import assert_accessible, sign_in

PUBLIC_PAGES = ["/", "/login", "/register", "/password/forgot"]
PAGES_BY_ROLE = {
    "learner": ["/", "/account"],
    "admin": ["/admin/cities", "/admin/cities/new", "/admin/users", "/admin/users/new", "/account"],
}


def test_public_pages(page):
    for path in PUBLIC_PAGES:
        page.goto(path)
        assert_accessible(page, path)


@pytest.mark.parametrize("role", sorted(PAGES_BY_ROLE))
def test_signed_in_pages(page, role):
    user = make_user(role, email=f"{role}@example.org", city=make_city())
    sign_in(page, user.email, PASSWORD)
    for path in PAGES_BY_ROLE[role]:
        page.goto(path)
        assert_accessible(page, path)


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
