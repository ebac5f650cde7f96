"""A coordinator creates the city's plan and completes the first milestone with evidence;
an admin then sees the city's progress on the cities overview."""
import re
from .conftest import nav_to

from playwright.sync_api import expect

from ..factories import PASSWORD, make_city, make_user


def test_coordinator_completes_first_milestone_and_admin_sees_progress(app, page):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    make_city("Ghent", "BE", "Europe/Brussels")
    coordinator = make_user("coordinator", city=graz, email="grete@graz.example", name="Grete Graz",
                            timezone="Europe/Vienna")
    admin = make_user("admin", email="office@eccar.example", name="Office Admin")
    coordinator_email, admin_email = coordinator.email, admin.email

    page.goto("/login")
    page.get_by_label("E-mail").fill(coordinator_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav_to(page, "My city's plan")
    expect(page.get_by_text("Graz has no current action plan")).to_be_visible()
    page.get_by_role("link", name="Start Graz's plan").click()

    # a missing title comes back with the message next to the field
    page.get_by_label("Focus").fill("The whole Ten-Point Plan")
    page.get_by_role("button", name="Create plan").click()
    expect(page.locator("#title-error")).to_be_visible()
    page.get_by_label("Title").fill("Graz action plan 2027-2030")
    page.get_by_label("3. Better support for victims of racism and discrimination").check()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_text("is now Graz's current plan")).to_be_visible()
    expect(page.get_by_role("heading", name="Graz action plan 2027-2030")).to_be_visible()
    expect(page.locator("#current-phase")).to_have_text("Preparation")

    step = page.locator("#milestone-political_mandate")
    step.locator("summary").click()
    step.get_by_label("Status").select_option("completed")
    step.get_by_role("button", name="Save political mandate").click()
    # completing needs evidence: the form stays open with the message in place
    step = page.locator("#milestone-political_mandate")
    expect(step.locator("#political_mandate-evidence_url-error")).to_contain_text("evidence link or a note")
    step.get_by_label("Evidence link").fill("https://www.graz.at/council-decision-2027")
    step.get_by_label("Owner").fill("Office of the Mayor")
    step.get_by_role("button", name="Save political mandate").click()
    expect(page.get_by_text("Political mandate: saved (completed)")).to_be_visible()
    step = page.locator("#milestone-political_mandate")
    expect(step.locator(".plan-status-completed")).to_have_text("Completed")
    expect(step.get_by_role("link", name=re.compile("council-decision-2027"))).to_be_visible()
    expect(page.locator(".plan-summary .progress-text")).to_have_text("11%")

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("cell", name="Grete Graz").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto("/login")
    page.get_by_label("E-mail").fill(admin_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav_to(page, "Cities overview")
    row = page.locator(f"#city-{graz.id}")
    expect(row.get_by_role("rowheader")).to_have_text("Graz")
    expect(row.locator(".progress-text")).to_have_text("11%")
    expect(row.get_by_role("cell", name="Preparation")).to_be_visible()
    expect(page.locator('.plan-chart-row[data-key="political_mandate"] .plan-chart-value')).to_have_text("1")
    page.get_by_label("Country").select_option("AT")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.plan-overview tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    content = open(download.value.path(), encoding="utf-8").read()
    assert "Graz" in content and ",11," in content
