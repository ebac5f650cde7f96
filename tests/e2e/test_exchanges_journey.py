"""DOMAIN.md's peer exchange in the browser: Berlin's coordinator asks about Barcelona's plan
with three questions; the office sees Barcelona and Bologna suggested with reasons and invites
both; both coordinators accept and name their people; the office picks a time offered for the
three cities; everyone has the calendar file; the office records attendance and publishes the
report; the story is readable signed out; Berlin's plan shows the follow-up under its milestone.

Set E2E_SCREENSHOTS=<folder> to keep screenshots of the pages at 1280 and 390 px."""
from __future__ import annotations

import os
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.exchanges.models import Exchange
from action_lms.extensions import db

from ..exchanges.world import make_world, next_weekday
from ..factories import PASSWORD, make_plan
from .conftest import assert_accessible, sign_in, nav_to

SHOTS = os.environ.get("E2E_SCREENSHOTS")


def published_practice(city, title: str, commitments, languages):
    """A published practice of the library (the factory when the practices domain has one)."""
    from .. import factories

    if hasattr(factories, "make_practice"):
        return factories.make_practice(city=city, title=title, commitments=commitments, languages=languages,
                                       status="published")
    from action_lms.practices.models import Practice, PracticeCommitment, PracticeLanguage

    now = utcnow()
    practice = Practice(city_id=city.id, title=title, summary=f"How {city.name} did it.", description="What was done.",
                        status=Practice.PUBLISHED, created_at=now, updated_at=now, published_at=now)
    practice.commitment_rows = [PracticeCommitment(commitment=c) for c in commitments]
    practice.language_rows = [PracticeLanguage(language=lang, position=i) for i, lang in enumerate(languages)]
    db.session.add(practice)
    db.session.commit()
    return practice


def shoot(page, name: str) -> None:
    """Screenshots at desktop and phone width (only when E2E_SCREENSHOTS names a folder)."""
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    for width, piece in ((1280, 1400), (390, 1000)):
        page.set_viewport_size({"width": width, "height": 900})
        height = page.evaluate("() => document.documentElement.scrollHeight")
        for n, top in enumerate(range(0, height, piece)):  # in pieces, readable one by one
            clip = {"x": 0, "y": top, "width": width, "height": min(piece, height - top)}
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}-{n}.png"), full_page=True, clip=clip)
    page.set_viewport_size({"width": 1280, "height": 900})


