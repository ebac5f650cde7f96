"""The learner's path through the API: catalogue, outline, enrollment, lessons,
prerequisites, quizzes, progress, completion and the certificate."""
import pytest

from action_lms.courses.models import Enrollment, Lesson, LessonCompletion, Quiz
from action_lms.extensions import db

from ..conftest import run_concurrently
from ..factories import make_course, make_token, make_user
from ..helpers import api_as, assert_envelope


@pytest.fixture
def course(app, tmp_path):
    return make_course(tmp_path / "content")


def lessons_of(course):
    return {lesson.key: lesson.id for lesson in db.session.scalars(db.select(Lesson).where(Lesson.course_id == course.id))}


def quizzes_of(course):
    return {q.key: q for q in db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id))}


def answers_for(api, quiz_id, right=True):
    """Build answers from the quiz as served (no answers in it) plus the known sample keys."""
    body = api.get(f"/api/v1/quizzes/{quiz_id}").get_json()
    quiz = db.session.get(Quiz, quiz_id)
    correct = {str(q.id): [o.id for o in q.options if o.correct] for q in quiz.questions}
    if right:
        return {qid: correct[qid] for qid in correct}
    wrong = {}
    for q in body["questions"]:
        wrong[str(q["id"])] = [o["id"] for o in q["options"] if o["id"] not in correct[str(q["id"])]][:1]
    return wrong


def test_catalogue_lists_published_courses_with_counts(client, tmp_path):
    make_course(tmp_path / "a", slug="sample-course")
    make_course(tmp_path / "b", slug="draft-course", published=False)
    api = api_as(client, make_user())
    response = api.get("/api/v1/courses")
    assert response.status_code == 200
    body = response.get_json()
    assert [c["slug"] for c in body] == ["sample-course"]
    assert body[0] == {"slug": "sample-course", "title": "Sample course", "summary": "A short course used by the tests.",
                       "language": "en", "version": "1", "published": True, "modules_count": 2, "lessons_count": 3,
                       "estimated_minutes": 45}
    assert "X-Pagination" in response.headers
    assert_envelope(api.get("/api/v1/courses/draft-course"), 404)
    admin = api_as(client, make_user("admin"))
    assert {c["slug"] for c in admin.get("/api/v1/courses").get_json()} == {"sample-course", "draft-course"}


def test_catalogue_needs_sign_in(client, course):
    assert_envelope(client.get("/api/v1/courses"), 401)


def test_outline_orders_modules_and_lessons_without_bodies(client, course):
    api = api_as(client, make_user())
    body = api.get("/api/v1/courses/sample-course").get_json()
    assert [m["key"] for m in body["modules"]] == ["basics", "advanced"]
    basics, advanced = body["modules"]
    assert [lesson["key"] for lesson in basics["lessons"]] == ["first", "second"]
    assert "body_html" not in basics["lessons"][0]
    assert basics["quiz_id"] and basics["pass_mark"] == 50 and basics["quiz"]["max_attempts"] == 3
    assert advanced["prerequisites"] == [{"id": basics["id"], "key": "basics", "title": "The basics"}]
    assert advanced["locked"] is True and "The basics" in advanced["locked_reason"]
    assert body["enrolled"] is False
    assert_envelope(api.get("/api/v1/courses/nope"), 404)


def test_enrollment_is_idempotent_and_unenroll_keeps_progress(client, course):
    learner = make_user()
    api = api_as(client, learner)
    first = api.post("/api/v1/courses/sample-course/enrollment")
    assert first.status_code == 201 and first.get_json()["active"] is True
    assert api.post("/api/v1/courses/sample-course/enrollment").status_code == 200
    lesson_id = lessons_of(course)["first"]
    assert api.post(f"/api/v1/lessons/{lesson_id}/completion").status_code == 200
    assert api.delete("/api/v1/courses/sample-course/enrollment").status_code == 204
    assert api.delete("/api/v1/courses/sample-course/enrollment").status_code == 204
    body = assert_envelope(api.get(f"/api/v1/lessons/{lesson_id}"), 403)
    assert "Enroll" in body["message"]
    assert api.post("/api/v1/courses/sample-course/enrollment").status_code == 201
    progress = api.get("/api/v1/courses/sample-course/progress").get_json()
    assert progress["lessons_completed"] == 1
    assert db.session.scalar(db.select(db.func.count(Enrollment.id))) == 1


