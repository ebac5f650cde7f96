"""Languages as a person meets them: pages in each language, the header's switch, the
browser's Accept-Language, a saved language, e-mails in the recipient's language, dates in
the reader's language, API errors translated with the same code, and a translated quiz
graded as the English one."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from action_lms.core.i18n import LANGUAGES
from action_lms.core.models import OutboxMessage
from action_lms.core.time import format_local
from action_lms.courses import services as course_services
from action_lms.courses.models import Quiz

from ..courses.test_translated_content import write as write_translated_course
from ..factories import make_city, make_user
from ..helpers import api_as, assert_envelope, csrf_from, login_session

SIGN_IN = {"en": "Sign in", "de": "Anmelden", "es": "Iniciar sesión", "it": "Accedi", "fr": "Se connecter"}


def html_lang(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_page_in_each_language_from_accept_language(client, language):
    html = client.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"}).get_data(as_text=True)
    assert html_lang(html) == language
    assert f">{SIGN_IN[language]}</button>" in html


def test_an_unknown_browser_language_gets_english(client):
    html = client.get("/login", headers={"Accept-Language": "pt-PT,pt;q=0.9"}).get_data(as_text=True)
    assert html_lang(html) == "en"


def test_the_language_switch_is_remembered_for_signed_out_visitors(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"language": "it", "next": "/login", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    html = client.get("/register", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert html_lang(html) == "it"  # the switch beats the browser


def test_the_switch_refuses_an_unknown_language_and_an_outside_address(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert html_lang(client.get("/login").get_data(as_text=True)) == "en"


def test_a_saved_language_beats_the_browser_and_the_switch_saves_it(app, session):
    user = make_user("learner")
    user.language = "fr"
    session.commit()
    client = app.test_client()
    login_session(client, user)
    assert html_lang(client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)) == "fr"
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"language": "es", "next": "/account", "csrf_token": token})
    session.expire_all()
    assert session.get(type(user), user.id).language == "es"  # e-mails follow it too


def test_patch_me_language_and_an_unknown_one_is_a_422_in_the_users_language(client, session):
    user = make_user("learner")
    api = api_as(client, user)
    response = api.patch("/api/v1/me", json={"language": "de"})
    assert response.status_code == 200 and response.get_json()["language"] == "de"
    assert api.get("/api/v1/me").get_json()["language"] == "de"
    body = assert_envelope(api.patch("/api/v1/me", json={"language": "xx"}), 422)
    assert list(body["errors"]) == ["language"]  # the field's name stays English
    with force_locale("de"):
        from action_lms.core.i18n import _
        german = _("Language must be one of: %(values)s.", values="en, de, es, it, fr")
    assert body["errors"]["language"] == [german] and "Sprache" in german


def test_an_api_error_message_is_german_with_the_same_code(client, session):
    english = make_user("learner")
    german = make_user("learner")
    german.language = "de"
    session.commit()
    en = assert_envelope(api_as(client, english).get("/api/v1/courses/no-such-course"), 404)
    de = assert_envelope(api_as(client, german).get("/api/v1/courses/no-such-course"), 404)
    assert de["code"] == en["code"] == 404 and de["status"] == en["status"]
    assert de["message"] != en["message"]
    with force_locale("de"):
        from action_lms.core.i18n import _
        assert de["message"] == _(en["message"])


def test_an_email_goes_out_in_the_recipients_language_whoever_triggers_it(app, session):
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    coordinator = make_user("coordinator", city=bologna, name="Chiara Coordinatrice")
    coordinator.language = "it"
    newcomer = make_user("learner", city=None, name="Nadia Newcomer")  # English-speaking
    session.commit()
    api = api_as(app.test_client(), newcomer)
    response = api.post("/api/v1/me/city-request", json={"city_id": bologna.id}, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == coordinator.id)).one()
    with force_locale("it"):
        from action_lms.core.i18n import _
        expected = _("%(name)s asks to join %(city)s on ACTION LMS", name="Nadia Newcomer", city="Bologna")
    assert message.subject == expected and "asks to join" not in message.subject
    assert "Gentile" in message.body_text or "Salve" in message.body_text or "Buongiorno" in message.body_text


def test_dates_and_times_are_spelled_in_the_readers_language(app):
    moment = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with app.test_request_context():
        assert format_local(moment, "Europe/Berlin") == "Tue 01 Dec 2026, 09:00 CET"
        with force_locale("de"):
            assert format_local(moment, "Europe/Berlin") == "Di., 1. Dez. 2026, 09:00 MEZ"
            assert format_local(datetime(2027, 7, 1, 8, 0, tzinfo=UTC), "Europe/Berlin").endswith("10:00 MESZ")
        with force_locale("es"):
            assert format_local(moment, "Europe/Madrid") == "mar, 1 dic 2026, 9:00 CET"
        with force_locale("it"):
            assert format_local(moment, "Europe/Rome") == "mar 1 dic 2026, 09:00 CET"
        with force_locale("fr"):
            assert format_local(moment, "Europe/Paris") == "mar. 1 déc. 2026, 09:00 CET"
            assert format_local(moment, "Europe/Lisbon") == "mar. 1 déc. 2026, 08:00 WET"


def test_registration_saves_the_chosen_language_and_the_welcome_is_in_it(client, session):
    page = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "name": "Dora Deutsch", "email": "dora@example.org", "password": "a long password 1",
        "timezone": "Europe/Berlin", "city_id": "", "language": "de", "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    from action_lms.accounts.models import User
    user = session.scalars(select(User).where(User.email == "dora@example.org")).one()
    assert user.language == "de"
    welcome = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).one()
    assert welcome.subject == "Willkommen bei ACTION LMS"


def test_a_translated_quiz_is_graded_the_same_as_the_english_one(app, session, tmp_path):
    result = course_services.import_directory(write_translated_course(tmp_path))
    assert result.ok, [str(p) for p in result.problems]
    quiz = session.scalars(select(Quiz).where(Quiz.key == "basics-quiz")).one()
    q1, q2 = quiz.questions
    right = {str(q1.id): [q1.options[0].id], str(q2.id): [q2.options[0].id, q2.options[1].id]}
    half = {str(q1.id): [q1.options[0].id], str(q2.id): [q2.options[0].id]}
    scores = {}
    for language in ("en", "de"):
        learner = make_user("learner")
        learner.language = language
        session.commit()
        course_services.enroll(learner, "sample-course")
        for lesson in [lesson for lesson in quiz.module.lessons]:
            course_services.complete_lesson(learner, lesson.id)
        api = api_as(app.test_client(), learner)
        shown = api.get(f"/api/v1/quizzes/{quiz.id}").get_json()
        assert shown["language"] == language
        assert shown["questions"][0]["text"] == ("Wählen Sie a." if language == "de" else "Pick a.")
        first = api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": half}).get_json()
        second = api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": right}).get_json()
        scores[language] = (first["score"], first["passed"], second["score"], second["passed"])
    assert scores["en"] == scores["de"] == (50, True, 100, True)


def test_a_lesson_without_a_translation_is_shown_in_english_with_a_notice(app, session, tmp_path):
    result = course_services.import_directory(write_translated_course(tmp_path))
    assert result.ok
    learner = make_user("learner")
    learner.language = "de"
    session.commit()
    course_services.enroll(learner, "sample-course")
    client = app.test_client()
    login_session(client, learner)
    from action_lms.courses.models import Lesson
    first = session.scalars(select(Lesson).where(Lesson.key == "first")).one()
    second = session.scalars(select(Lesson).where(Lesson.key == "second")).one()
    translated = client.get(f"/lessons/{first.id}").get_data(as_text=True)
    assert "Erste Lektion" in translated and "Die <strong>erste</strong> Lektion." in translated
    assert 'class="alert alert-info course-fallback"' not in translated
    course_services.complete_lesson(learner, first.id)
    fallback = client.get(f"/lessons/{second.id}").get_data(as_text=True)
    assert "The second lesson." in fallback and 'lang="en"' in fallback
    assert 'class="alert alert-info course-fallback"' in fallback
    lesson_api = api_as(client, learner).get(f"/api/v1/lessons/{second.id}").get_json()
    assert lesson_api["language"] == "en"
    assert api_as(client, learner).get(f"/api/v1/lessons/{first.id}?lang=en").get_json()["title"] == "First lesson"


def test_the_certificate_is_issued_in_the_learners_language(app, session, tmp_path):
    result = course_services.import_directory(write_translated_course(tmp_path))
    assert result.ok
    learner = make_user("learner", name="Dora Deutsch")
    learner.language = "de"
    session.commit()
    course_services.enroll(learner, "sample-course")
    from action_lms.courses.models import Course
    course = session.scalars(select(Course).where(Course.slug == "sample-course")).one()
    api = api_as(app.test_client(), learner)
    for module in course.modules:
        for lesson in module.lessons:
            course_services.complete_lesson(learner, lesson.id)
        answers = {str(q.id): [o.id for o in q.options if o.correct] for q in module.quiz.questions}
        assert api.post(f"/api/v1/quizzes/{module.quiz.id}/attempts", json={"answers": answers}).status_code == 201
    from action_lms.courses.models import Certificate
    certificate = session.scalars(select(Certificate)).one()
    assert certificate.language == "de" and certificate.course_title == "Ein Beispielkurs"
    page = app.test_client().get(f"/certificates/{certificate.code}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert 'lang="de"' in html and "Abschlusszertifikat" in html and "Ein Beispielkurs" in html
    assert "This certificate is valid." in html  # the page around it in the reader's language


def test_the_calendar_feed_is_in_its_owners_language(app, client, session):
    from icalendar import Calendar

    from action_lms.accounts import services as accounts
    from action_lms.consulting.models import Booking

    from ..factories import make_booking, make_consultant, make_slot
    coordinator = make_user("coordinator", city=make_city("Lyon", "FR", "Europe/Paris"))
    coordinator.language = "fr"
    session.commit()
    make_booking(make_slot(make_consultant(), utcnow_plus_days(3)), booked_by=coordinator, topic="Indicateurs")
    token = accounts.reset_calendar_token(coordinator)
    session.commit()
    feed = Calendar.from_ical(client.get(f"/calendar/{token}.ics", headers={"Accept-Language": "en"}).data)
    summaries = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    assert session.query(Booking).count() == 1 and len(summaries) == 1
    assert " avec " in summaries[0] and " with " not in summaries[0], summaries  # French, whoever fetches it


def utcnow_plus_days(days: int):
    from datetime import timedelta

    from action_lms.core.time import utcnow
    return utcnow().replace(microsecond=0, second=0) + timedelta(days=days)
