"""Phone width and the grouped navigation: no page of any role scrolls sideways at 390 px, the
admin's menu fits one row at 1280 px, and the phone's "Menu" button opens and closes the menu,
with the keyboard too. E2E_SCREENSHOTS=<folder> keeps pictures of the header."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD, make_city, make_practice, make_user
from ..feedback.data import held_exchange
from .conftest import assert_accessible, sign_in
from .test_accessibility import PAGES_BY_ROLE, PUBLIC_PAGES, build_world

SHOTS = os.environ.get("E2E_SCREENSHOTS")
PHONE = {"width": 390, "height": 800}
DESKTOP = {"width": 1280, "height": 800}

NEW_PAGES = {
    "learner": ["/practices", "/practices/{practice}", "/exchanges", "/stories", "/feedback"],
    "coordinator": ["/practices", "/practices/{practice}", "/exchanges", "/exchanges/{exchange}", "/stories",
                    "/feedback", "/impact"],
    "consultant": ["/practices", "/practices/{practice}", "/stories", "/feedback"],
    "admin": ["/practices", "/practices/{practice}", "/exchanges", "/exchanges/{exchange}", "/exchanges/board",
              "/stories", "/feedback", "/impact", "/progress/cities", "/admin/users"],
}
ROLES = ["anonymous", "learner", "coordinator", "consultant", "admin"]


def pages_of(role: str) -> list[str]:
    if role == "anonymous":
        return PUBLIC_PAGES + ["/stories"]
    seen: list[str] = []
    for path in PAGES_BY_ROLE[role] + NEW_PAGES[role]:
        if path not in seen:
            seen.append(path)
    return seen


@pytest.fixture
def world(tmp_path):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    users, ids = build_world(tmp_path, graz)
    lyon = make_city("Lyon", "FR", "Europe/Paris")
    host = make_user("coordinator", email="lyon@example.org", city=lyon)
    ids["practice"] = make_practice(lyon, "Anti-discrimination clauses in public procurement").id
    ids["exchange"] = held_exchange(graz, lyon, attended=[users["coordinator"], host]).id
    return users, ids


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: it does not scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def shoot(page, name: str, below: int = 0) -> None:
    """The header (and `below` pixels under it, where an open menu drops) as E2E_SCREENSHOTS/<name>.png."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        box = page.locator(".site-header").bounding_box()
        clip = {"x": 0, "y": 0, "width": box["width"], "height": box["height"] + below}
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), clip=clip)


def toggle(page):
    return page.get_by_role("button", name="Menu")


@pytest.mark.parametrize("language", ["en", "de"])  # German: the longest words
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(page, world, role, language):
    users, ids = world
    page.set_viewport_size(PHONE)
    if role != "anonymous":
        sign_in(page, users[role].email, PASSWORD)
    page.set_extra_http_headers({"Accept-Language": language})
    wide = []
    for template in pages_of(role):
        path = template.format(**ids)
        response = page.goto(path)
        assert response.status == 200, f"{role} {path}: {response.status}"
        extra = overflow(page)
        if extra > 0:
            wide.append(f"{path} (+{extra} px)")
    assert not wide, f"{role} ({language}): pages wider than 390 px: {wide}"