def test_concurrent_enrollments_make_one_row(app, course):
    learner = make_user()
    token = make_token(learner)

    def go(_):
        with app.test_client() as c:
            return c.post("/api/v1/courses/sample-course/enrollment", headers={"Authorization": f"Bearer {token}"}).status_code

    results = run_concurrently(go, 4)
    assert sorted(results) == [200, 200, 200, 201]
    assert db.session.scalar(db.select(db.func.count(Enrollment.id))) == 1


def test_lesson_view_and_idempotent_completion(client, course):
    api = api_as(client, make_user())
    ids = lessons_of(course)
    assert_envelope(api.get(f"/api/v1/lessons/{ids['first']}"), 403)
    api.post("/api/v1/courses/sample-course/enrollment")
    body = api.get(f"/api/v1/lessons/{ids['first']}").get_json()
    assert body["title"] == "First lesson" and body["completed"] is False
    assert "<strong>first</strong>" in body["body_html"] and "<script" not in body["body_html"]
    assert body["module"]["key"] == "basics" and body["position"] == 1
    assert body["previous_lesson_id"] is None and body["next_lesson_id"] == ids["second"]
    for _ in range(2):
        done = api.post(f"/api/v1/lessons/{ids['first']}/completion")
        assert done.status_code == 200 and done.get_json()["completed"] is True
    assert db.session.scalar(db.select(db.func.count(LessonCompletion.id))) == 1
    assert api.get(f"/api/v1/lessons/{ids['first']}").get_json()["completed"] is True
    assert_envelope(api.get("/api/v1/lessons/999999"), 404)


def test_gated_module_answers_403_naming_the_module(client, course):
    api = api_as(client, make_user())
    api.post("/api/v1/courses/sample-course/enrollment")
    ids = lessons_of(course)
    quizzes = quizzes_of(course)
    for path in (f"/api/v1/lessons/{ids['third']}", f"/api/v1/quizzes/{quizzes['advanced-quiz'].id}"):
        body = assert_envelope(api.get(path), 403)
        assert "“The basics”" in body["message"]
    assert_envelope(api.post(f"/api/v1/lessons/{ids['third']}/completion"), 403)
    # Lessons done but quiz not passed: still locked.
    api.post(f"/api/v1/lessons/{ids['first']}/completion")
    api.post(f"/api/v1/lessons/{ids['second']}/completion")
    assert_envelope(api.get(f"/api/v1/lessons/{ids['third']}"), 403)
    basics = quizzes["basics-quiz"].id
    assert api.post(f"/api/v1/quizzes/{basics}/attempts", json={"answers": answers_for(api, basics)}).status_code == 201
    assert api.get(f"/api/v1/lessons/{ids['third']}").status_code == 200


def test_quiz_never_shows_answers(client, course):
    api = api_as(client, make_user())
    api.post("/api/v1/courses/sample-course/enrollment")
    quiz_id = quizzes_of(course)["basics-quiz"].id
    body = api.get(f"/api/v1/quizzes/{quiz_id}").get_json()
    assert body["pass_mark"] == 50 and body["max_attempts"] == 3 and body["attempts_left"] == 3
    assert [q["type"] for q in body["questions"]] == ["single", "multiple"]
    text = str(body)
    assert "correct" not in text


