"""Admins preview any lesson and quiz without enrolling or unlocking it, and nothing is recorded;
every other role keeps the learner's rules (enroll first, finish the prerequisite module first)."""
import pytest
from sqlalchemy import func, select

from action_lms.courses.models import Enrollment, Lesson, LessonCompletion, Quiz, QuizAttempt
from action_lms.extensions import db

from ..factories import make_course, make_user
from ..helpers import api_as, login_session

ROLES = ("learner", "coordinator", "consultant", "admin")


@pytest.fixture
def course(app, tmp_path):
    return make_course(tmp_path / "content")


def lessons_of(course):
    return {lesson.key: lesson.id for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id))}


def quizzes_of(course):
    return {q.key: q.id for q in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id))}


def learning_rows() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(model))
               for model in (Enrollment, LessonCompletion, QuizAttempt))


@pytest.mark.parametrize("role", ROLES)
def test_lesson_api_without_enrollment_by_role(client, course, role):
    lessons = lessons_of(course)
    api = api_as(client, make_user(role))
    for key in ("first", "third"):  # "third" is in the module gated by "The basics"
        response = api.get(f"/api/v1/lessons/{lessons[key]}")
        if role == "admin":
            assert response.status_code == 200
            assert response.get_json()["id"] == lessons[key] and response.get_json()["completed"] is False
        else:
            assert response.status_code == 403
            assert "Enroll in the course “Sample course”" in response.get_json()["message"]
    assert learning_rows() == 0


@pytest.mark.parametrize("role", ROLES)
def test_gated_module_for_enrolled_users_by_role(client, course, role):
    lessons, quizzes = lessons_of(course), quizzes_of(course)
    api = api_as(client, make_user(role))
    assert api.post("/api/v1/courses/sample-course/enrollment").status_code in (200, 201)
    rows = learning_rows()
    lesson = api.get(f"/api/v1/lessons/{lessons['third']}")
    quiz = api.get(f"/api/v1/quizzes/{quizzes['advanced-quiz']}")
    if role == "admin":
        assert lesson.status_code == 200 and quiz.status_code == 200
    else:
        for response in (lesson, quiz):
            assert response.status_code == 403
            assert "Finish the module “The basics” first" in response.get_json()["message"]
    assert learning_rows() == rows


def test_admin_preview_writes_nothing_and_cannot_record_progress(client, course):
    lessons, quizzes = lessons_of(course), quizzes_of(course)
    admin = make_user("admin")
    api = api_as(client, admin)
    quiz = api.get(f"/api/v1/quizzes/{quizzes['advanced-quiz']}")
    assert quiz.status_code == 200 and quiz.get_json()["questions"]
    assert all("correct" not in o for q in quiz.get_json()["questions"] for o in q["options"])
    # Reading is a preview; recording progress still takes an enrollment and an unlocked module.
    assert api.post(f"/api/v1/lessons/{lessons['first']}/completion").status_code == 403
    assert api.post(f"/api/v1/quizzes/{quizzes['basics-quiz']}/attempts", json={"answers": {}}).status_code == 403
    assert learning_rows() == 0


def test_admin_lesson_page_is_a_preview_without_mark_complete(client, course):
    lessons = lessons_of(course)
    csrf = login_session(client, make_user("admin"))
    course_page = client.get("/courses/sample-course").get_data(as_text=True)
    assert f'href="/lessons/{lessons["third"]}"' in course_page and "read-only preview" in course_page
    for key in ("first", "third"):
        page = client.get(f"/lessons/{lessons[key]}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Preview: you are not enrolled in this course" in html and "Mark as complete" not in html
    assert learning_rows() == 0
    # Enrolled: the basics are theirs to complete; the gated module is still a preview.
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    first = client.get(f"/lessons/{lessons['first']}").get_data(as_text=True)
    assert "Preview" not in first and "Mark as complete" in first
    third = client.get(f"/lessons/{lessons['third']}").get_data(as_text=True)
    assert "Preview: this module is not unlocked for you yet" in third and "Mark as complete" not in third


def test_admin_quiz_page_shows_questions_without_a_form(client, course):
    quizzes = quizzes_of(course)
    login_session(client, make_user("admin"))
    page = client.get(f"/quizzes/{quizzes['advanced-quiz']}")
    html = page.get_data(as_text=True)
    quiz = db.session.get(Quiz, quizzes["advanced-quiz"])
    assert page.status_code == 200 and "Preview: you are not enrolled" in html
    assert all(q.text in html for q in quiz.questions)
    assert "Submit answers" not in html and 'type="radio"' not in html
    assert learning_rows() == 0


@pytest.mark.parametrize("role", ("learner", "coordinator", "consultant"))
def test_other_roles_keep_the_locked_pages(client, course, role):
    lessons, quizzes = lessons_of(course), quizzes_of(course)
    csrf = login_session(client, make_user(role))
    course_page = client.get("/courses/sample-course").get_data(as_text=True)
    assert 'href="/lessons/' not in course_page and "read-only preview" not in course_page
    page = client.get(f"/lessons/{lessons['first']}")
    assert page.status_code == 403 and "Enroll in this course" in page.get_data(as_text=True)
    assert client.get(f"/quizzes/{quizzes['basics-quiz']}").status_code == 403
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    gated = client.get(f"/lessons/{lessons['third']}")
    assert gated.status_code == 403 and "Finish the module “The basics” first" in gated.get_data(as_text=True)
    assert "Preview" not in gated.get_data(as_text=True)
