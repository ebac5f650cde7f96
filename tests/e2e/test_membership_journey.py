"""A newcomer asks to join Graz at registration, sees nothing of Graz's plan until its
coordinator approves on "People asking to join", then sees it."""
import re

from playwright.sync_api import expect

from ..factories import PASSWORD, make_city, make_plan, make_user
from .conftest import assert_accessible, sign_in, nav_to


def test_request_to_join_is_approved_by_the_coordinator(app, page, browser, live_server):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    make_plan(graz, title="Graz against racism 2027")
    coordinator = make_user("coordinator", city=graz, email="coord@graz.example", name="Gerda Graz")

    page.goto("/register")
    page.get_by_label("Full name").fill("Nadia Newcomer")
    page.get_by_label("E-mail").fill("nadia@graz.example")
    page.get_by_label("Password (at least 10 characters)").fill("a-good-long-password")
    page.get_by_label("City (optional)").select_option(label="Graz")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("You asked to join Graz")).to_be_visible()
    page.goto("/my-city")
    expect(page.get_by_text("Graz against racism 2027")).to_have_count(0)
    page.goto("/account")
    expect(page.locator("#city")).to_contain_text("You asked to join Graz")
    assert_accessible(page, "account page, pending request")

    office = browser.new_context(base_url=live_server).new_page()
    sign_in(office, coordinator.email, PASSWORD)
    nav_to(office, "People asking to join")
    expect(office.get_by_role("link", name="nadia@graz.example")).to_be_visible()
    assert_accessible(office, "people asking to join")
    office.get_by_role("button", name="Approve Nadia Newcomer").click()
    expect(office.get_by_text("Nadia Newcomer is now a member")).to_be_visible()
    expect(office.get_by_text("Nobody is waiting for a decision")).to_be_visible()

    page.goto("/my-city")
    expect(page.get_by_role("heading", name=re.compile("Graz against racism 2027"))).to_be_visible()
