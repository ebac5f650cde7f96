"""An administrator schedules a webinar; a learner finds it, registers and downloads the .ics."""
import re
from .conftest import nav_to

from icalendar import Calendar
from playwright.sync_api import expect

from ..factories import PASSWORD, make_user


def test_admin_schedules_learner_registers_and_downloads_ics(app, page):
    make_user("admin", email="office@example.org", name="Office Admin", timezone="Europe/Brussels")
    make_user("learner", email="lea@example.org", name="Lea Learner", timezone="Europe/Helsinki")

    from .conftest import sign_in
    sign_in(page, "office@example.org", PASSWORD)
    nav_to(page, "Webinars", exact=True)
    page.get_by_role("link", name="Schedule a webinar").click()
    page.get_by_label("Title").fill("Drafting a local action plan")
    page.get_by_label("Description").fill("Two cities share **how** they did it.")
    # Sunday 29 March 2037 (clocks went forward that morning): 10:00 in Lisbon is 09:00 UTC, 12:00 in Helsinki.
    page.get_by_label("Starts at (in the display time zone)").fill("2037-03-29T10:00")
    page.get_by_label("Display time zone", exact=True).select_option("Europe/Lisbon")
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Capacity (seats)").fill("20")
    page.get_by_label("Join link").fill("https://meet.example.org/plan")
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Draft plan").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("The webinar is scheduled.")).to_be_visible()
    expect(page.get_by_role("heading", name="Drafting a local action plan")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "lea@example.org", PASSWORD)
    nav_to(page, "Webinars", exact=True)
    expect(page.get_by_text("Europe/Helsinki").first).to_be_visible()
    expect(page.get_by_text("Sun 29 Mar 2037, 12:00 EEST")).to_be_visible()
    page.get_by_role("link", name="Drafting a local action plan").click()
    expect(page.locator("#seats")).to_contain_text("20 of 20 seats left")
    expect(page.locator("#join-link")).to_have_count(0)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("A confirmation with a calendar file is on its way")).to_be_visible()
    expect(page.locator("#seats")).to_contain_text("19 of 20 seats left")
    expect(page.locator("#join-link")).to_have_text("https://meet.example.org/plan")

    with page.expect_download() as info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = info.value
    assert re.fullmatch(r"webinar-\d+\.ics", download.suggested_filename)
    with open(download.path(), "rb") as fh:
        event = Calendar.from_ical(fh.read()).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 0 and (start.hour, start.minute) == (9, 0)
    assert "Drafting a local action plan" in str(event["summary"])
    assert "https://meet.example.org/plan" in str(event["description"])

    nav_to(page, "My webinars")
    expect(page.get_by_role("link", name="Drafting a local action plan")).to_be_visible()