def test_grading_multiple_choice_partial_answers_score_nothing(client, course):
    api = api_as(client, make_user())
    api.post("/api/v1/courses/sample-course/enrollment")
    quiz = quizzes_of(course)["basics-quiz"]
    q1, q2 = quiz.questions
    right_q1 = [o.id for o in q1.options if o.correct]
    a, b, c = (o.id for o in q2.options)
    # q1 right, q2 only half of the correct options -> 50 %, which is the pass mark.
    response = api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": {str(q1.id): right_q1, str(q2.id): [a]}})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["score"], body["passed"], body["attempt_number"]) == (50, True, 1)
    assert {q["id"]: q["correct"] for q in body["questions"]} == {q1.id: True, q2.id: False}
    assert all(q["correct_option_ids"] is None for q in body["questions"])
    # Both correct plus a wrong one is wrong too (every question must be answered: see test_learning_fixes).
    wrong_q1 = [o.id for o in q1.options if not o.correct]
    body = api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": {str(q1.id): wrong_q1, str(q2.id): [a, b, c]}}).get_json()
    assert (body["score"], body["passed"], body["attempt_number"]) == (0, False, 2)
    body = api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": {str(q1.id): right_q1, str(q2.id): [b, a]}}).get_json()
    assert (body["score"], body["passed"], body["attempt_number"]) == (100, True, 3)
    # Attempts exhausted: now the correct answers are revealed in the result, and more is a 409.
    assert body["attempts_left"] == 0
    assert {q["id"]: q["correct_option_ids"] for q in body["questions"]} == {q1.id: right_q1, q2.id: sorted([a, b])}
    body = assert_envelope(api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": {}}), 409)
    assert "3 attempts" in body["message"]


def test_invalid_answers_are_422(client, course):
    api = api_as(client, make_user())
    api.post("/api/v1/courses/sample-course/enrollment")
    quiz = quizzes_of(course)["basics-quiz"]
    q1, q2 = quiz.questions
    other = q2.options[0].id
    cases = [
        {"answers": {"999999": [1]}},
        {"answers": {str(q1.id): [other]}},
        {"answers": {str(q1.id): [o.id for o in q1.options]}},
        {"answers": {"abc": [1]}},
        {"answers": "nope"},
        {},
    ]
    for payload in cases:
        assert_envelope(api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json=payload), 422)
    # Nothing was recorded: the attempt count is untouched.
    assert api.get(f"/api/v1/quizzes/{quiz.id}").get_json()["attempts_used"] == 0


def test_last_attempt_submitted_twice_at_once_counts_once(app, course):
    learner = make_user()
    token = make_token(learner)
    api = api_as(app.test_client(), learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    quiz_id = quizzes_of(course)["basics-quiz"].id
    wrong = answers_for(api, quiz_id, right=False)
    for _ in range(2):
        assert api.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": wrong}).status_code == 201

    def go(_):
        with app.test_client() as c:
            return c.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": wrong},
                          headers={"Authorization": f"Bearer {token}"}).status_code

    results = run_concurrently(go, 4)
    assert sorted(results) == [201, 409, 409, 409]
    assert api.get(f"/api/v1/quizzes/{quiz_id}").get_json()["attempts_used"] == 3


def test_whole_path_to_certificate(client, course):
    learner = make_user(name="Ana Example")
    api = api_as(client, learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    ids = lessons_of(course)
    quizzes = quizzes_of(course)
    progress = api.get("/api/v1/courses/sample-course/progress").get_json()
    assert (progress["percent"], progress["lessons_completed"], progress["lessons_total"]) == (0, 0, 3)
    assert progress["completed_at"] is None and progress["certificate_code"] is None
    api.post(f"/api/v1/lessons/{ids['first']}/completion")
    api.post(f"/api/v1/lessons/{ids['second']}/completion")
    basics = quizzes["basics-quiz"].id
    failed = api.post(f"/api/v1/quizzes/{basics}/attempts", json={"answers": answers_for(api, basics, right=False)}).get_json()
    assert failed["passed"] is False and failed["score"] == 0
    passed = api.post(f"/api/v1/quizzes/{basics}/attempts", json={"answers": answers_for(api, basics)}).get_json()
    assert passed["passed"] is True and passed["course_completed"] is False
    progress = api.get("/api/v1/courses/sample-course/progress").get_json()
    assert progress["percent"] == 60  # 2 lessons + 1 quiz of 3 lessons + 2 quizzes
    assert [(m["key"], m["percent"], m["quiz_passed"], m["locked"]) for m in progress["modules"]] == [
        ("basics", 100, True, False), ("advanced", 0, False, False)]
    done = api.post(f"/api/v1/lessons/{ids['third']}/completion").get_json()
    assert done["course_completed"] is False
    advanced = quizzes["advanced-quiz"].id
    result = api.post(f"/api/v1/quizzes/{advanced}/attempts", json={"answers": answers_for(api, advanced)}).get_json()
    assert result["passed"] and result["course_completed"] is True
    code = result["certificate_code"]
    assert code and len(code) >= 20
    progress = api.get("/api/v1/courses/sample-course/progress").get_json()
    assert progress["percent"] == 100 and progress["completed_at"].endswith("Z") and progress["certificate_code"] == code
    # Completing again changes nothing: the same certificate.
    again = api.post(f"/api/v1/lessons/{ids['third']}/completion").get_json()
    assert again["certificate_code"] == code
    public = client.get(f"/api/v1/certificates/{code}")
    assert public.status_code == 200
    body = public.get_json()
    assert body["learner_name"] == "Ana Example" and body["course_title"] == "Sample course"
    assert body["valid"] is True and body["issued_at"].endswith("Z") and body["code"] == code
    assert_envelope(client.get("/api/v1/certificates/not-a-real-code"), 404)


def test_progress_needs_enrollment(client, course):
    api = api_as(client, make_user())
    assert_envelope(api.get("/api/v1/courses/sample-course/progress"), 403)


def test_openapi_documents_the_course_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/courses", "/api/v1/courses/{slug}", "/api/v1/courses/{slug}/enrollment",
                 "/api/v1/lessons/{lesson_id}", "/api/v1/lessons/{lesson_id}/completion", "/api/v1/quizzes/{quiz_id}",
                 "/api/v1/quizzes/{quiz_id}/attempts", "/api/v1/courses/{slug}/progress",
                 "/api/v1/certificates/{code}", "/api/v1/courses/{slug}/report"):
        assert path in paths, path


