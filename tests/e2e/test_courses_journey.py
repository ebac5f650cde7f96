"""A learner enrolls, reads lessons, fails then passes a quiz, finishes the course and
sees the certificate; the certificate verifies publicly."""
import re

from playwright.sync_api import expect

from ..factories import PASSWORD, make_course, make_user
from .conftest import sign_in, nav_to


def test_learner_enrolls_learns_and_gets_certificate(app, page, client, tmp_path):
    make_course(tmp_path / "content")
    learner = make_user(email="lea@example.org", name="Lea Learner")
    sign_in(page, "lea@example.org", PASSWORD)

    nav_to(page, "Courses")
    page.get_by_role("link", name="Sample course").click()
    expect(page.get_by_role("heading", name="Sample course", level=1)).to_be_visible()
    page.get_by_role("button", name="Enroll in this course").click()
    expect(page.get_by_text("You are enrolled")).to_be_visible()
    # The second module is locked, with the reason.
    expect(page.get_by_text("Finish the module “The basics” first")).to_be_visible()

    page.get_by_role("link", name="Continue: First lesson").click()
    expect(page.get_by_role("heading", name="First lesson")).to_be_visible()
    expect(page.locator("article.prose strong")).to_have_text("first")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", name="Second lesson")).to_be_visible()
    page.get_by_role("link", name=re.compile("Previous: First lesson")).click()
    expect(page.get_by_text("You completed this lesson")).to_be_visible()
    page.get_by_role("link", name=re.compile("Next: Second lesson")).click()
    page.get_by_role("button", name="Mark as complete").click()

    # The quiz: first a wrong answer on both questions.
    expect(page.get_by_role("heading", name="Basics quiz")).to_be_visible()
    q1 = page.get_by_role("group", name=re.compile("Pick a\\."))
    q2 = page.get_by_role("group", name=re.compile("Pick a and b"))
    q1.get_by_label("B", exact=True).check()
    q2.get_by_label("C", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Attempt 1: 0%")).to_be_visible()
    expect(page.get_by_text("Not passed yet")).to_be_visible()
    expect(page.get_by_text("Not correct")).to_have_count(2)
    expect(page.get_by_text("correct answer", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Try again").click()
    page.get_by_role("group", name=re.compile("Pick a\\.")).get_by_label("A", exact=True).check()
    q2 = page.get_by_role("group", name=re.compile("Pick a and b"))
    q2.get_by_label("A", exact=True).check()
    q2.get_by_label("B", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Attempt 2: 100%")).to_be_visible()
    expect(page.get_by_text("You passed")).to_be_visible()

    # Module two is open now.
    page.get_by_role("link", name="Back to the course").click()
    expect(page.get_by_text("Finish the module “The basics” first")).to_have_count(0)
    page.get_by_role("link", name="Third lesson", exact=True).click()
    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_role("group", name=re.compile("Pick yes")).get_by_label("Yes").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You passed")).to_be_visible()

    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(page.locator(".certificate-name")).to_have_text("Lea Learner")
    expect(page.locator(".certificate-course")).to_have_text("Sample course")
    code = page.locator(".certificate-code code").inner_text()
    assert client.get(f"/api/v1/certificates/{code}").get_json()["valid"] is True

    nav_to(page, "My learning")
    expect(page.get_by_text(re.compile("Completed"))).to_be_visible()
    assert learner.id
