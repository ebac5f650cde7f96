"""The HTML pages: catalogue, course page with locks and progress, lesson page, quiz and
results, my learning, certificate, reports, nav."""
import re

import pytest

from action_lms.courses.models import Lesson, Quiz
from action_lms.extensions import db

from ..factories import make_city, make_course, make_user
from ..helpers import login_session, inline_scripts


@pytest.fixture
def course(app, tmp_path):
    return make_course(tmp_path / "content")


def ids(course):
    lessons = {lesson.key: lesson.id for lesson in db.session.scalars(db.select(Lesson).where(Lesson.course_id == course.id))}
    quizzes = {q.key: q for q in db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id))}
    return lessons, quizzes


def text(response):
    return response.get_data(as_text=True)


def test_nav_and_catalogue(client, course):
    login_session(client, make_user())
    page = text(client.get("/courses"))
    assert "Sample course" in page and "2 modules · 3 lessons" in page
    assert 'href="/my-learning"' in page and 'href="/course-reports"' not in page
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)})
    login_session(client, make_user("coordinator"))
    assert 'href="/course-reports"' in text(client.get("/courses"))


def test_lesson_page_for_someone_not_enrolled_offers_enrollment(client, course):
    login_session(client, make_user())
    lessons, _ = ids(course)
    page = client.get(f"/lessons/{lessons['first']}")
    assert page.status_code == 403 and "Enroll in this course" in text(page)


def test_pages_need_sign_in_but_certificate_is_public(client, course):
    assert client.get("/courses").status_code == 302
    assert client.get("/my-learning").status_code == 302
    assert client.get("/certificates/unknown").status_code == 404


def test_course_page_enroll_lock_and_progress(client, course):
    csrf = login_session(client, make_user())
    page = text(client.get("/courses/sample-course"))
    assert "Enroll in this course" in page and "<progress" not in page
    response = client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    assert response.status_code == 302
    page = text(client.get("/courses/sample-course"))
    assert "You are enrolled" in page
    assert "Locked." in page and "Finish the module “The basics” first" in page
    assert page.count("<progress") == 3  # course + two modules
    assert "Continue: First lesson" in page
    assert "style=" not in page and not inline_scripts(page)
    lessons, _ = ids(course)
    locked = client.get(f"/lessons/{lessons['third']}")
    assert locked.status_code == 403 and "Finish the module “The basics” first" in text(locked)
    assert 'href="/courses/sample-course"' in text(locked)
    client.post("/courses/sample-course/unenroll", data={"csrf_token": csrf})
    page = text(client.get("/courses/sample-course"))
    assert "Your progress is kept" in page and "Enroll again" in page