def test_certificate_email_is_queued_once(client, course):
    from action_lms.core.models import OutboxMessage
    learner = make_user()
    api = api_as(client, learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    ids = lessons_of(course)
    quizzes = quizzes_of(course)
    for key in ("first", "second", "third"):
        if key == "third":
            basics = quizzes["basics-quiz"].id
            api.post(f"/api/v1/quizzes/{basics}/attempts", json={"answers": answers_for(api, basics)})
        api.post(f"/api/v1/lessons/{ids[key]}/completion")
    advanced = quizzes["advanced-quiz"].id
    for _ in range(2):
        api.post(f"/api/v1/quizzes/{advanced}/attempts", json={"answers": answers_for(api, advanced)})
    messages = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "course_certificate")).all()
    assert len(messages) == 1
    code = api.get("/api/v1/courses/sample-course/progress").get_json()["certificate_code"]
    assert f"/certificates/{code}" in messages[0].body_text and "Sample course" in messages[0].subject


def test_last_lesson_and_last_quiz_at_once_still_complete_the_course(app, course):
    learner = make_user()
    token = make_token(learner)
    api = api_as(app.test_client(), learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    ids = lessons_of(course)
    quizzes = quizzes_of(course)
    basics = quizzes["basics-quiz"].id
    for key in ("first", "second"):
        api.post(f"/api/v1/lessons/{ids[key]}/completion")
    api.post(f"/api/v1/quizzes/{basics}/attempts", json={"answers": answers_for(api, basics)})
    advanced = quizzes["advanced-quiz"].id
    right = answers_for(api, advanced)
    third = ids["third"]
    headers = {"Authorization": f"Bearer {token}"}

    def go(i):
        with app.test_client() as c:
            if i == 0:
                return c.post(f"/api/v1/lessons/{third}/completion", headers=headers).status_code
            return c.post(f"/api/v1/quizzes/{advanced}/attempts", json={"answers": right}, headers=headers).status_code

    assert sorted(run_concurrently(go, 2)) == [200, 201]
    progress = api.get("/api/v1/courses/sample-course/progress").get_json()
    assert progress["percent"] == 100 and progress["completed_at"] and progress["certificate_code"]


def test_catalogue_page_far_beyond_the_end_is_empty_not_an_error(client, course):
    api = api_as(client, make_user())
    response = api.get("/api/v1/courses?page=99999999999999&page_size=100")
    assert response.status_code == 200 and response.get_json() == []
    assert_envelope(api.get("/api/v1/courses?page=0"), 422)


def test_ids_beyond_any_row_are_404_not_errors(client, course):
    api = api_as(client, make_user("admin"))
    huge = 10**30
    for path in (f"/api/v1/lessons/{huge}", f"/api/v1/quizzes/{huge}", f"/api/v1/lessons/{huge}/completion",
                 f"/api/v1/quizzes/{huge}/learners/1/attempts"):
        method = "POST" if path.endswith("completion") else "DELETE" if "learners" in path else "GET"
        assert_envelope(api.request(method, path), 404)
    assert_envelope(api.get(f"/api/v1/courses/sample-course/report?city_id={huge}"), 422)