def test_the_admin_menu_is_one_row_at_1280(page, world):
    users, _ = world
    page.set_viewport_size(DESKTOP)
    sign_in(page, users["admin"].email, PASSWORD)
    page.goto("/admin/users")
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.nav > .brand, .nav-links > li, .nav-user > li')]
                .map(el => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2))"""
    )
    assert len(tops) >= 6 and max(tops) - min(tops) <= 4, f"the admin's header wraps: item centres at {tops}"
    assert page.locator(".site-header").bounding_box()["height"] < 80
    assert not toggle(page).is_visible()  # the phone's button is not there on a desktop
    nav = page.get_by_role("navigation", name="Main")
    # The current page is marked, and its group too.
    expect(nav.locator('a[aria-current="page"]')).to_have_text("Users")
    expect(nav.locator("summary.nav-current")).to_have_text("Office")
    shoot(page, "admin-1280")
    # A group opens as a menu; Escape and an outside click close it; one group open at a time.
    office = nav.locator("summary", has_text="Office")
    office.click()
    expect(nav.get_by_role("link", name="Cities overview")).to_be_visible()
    shoot(page, "admin-1280-office-open", below=220)
    nav.locator("summary", has_text="Learn").click()
    expect(nav.get_by_role("link", name="Cities overview")).to_be_hidden()
    expect(nav.get_by_role("link", name="Course reports")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Course reports")).to_be_hidden()
    office.click()
    page.locator("main h1").click()
    expect(nav.get_by_role("link", name="Cities overview")).to_be_hidden()
    assert_accessible(page, "admin /admin/users at 1280")


@pytest.mark.parametrize("language", ["de", "es", "it", "fr"])
def test_the_admin_menu_is_one_row_at_1280_in_every_language(page, world, language):
    """Longer labels in German or French must not push the account links to a second row,
    whatever the person's name (a long one is shortened in the header)."""
    users, _ = world
    users["admin"].name = "Office Administrator of the Coalition"
    from action_lms.extensions import db
    db.session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in(page, users["admin"].email, PASSWORD)
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto("/admin/users")
    assert page.locator("html").get_attribute("lang") == language
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.nav > .brand, .nav-links > li, .nav-user > li')]
                .map(el => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2))"""
    )
    assert max(tops) - min(tops) <= 4, f"{language}: the admin's header wraps: item centres at {tops}"
    shoot(page, f"admin-1280-{language}")
    assert overflow(page) <= 0


def test_the_menu_works_with_the_keyboard_at_1280(page, world):
    users, _ = world
    page.set_viewport_size(DESKTOP)
    sign_in(page, users["admin"].email, PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Exchanges":
            break
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Good practices"
    page.keyboard.press("Enter")
    page.wait_for_url("**/practices")
    expect(nav.locator('a[aria-current="page"]')).to_have_text("Good practices")


def test_the_phone_menu_opens_and_closes(page, world):
    users, _ = world
    page.set_viewport_size(PHONE)
    sign_in(page, users["admin"].email, PASSWORD)
    page.goto("/progress/cities")
    button = toggle(page)
    nav = page.get_by_role("navigation", name="Main")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    assert button.get_attribute("aria-controls") == "nav-menu"
    expect(nav.locator("summary", has_text="Office")).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 80
    shoot(page, "admin-390-closed")
    assert_accessible(page, "admin /progress/cities at 390, menu closed")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    nav.locator("summary", has_text="Office").click()
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    assert overflow(page) <= 0
    shoot(page, "admin-390-open")
    assert_accessible(page, "admin /progress/cities at 390, menu open")
    # Escape closes the menu and gives the focus back to its button.
    nav.get_by_role("link", name="Users").focus()
    page.keyboard.press("Escape")  # closes the group
    page.keyboard.press("Escape")  # closes the menu
    expect(button).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Menu"
    # The keyboard alone: Enter on the button, Tab to a link, Enter follows it.
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Learn"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Courses"
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses")
    expect(toggle(page)).to_have_attribute("aria-expanded", "false")


def test_learner_header_at_both_widths(page, world):
    users, _ = world
    sign_in(page, users["learner"].email, PASSWORD)
    page.set_viewport_size(DESKTOP)
    page.goto("/courses")
    nav = page.get_by_role("navigation", name="Main")
    # A group with one link is a plain link: the learner's "My city" is the plan itself.
    expect(nav.get_by_role("link", name="My city's plan")).to_be_visible()
    assert nav.locator("summary", has_text="My city").count() == 0
    shoot(page, "learner-1280")
    page.set_viewport_size(PHONE)
    shoot(page, "learner-390-closed")
    toggle(page).click()
    shoot(page, "learner-390-open")
    assert overflow(page) <= 0
    assert_accessible(page, "learner /courses at 390, menu open")


def test_without_javascript_the_menu_shows_and_its_groups_open(browser, live_server, world):
    users, _ = world
    context = browser.new_context(base_url=live_server, java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, users["admin"].email, PASSWORD)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.locator("summary", has_text="Office")).to_be_visible()
        assert not toggle(page).is_visible()  # a button that could do nothing is not shown
        nav.locator("summary", has_text="Office").click()
        expect(nav.get_by_role("link", name="Users")).to_be_visible()
        page.set_viewport_size(DESKTOP)
        nav.locator("summary", has_text="Learn").click()
        expect(nav.get_by_role("link", name="Course reports")).to_be_visible()
    finally:
        context.close()