def test_lesson_page_prev_next_and_mark_complete(client, course):
    csrf = login_session(client, make_user())
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    lessons, quizzes = ids(course)
    page = text(client.get(f"/lessons/{lessons['first']}"))
    assert "<strong>first</strong>" in page and "alert(" not in page
    assert f'href="/lessons/{lessons["second"]}" rel="next"' in page and 'rel="prev"' not in page
    assert "Mark as complete" in page
    response = client.post(f"/lessons/{lessons['first']}/complete", data={"csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lessons/{lessons['second']}")
    page = text(client.get(f"/lessons/{lessons['first']}"))
    assert "You completed this lesson" in page
    page = text(client.get(f"/lessons/{lessons['second']}"))
    assert f'href="/lessons/{lessons["first"]}" rel="prev"' in page and f'/quizzes/{quizzes["basics-quiz"].id}' in page
    # The last lesson of a module leads to its quiz.
    response = client.post(f"/lessons/{lessons['second']}/complete", data={"csrf_token": csrf})
    assert response.headers["Location"].endswith(f"/quizzes/{quizzes['basics-quiz'].id}")


def test_quiz_page_results_hide_answers_while_retries_remain(client, course):
    csrf = login_session(client, make_user())
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    _, quizzes = ids(course)
    quiz = quizzes["basics-quiz"]
    q1, q2 = quiz.questions
    page = text(client.get(f"/quizzes/{quiz.id}"))
    assert 'type="radio"' in page and 'type="checkbox"' in page and "correct: true" not in page
    assert "Attempts used: 0 of 3" in page
    wrong_q1 = next(o.id for o in q1.options if not o.correct)
    right_q2 = [o.id for o in q2.options if o.correct]
    response = client.post(f"/quizzes/{quiz.id}", data={"csrf_token": csrf, f"q-{q1.id}": str(wrong_q1),
                                                          f"q-{q2.id}": [str(i) for i in right_q2]})
    assert response.status_code == 302
    result = text(client.get(response.headers["Location"]))
    assert "Attempt 1: 50%" in result and "You passed" in result
    assert result.count("Not correct") == 1 and "correct answer" not in result
    # Exhaust the attempts: the correct answers are shown.
    wrong_q2 = [o.id for o in q2.options if not o.correct]
    all_wrong = {"csrf_token": csrf, f"q-{q1.id}": str(wrong_q1), f"q-{q2.id}": [str(i) for i in wrong_q2]}
    for _ in range(2):
        response = client.post(f"/quizzes/{quiz.id}", data=all_wrong)
    result = text(client.get(response.headers["Location"]))
    assert "Attempt 3: 0%" in result and "correct answer" in result
    page = client.post(f"/quizzes/{quiz.id}", data=all_wrong)
    assert page.status_code == 409 and "used all 3 attempts" in text(page)


def test_quiz_page_refuses_foreign_options(client, course):
    csrf = login_session(client, make_user())
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    _, quizzes = ids(course)
    quiz = quizzes["basics-quiz"]
    response = client.post(f"/quizzes/{quiz.id}", data={"csrf_token": csrf, f"q-{quiz.questions[0].id}": "abc"})
    assert response.status_code == 422 and "do not match" in text(response)


def test_my_learning_and_certificate_pages(client, course):
    learner = make_user(name="Pat Learner")
    csrf = login_session(client, learner)
    assert "not enrolled in any course yet" in text(client.get("/my-learning"))
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    lessons, quizzes = ids(course)
    for key in ("first", "second"):
        client.post(f"/lessons/{lessons[key]}/complete", data={"csrf_token": csrf})
    page = text(client.get("/my-learning"))
    assert "Sample course" in page and "In progress" in page and 'value="40"' in page
    def right(q):
        return {f"q-{x.id}": [str(o.id) for o in x.options if o.correct] for x in q.questions}
    client.post(f"/quizzes/{quizzes['basics-quiz'].id}", data={"csrf_token": csrf, **right(quizzes["basics-quiz"])})
    client.post(f"/lessons/{lessons['third']}/complete", data={"csrf_token": csrf})
    response = client.post(f"/quizzes/{quizzes['advanced-quiz'].id}", data={"csrf_token": csrf, **right(quizzes["advanced-quiz"])})
    result = text(client.get(response.headers["Location"]))
    assert "View your certificate" in result
    code = re.search(r'href="/certificates/([^"]+)"', result).group(1)
    page = text(client.get("/my-learning"))
    assert "Completed" in page and f"/certificates/{code}" in page
    client.post("/logout", data={"csrf_token": csrf})
    public = client.get(f"/certificates/{code}")
    assert public.status_code == 200
    body = text(public)
    assert "Pat Learner" in body and "Sample course" in body and "This certificate is valid" in body and code in body


def test_reports_pages(client, course):
    graz = make_city("Graz")
    learner = make_user(city=graz)
    csrf = login_session(client, learner)
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    admin_client = client.application.test_client()
    login_session(admin_client, make_user("admin"))
    page = text(admin_client.get("/course-reports"))
    assert "Sample course" in page and "<td>1</td>" in page
    page = text(admin_client.get("/course-reports/sample-course"))
    assert "Graz" in page and learner.name in page and "Download CSV" in page
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    _, quizzes = ids(course)
    response = admin_client.post("/course-reports/sample-course/reset-attempts",
                                 data={"csrf_token": csrf, "user_id": learner.id, "quiz_id": quizzes["basics-quiz"].id})
    assert response.status_code == 302
    assert "0 attempt(s) deleted" in text(admin_client.get(response.headers["Location"]))
    coord_client = client.application.test_client()
    login_session(coord_client, make_user("coordinator"))
    page = text(coord_client.get("/course-reports/sample-course"))
    assert learner.name not in page and "Nobody has enrolled yet" in page
