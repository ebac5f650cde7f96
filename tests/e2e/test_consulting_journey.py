"""A consultant publishes availability, a coordinator books a slot with questions,
and the consultant sees the questions on their schedule."""
import re
from .conftest import nav_to
from datetime import timedelta

from playwright.sync_api import expect

from action_lms.core.time import utcnow, zone

from ..factories import PASSWORD, make_city, make_consultant, make_user


def test_publish_book_and_see_the_questions(app, page):
    consultant = make_consultant(name="Oona Expert", timezone="Europe/Helsinki", expertise=[3])
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, name="Graz Coordinator", timezone="Europe/Vienna")
    consultant_email, coordinator_email = consultant.email, coordinator.email
    today = utcnow().astimezone(zone("Europe/Berlin")).date()
    monday = today + timedelta(days=7 - today.weekday())

    # The consultant publishes next week's mornings.
    from .conftest import sign_in
    sign_in(page, consultant_email, PASSWORD)
    nav_to(page, "My schedule")
    expect(page.get_by_role("heading", name="My schedule")).to_be_visible()
    for day in ("Monday", "Tuesday", "Wednesday"):
        page.get_by_label(day).check()
    page.get_by_label("Daily from").fill("09:00")
    page.get_by_label("Daily until").fill("11:00")
    page.get_by_label("Time zone of these times").select_option("Europe/Helsinki")
    page.get_by_label("Slot length (minutes)").fill("60")
    page.get_by_label("First day").fill(monday.isoformat())
    page.get_by_label("Last day").fill((monday + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Publish slots").click()
    expect(page.get_by_text("6 slots published")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The coordinator finds the slots next week and books one with questions.
    sign_in(page, coordinator_email, PASSWORD)
    nav_to(page, "Consulting")
    page.get_by_role("link", name="Next week").click()
    # 09:00 in Helsinki is 08:00 in Vienna (the coordinator's zone); the expert's time is shown alongside.
    expect(page.get_by_text(re.compile(r"08:00 CET")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"09:00 EET for the expert")).first).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Book")).first.click()
    page.get_by_label("Topic").fill("Supporting victims")
    page.get_by_label("Questions for the expert").fill("How should our counselling office record incidents?")
    page.get_by_label("Plan milestone (optional)").select_option("baseline_assessment")
    page.get_by_role("button", name="Book this session").click()
    expect(page.get_by_text("The session is booked")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The consultant sees the city's questions on their schedule.
    sign_in(page, consultant_email, PASSWORD)
    nav_to(page, "My schedule")
    expect(page.get_by_text("How should our counselling office record incidents?")).to_be_visible()
    page.get_by_role("link", name="Graz: Supporting victims").click()
    expect(page.get_by_role("heading", name="Supporting victims")).to_be_visible()
    expect(page.get_by_text("How should our counselling office record incidents?")).to_be_visible()