def check(page, label: str, name: str | None = None) -> None:
    assert_accessible(page, label)
    if name:
        shoot(page, name)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_berlin_asks_barcelona_and_bologna_host_and_the_story_is_public(app, page):
    world = make_world()
    barcelona_plan = published_practice(world.barcelona, "Municipal Plan against Islamophobia", (1, 3, 8),
                                        ("es", "ca", "en"))
    published_practice(world.bologna, "Plan for non-discriminatory, human-rights-based administrative action",
                       (3, 5, 6), ("it", "en"))
    make_plan(world.berlin, title="Berlin action plan", commitments=(1, 3))
    emails = {key: user.email for key, user in world.coord.items()}
    officers = {key: user.email for key, user in world.learner.items()}
    office_email = world.admin.email
    practice_id = barcelona_plan.id

    # Berlin's coordinator asks about Barcelona's practice, with three questions.
    sign_in(page, emails["berlin"], PASSWORD)
    page.goto("/exchanges")
    check(page, "/exchanges (no exchange yet)")
    page.goto(f"/practices/{practice_id}")
    ask = page.get_by_role("link", name="Ask for an exchange about this")
    if ask.count():
        ask.first.click()
    else:  # the practice page is not there yet: its link leads here
        page.goto(f"/exchanges/new?practice_id={practice_id}")
    expect(page.get_by_role("heading", name="Ask for a peer exchange")).to_be_visible()
    expect(page.get_by_text("You are asking about")).to_contain_text("Municipal Plan against Islamophobia")
    expect(page.get_by_label("Municipal Plan against Islamophobia (Barcelona)")).to_be_checked()
    check(page, "/exchanges/new", "new")
    page.get_by_role("button", name="Send the request to the office").click()
    expect(page.get_by_text("This could not be saved")).to_be_visible()
    expect(page.locator("#topic-error")).to_be_visible()
    check(page, "/exchanges/new with errors", "new-errors")
    page.get_by_label("Topic").fill("Drafting a plan against anti-Muslim racism")
    page.get_by_label("What your city wants to learn").fill(
        "Learn how Barcelona and Bologna drafted and implemented their plans, and what transfers to Berlin.")
    page.get_by_label("Question 1").fill("How did you involve affected communities in drafting the plan?")
    page.get_by_label("Question 2").fill("Who owns each measure, and how is it funded?")
    page.get_by_label("Question 3").fill("What would you do differently today?")
    page.get_by_label("Plan milestone your city is working on").select_option("stakeholder_consultation")
    page.get_by_label("Bologna", exact=True).check()
    page.get_by_label("German", exact=True).check()
    page.get_by_role("button", name="Send the request to the office").click()
    expect(page.get_by_text("Your request is sent to the ACTION office")).to_be_visible()
    expect(page.get_by_text("Waiting for the office to invite host cities")).to_be_visible()
    exchange_url = page.url
    exchange_id = int(re.search(r"/exchanges/(\d+)", exchange_url).group(1))
    check(page, "exchange page (requested)")
    page.goto("/exchanges")
    expect(page.get_by_role("link", name="Drafting a plan against anti-Muslim racism")).to_be_visible()
    check(page, "/exchanges", "index")
    sign_out(page)

    # The office finds it on the board, sees Barcelona and Bologna suggested with reasons, invites both.
    sign_in(page, office_email, PASSWORD)
    nav_to(page, "Exchange board")
    expect(page.get_by_role("heading", name="Exchange board")).to_be_visible()
    check(page, "/exchanges/board", "board")
    page.get_by_role("link", name=re.compile("^Invite host cities")).click()
    suggestions = page.locator(".exchange-suggestion")
    expect(suggestions.nth(0)).to_contain_text("Barcelona")
    expect(suggestions.nth(0)).to_contain_text("owns the practice you asked about: Municipal Plan against Islamophobia")
    expect(suggestions.nth(1)).to_contain_text("Bologna")
    expect(suggestions.nth(1)).to_contain_text("named by the requesting city")
    check(page, "exchange page (office, requested)")
    page.locator("#suggestion-%d" % world.barcelona.id).get_by_text("Add a message to Barcelona").click()
    page.get_by_label(re.compile("^Message")).first.fill("Berlin would love to hear how you worked with communities.")
    page.get_by_role("button", name="Invite Barcelona").click()
    expect(page.get_by_text("Barcelona is invited")).to_be_visible()
    page.get_by_role("button", name="Invite Bologna").click()
    expect(page.get_by_text("Bologna is invited")).to_be_visible()
    expect(page.get_by_text("Waiting for the invited cities to answer")).to_be_visible()
    sign_out(page)

    # Both coordinators accept and name one of their people.
    for key in ("barcelona", "bologna"):
        sign_in(page, emails[key], PASSWORD)
        page.goto("/exchanges")
        expect(page.get_by_text("Answer the invitation")).to_be_visible()
        page.get_by_role("link", name="Drafting a plan against anti-Muslim racism").click()
        expect(page.get_by_text("How did you involve affected communities in drafting the plan?")).to_be_visible()
        if key == "barcelona":
            expect(page.get_by_text("Berlin would love to hear how you worked with communities.")).to_be_visible()
            check(page, "exchange page (invited coordinator)", "detail-invited")
        page.get_by_role("button", name="Accept the invitation").click()
        expect(page.get_by_text("your city hosts this exchange")).to_be_visible()
        page.get_by_label("Person").select_option(label=f"{world.learner[key].name} ({getattr(world, key).name})")
        page.get_by_role("button", name="Add the person").click()
        expect(page.get_by_text("The person is added")).to_be_visible()
        sign_out(page)

    # Berlin takes part itself.
    sign_in(page, emails["berlin"], PASSWORD)
    page.goto(exchange_url)
    page.get_by_role("button", name="Take part myself").click()
    expect(page.get_by_text("You take part in this exchange")).to_be_visible()
    page.get_by_label("Person").select_option(label="Berlin Officer (Berlin)")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_text("Waiting for the office to set a time")).to_be_visible()
    sign_out(page)

    # The office picks a time offered for the three cities.
    sign_in(page, office_email, PASSWORD)
    page.goto(exchange_url)
    day = next_weekday(1)
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Show the times that suit every city").click()
    options = page.locator(".exchange-option-list input[type=radio]")
    expect(options.first).to_be_visible()
    first_label = page.locator(".exchange-option-list label").first
    expect(first_label).to_contain_text("Berlin 09:00")
    expect(first_label).to_contain_text("Barcelona 09:00")
    expect(first_label).to_contain_text("Bologna 09:00")
    options.nth(2).check()  # 10:00 in the three cities
    page.get_by_label("Link to join the meeting").fill("https://meet.example.org/berlin-barcelona-bologna")
    check(page, "exchange page (office, time options)", "detail-office")
    page.get_by_role("button", name="Set the time and tell everyone").click()
    expect(page.get_by_text("The session is set for")).to_be_visible()
    expect(page.get_by_text("https://meet.example.org/berlin-barcelona-bologna")).to_be_visible()
    expect(page.locator(".exchange-zones")).to_contain_text("Bologna")
    sign_out(page)

    # Everyone taking part has the calendar file in the outbox.
    db.session.rollback()  # end the test's own transaction: read what the server committed
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "exchange_scheduled")).all()
    people = {m.to_email for m in sent}
    assert people >= set(emails[k] for k in ("berlin", "barcelona", "bologna"))
    assert people >= set(officers[k] for k in ("berlin", "barcelona", "bologna"))
    assert all(m.attachment and "BEGIN:VCALENDAR" in m.attachment for m in sent)

    # Berlin's coordinator sees the time in every city's zone, the link, and the calendar file.
    sign_in(page, emails["berlin"], PASSWORD)
    page.goto(exchange_url)
    expect(page.get_by_text(re.compile(r"Scheduled for .* 10:00 CE"))).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.org/berlin-barcelona-bologna")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")
    check(page, "exchange page (coordinator, scheduled)", "detail-coordinator")
    sign_out(page)

    # The session took place (as time would move it to the past).
    db.session.rollback()
    row = db.session.get(Exchange, exchange_id)
    row.starts_at, row.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    db.session.commit()

    # The office records attendance, writes and publishes the report with a follow-up.
    sign_in(page, office_email, PASSWORD)
    page.goto(exchange_url)
    expect(page.get_by_text("Your next step: Record attendance")).to_be_visible()
    for name in ("Berlin Coordinator (Berlin)", "Berlin Officer (Berlin)", "Barcelona Officer (Barcelona)",
                 "Bologna Officer (Bologna)"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="The session took place: record attendance").click()
    expect(page.get_by_text("Attendance is recorded")).to_be_visible()
    page.get_by_label("Report", exact=True).fill(
        "Berlin talked with **Barcelona** and **Bologna** about drafting a plan against anti-Muslim racism.\n\n"
        "- Barcelona: working with communities from the start\n- Bologna: measures owned by every department")
    page.locator("#follow_ups-0-text").fill("Map the community organisations to consult")
    page.locator("#follow_ups-0-owner").fill("Equal treatment office")
    page.locator("#follow_ups-0-due_date").fill("2027-06-30")
    page.locator("#follow_ups-0-milestone_key").select_option("stakeholder_consultation")
    page.get_by_label("Publish the report as a public story").check()
    check(page, "exchange page (office, report form)", "detail-office-report")
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_text("The report is saved and published as a public story")).to_be_visible()
    page.get_by_role("link", name="read the story").click()
    story_url = page.url
    sign_out(page)

    # The story is readable signed out, with nothing personal in it.
    page.goto("/stories")
    check(page, "/stories")
    page.goto(story_url)
    expect(page.get_by_role("heading", name="Drafting a plan against anti-Muslim racism")).to_be_visible()
    expect(page.get_by_text("Berlin, Barcelona, Bologna")).to_be_visible()
    expect(page.get_by_text("Municipal Plan against Islamophobia")).to_be_visible()
    text = page.content()
    assert "meet.example.org" not in text and "@example.org" not in text
    assert "How did you involve affected communities" not in text, "the questions stay private"
    check(page, "story", "story")

    # Berlin's plan shows the follow-up under the milestone.
    sign_in(page, emails["berlin"], PASSWORD)
    page.goto("/my-city")
    milestone = page.locator("#milestone-stakeholder_consultation")
    expect(milestone).to_contain_text("Map the community organisations to consult")
    expect(milestone).to_contain_text("Peer exchange: Drafting a plan against anti-Muslim racism")
