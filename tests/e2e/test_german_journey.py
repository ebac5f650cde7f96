"""In German from the first page: a city officer registers choosing Deutsch, takes module 1
of the action-plan course in German (lessons and quiz), sees dates in German, and gets a
certificate in German. Every label the test clicks is looked up in the German catalogue,
so the test follows the translation rather than hard-coding it."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import select

from action_lms.core.i18n import _
from action_lms.core.time import format_local, utcnow
from action_lms.courses import services as course_services
from action_lms.courses.models import Course

from ..courses.test_translated_content import write as write_translated_course
from ..factories import make_webinar
from .conftest import assert_accessible

COURSES = Path(__file__).resolve().parents[2] / "courses"


def test_a_city_officer_works_in_german_from_registration_to_certificate(app, page, tmp_path):
    assert course_services.import_directory(COURSES).ok
    assert course_services.import_directory(write_translated_course(tmp_path)).ok
    webinar = make_webinar("Indicators that work", starts_at=(utcnow() + timedelta(days=9)).replace(minute=0, second=0, microsecond=0))

    def de(msgid: str, **values) -> str:
        with app.test_request_context(), force_locale("de"):
            return _(msgid, **values)

    # Registration in English (the browser's language), choosing Deutsch for the account.
    page.goto("/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Full name").fill("Dora Deutsch")
    page.get_by_label("E-mail").fill("dora@stadt.example")
    page.get_by_label(re.compile("^Password")).fill("ein langes Passwort 1")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name=de("Hello, %(name)s", name="Dora Deutsch"))).to_be_visible()
    assert_accessible(page, "home in German")

    # The course in German: catalogue, course page, module 1's lessons.
    page.goto("/courses")
    title = "Einen lokalen Aktionsplan gegen Rassismus erarbeiten und umsetzen"
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    page.get_by_role("button", name=de("Enroll in this course")).click()
    page.get_by_role("link", name=re.compile("Die zehn Verpflichtungen der Koalition")).first.click()
    expect(page.get_by_role("heading", name="Die zehn Verpflichtungen der Koalition", level=1)).to_be_visible()
    expect(page.locator("article.prose")).to_have_attribute("lang", "de")
    expect(page.locator("article.prose")).to_contain_text("Zehn-Punkte-Aktionsplan")
    assert_accessible(page, "a lesson in German")
    for _lesson in range(4):
        page.get_by_role("button", name=de("Mark as complete")).click()

    # The quiz in German, answered right: graded as in English.
    db = app.extensions["sqlalchemy"]
    course = db.session.scalar(select(Course).where(Course.slug == "drafting-local-action-plans"))
    quiz = min(course.modules, key=lambda m: m.position).quiz
    questions = [(q.id, [o.id for o in q.options if o.correct]) for q in quiz.questions]
    quiz_title, pass_mark = quiz.translations["de"]["title"], quiz.pass_mark
    db.session.commit()  # the test's own read ends: the server writes the attempts
    expect(page.get_by_role("heading", name=quiz_title, level=1)).to_be_visible()
    for question_id, correct in questions:
        for option_id in correct:
            page.locator(f"#q{question_id}-o{option_id}").check()
    page.get_by_role("button", name=de("Submit answers")).click()
    expect(page.get_by_text(re.compile(re.escape(de("You passed: %(score)s%% (pass mark %(pass_mark)s%%).", score=100, pass_mark=pass_mark))))).to_be_visible()
    assert_accessible(page, "a quiz result in German")

    # Dates in German: the webinar list.
    page.goto("/webinars")
    with app.test_request_context(), force_locale("de"):
        when = format_local(webinar.starts_at, "Europe/Brussels")
    assert re.search(r"(Mo|Di|Mi|Do|Fr|Sa|So)\., \d+\. \w+\.? \d{4}", when), when
    expect(page.get_by_text(when).first).to_be_visible()

    # A short German course finished: the certificate in German.
    from action_lms.accounts.models import User
    dora = db.session.scalar(select(User).where(User.email == "dora@stadt.example"))
    sample = db.session.scalar(select(Course).where(Course.slug == "sample-course"))
    modules = [
        ([lesson.id for lesson in m.lessons], m.quiz.id, {str(q.id): [o.id for o in q.options if o.correct] for q in m.quiz.questions})
        for m in sorted(sample.modules, key=lambda m: m.position)
    ]
    db.session.commit()
    course_services.enroll(dora, sample.slug)
    for lesson_ids, quiz_id, answers in modules:
        for lesson_id in lesson_ids:
            course_services.complete_lesson(dora, lesson_id)
        course_services.submit_attempt(dora, quiz_id, answers)
    db.session.commit()
    page.goto("/my-learning")
    page.get_by_role("link", name=re.compile(de("Certificate"))).first.click()
    expect(page.get_by_role("heading", name=de("Certificate of completion"))).to_be_visible()
    expect(page.locator(".certificate-course")).to_have_text("Ein Beispielkurs")
    expect(page.locator(".certificate")).to_contain_text(re.compile(r"\d+\. \w+ \d{4}"))  # "1. Dezember 2026"
    assert_accessible(page, "the certificate in German")
