"""Feedback in the browser: three people of three cities took part in a peer exchange; two
have answered already, so the office's report says "not enough answers" for it. The third
opens the link of the e-mail, signs in, lands on the form, sends it once without answers
(the summary at the top, focused, links to each question), then answers. The office's
report now counts three responses and shows the exchange's mean usefulness, in the table and
the chart.

Set E2E_SCREENSHOTS=<folder> to keep screenshots of the pages at 1280 and 390 px."""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.extensions import db
from action_lms.feedback import services
from action_lms.feedback.models import FeedbackRequest

from ..factories import PASSWORD, make_city, make_user
from ..feedback.data import ended_webinar, held_exchange
from .conftest import assert_accessible, sign_in, nav_to

SHOTS = os.environ.get("E2E_SCREENSHOTS")


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
            page.screenshot(path=os.path.join(SHOTS, f"feedback-{name}-{width}-{n}.png"), full_page=True, clip=clip)
    page.set_viewport_size({"width": 1280, "height": 900})


def check(page, label: str, name: str) -> None:
    assert_accessible(page, label)
    shoot(page, name)


def exchange_row(page):
    return page.locator("#format-exchange")


def test_a_participant_answers_from_the_email_and_the_office_sees_the_report_change(app, page):
    berlin = make_city("Berlin", "DE", "Europe/Berlin")
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    graz = make_city("Graz", "AT", "Europe/Vienna")
    berta = make_user("learner", city=berlin, name="Berta Berlin")
    bruno = make_user("learner", city=bologna, name="Bruno Bologna")
    greta = make_user("learner", city=graz, name="Greta Graz")
    office = make_user("admin", name="Olga Office")
    held_exchange(berlin, bologna, attended=[berta, bruno, greta])
    ended_webinar(greta, title="Indicators that show change", hours_ago=6)  # a second request, left open
    services.create_feedback_requests()
    requests = {(r.user_id, r.kind): r for r in db.session.scalars(select(FeedbackRequest))}
    services.answer(berta, requests[(berta.id, "exchange")].id, 5, 4, True, "We now call Bologna directly.")
    services.answer(bruno, requests[(bruno.id, "exchange")].id, 4, 4, True, None)
    greta_email, office_email = greta.email, office.email
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.to_email == greta_email, OutboxMessage.kind == "feedback_request",
        OutboxMessage.subject.contains("peer exchange")))
    link = re.search(r"https?://\S+/feedback/\d+", mail.body_text).group(0)
    db.session.commit()

    # The office's report: two answers about the exchange are not enough to show a figure.
    sign_in(page, office_email, PASSWORD)
    nav_to(page, "Impact")
    expect(page.get_by_role("heading", name=re.compile(r"^Impact report"))).to_be_visible()
    expect(exchange_row(page).locator('[data-figure="responses"]')).to_have_text("2")
    expect(exchange_row(page).locator('[data-figure="usefulness"]')).to_have_text("not enough answers")
    page.get_by_role("button", name="Sign out").click()

    # Greta follows the e-mail's link: asked to sign in, then on the form.
    page.goto(urlsplit(link).path)
    expect(page.get_by_text("Please sign in to see this page.")).to_be_visible()
    page.get_by_label("E-mail").fill(greta_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Peer exchange: Consulting communities")).to_be_visible()
    expect(page.get_by_text("counted anonymously")).to_be_visible()
    check(page, "the feedback form", "form")

    # Sent without answers: the summary is at the top, focused, and links to each question.
    page.get_by_role("button", name="Send feedback").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    check(page, "the feedback form with errors", "form-errors")
    summary.get_by_role("link", name=re.compile("how useful")).click()
    expect(page.locator("#usefulness-0")).to_be_focused()

    usefulness = page.get_by_role("group", name="How useful was this for your city's action plan?")
    usefulness.get_by_role("radio", name="5 Very useful").check()
    page.get_by_role("group", name=re.compile("apply something")).get_by_role("radio", name="4 Likely", exact=True).check()
    page.get_by_role("group", name="Would you recommend it to another city?").get_by_role("radio", name="Yes").check()
    page.get_by_label("Comment (optional)").fill("Hearing how Bologna consulted communities changed our draft.")
    page.get_by_role("button", name="Send feedback").click()

    # Back on "Your feedback": thanked, the exchange among the answers, the webinar still waiting.
    expect(page).to_have_url(re.compile(r"/feedback$"))
    expect(page.get_by_text("Thank you")).to_be_visible()
    answered = page.locator("#answered-heading + ul")
    expect(answered.get_by_text("Peer exchange: Consulting communities")).to_be_visible()
    expect(answered.get_by_text("5 of 5")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Give feedback on Indicators that show change"))).to_be_visible()
    check(page, "your feedback", "mine")

    # The same link again: answered already, no second form.
    page.goto(urlsplit(link).path)
    expect(page.get_by_text("You have already answered this feedback request.")).to_be_visible()
    expect(page.get_by_role("button", name="Send feedback")).to_have_count(0)
    check(page, "an answered request", "answered")
    page.get_by_role("button", name="Sign out").click()

    # The office's report counts its figures every few minutes and says when; "Count again now"
    # counts them at once: three answers and the mean, in the table and the chart.
    sign_in(page, office_email, PASSWORD)
    page.goto("/impact")
    expect(page.get_by_text(re.compile("Figures counted at"))).to_be_visible()
    page.get_by_role("button", name="Count again now").click()
    expect(page.get_by_text("The figures were counted again.")).to_be_visible()
    expect(exchange_row(page).locator('[data-figure="responses"]')).to_have_text("3")
    expect(exchange_row(page).locator('[data-figure="usefulness"]')).to_have_text("4.67")
    expect(page.locator('.feedback-chart-row[data-kind="exchange"] .feedback-chart-bar')).to_have_count(1)
    expect(page.get_by_text("Hearing how Bologna consulted communities changed our draft.")).to_be_visible()
    check(page, "the impact report", "impact")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("impact-")
