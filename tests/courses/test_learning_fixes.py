"""Three findings of a new learner, through HTTP (API and pages):

1. A quiz submission that leaves questions unanswered is refused (422 naming them) and uses
   no attempt, unless the quiz's file says `allow_blanks: true`. (Before: a 201 that used an
   attempt and scored the blanks as wrong.)
2. *Continue* leads to the next thing to do, the module's quiz included, until the course
   is complete. (Before: lessons only, so it skipped a quiz and vanished while one was open.)
3. The progress label says what the percentage counts: lessons and quizzes. (Before:
   "40%" next to "2 of 3 lessons done".)
"""
import re

import pytest

from action_lms.courses import services
from action_lms.courses.models import Lesson, Quiz, QuizAttempt
from action_lms.extensions import db

from ..factories import SAMPLE_FILES, make_city, make_course, make_user, write_course_files
from ..helpers import api_as, assert_envelope, login_session


@pytest.fixture
def course(app, tmp_path):
    return make_course(tmp_path / "content")


def ids(course):
    lessons = {lesson.key: lesson.id for lesson in db.session.scalars(db.select(Lesson).where(Lesson.course_id == course.id))}
    quizzes = {q.key: q for q in db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id))}
    return lessons, quizzes


def right(quiz):
    return {str(q.id): [o.id for o in q.options if o.correct] for q in quiz.questions}


def wrong(quiz):
    return {str(q.id): [next(o.id for o in q.options if not o.correct)] for q in quiz.questions}


def as_form(answers, csrf):
    return {"csrf_token": csrf, **{f"q-{qid}": [str(o) for o in options] for qid, options in answers.items()}}


def attempts():
    return db.session.scalar(db.select(db.func.count(QuizAttempt.id)))


def text(response):
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- 1. unanswered questions


def test_api_refuses_an_attempt_with_unanswered_questions_and_uses_no_attempt(client, course):
    api = api_as(client, make_user())
    api.post("/api/v1/courses/sample-course/enrollment")
    _, quizzes = ids(course)
    quiz = quizzes["basics-quiz"]
    q1, q2 = quiz.questions
    url = f"/api/v1/quizzes/{quiz.id}/attempts"

    body = assert_envelope(api.post(url, json={"answers": {}}), 422)
    assert set(body["errors"]) == {f"answers.{q1.id}", f"answers.{q2.id}"}
    assert "1 (“Pick a.”)" in body["message"] and "2 (“Pick a and b.”)" in body["message"]
    assert "no attempt was used" in body["message"]

    # One question answered, the other sent as an empty list or left out: only that one is named.
    for answers in ({str(q1.id): right(quiz)[str(q1.id)]}, {str(q1.id): right(quiz)[str(q1.id)], str(q2.id): []}):
        body = assert_envelope(api.post(url, json={"answers": answers}), 422)
        assert set(body["errors"]) == {f"answers.{q2.id}"}
        assert "Question 2 (“Pick a and b.”) is not answered" in body["message"] and "Pick a.”" not in body["message"]

    assert attempts() == 0
    quiz_body = api.get(f"/api/v1/quizzes/{quiz.id}").get_json()
    assert quiz_body["attempts_used"] == 0 and quiz_body["attempts_left"] == 3 and quiz_body["allow_blanks"] is False
    # A complete answer set is still graded as before, as attempt 1.
    done = api.post(url, json={"answers": wrong(quiz)})
    assert done.status_code == 201 and done.get_json()["attempt_number"] == 1


def test_a_quiz_that_allows_blanks_grades_them_as_wrong(client, tmp_path):
    quiz_yaml = SAMPLE_FILES["basics/quiz.yaml"].replace("max_attempts: 3\n", "max_attempts: 3\nallow_blanks: true\n")
    course = make_course(tmp_path / "content", overrides={"basics/quiz.yaml": quiz_yaml})
    api = api_as(client, make_user())
    api.post("/api/v1/courses/sample-course/enrollment")
    _, quizzes = ids(course)
    quiz = quizzes["basics-quiz"]
    assert api.get(f"/api/v1/quizzes/{quiz.id}").get_json()["allow_blanks"] is True
    outline = api.get("/api/v1/courses/sample-course").get_json()
    assert [m["quiz"]["allow_blanks"] for m in outline["modules"]] == [True, False]
    response = api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": {}})
    assert response.status_code == 201
    assert (response.get_json()["score"], response.get_json()["attempt_number"]) == (0, 1)
    # The other quiz does not say so: blanks are refused there.
    advanced = quizzes["advanced-quiz"]
    assert advanced.allow_blanks is False


def test_allow_blanks_is_checked_at_import_and_its_change_reported(app, tmp_path):
    quiz_yaml = SAMPLE_FILES["basics/quiz.yaml"]
    write_course_files(tmp_path, overrides={"basics/quiz.yaml": quiz_yaml.replace("max_attempts: 3\n", "max_attempts: 3\nallow_blanks: maybe\n")})
    result = services.import_directory(tmp_path)
    assert not result.ok
    problems = [str(p) for p in result.problems]
    assert len(problems) == 1, problems
    assert problems[0].endswith("sample-course/basics/quiz.yaml:5: the quiz: 'allow_blanks' must be true or false")
    write_course_files(tmp_path)
    assert services.import_directory(tmp_path).ok
    write_course_files(tmp_path, overrides={"basics/quiz.yaml": quiz_yaml.replace("max_attempts: 3\n", "max_attempts: 3\nallow_blanks: true\n")})
    result = services.import_directory(tmp_path)
    assert result.ok and any("quiz 'basics-quiz': allow_blanks changed" in c for c in result.changes), result.changes
    assert db.session.scalar(db.select(Quiz.allow_blanks).where(Quiz.key == "basics-quiz")) is True


def test_quiz_page_shows_the_unanswered_questions_and_keeps_the_answers(client, course):
    csrf = login_session(client, make_user())
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    _, quizzes = ids(course)
    quiz = quizzes["basics-quiz"]
    q1, q2 = quiz.questions
    chosen = next(o.id for o in q1.options if not o.correct)
    response = client.post(f"/quizzes/{quiz.id}", data={"csrf_token": csrf, f"q-{q1.id}": str(chosen)})
    assert response.status_code == 422
    page = text(response)
    summary = page.index('class="alert alert-error error-summary"')
    assert summary < page.index('<form method="post" action="/quizzes/')
    assert "One question is not answered" in page
    first_option = q2.options[0].id
    assert f'<a href="#q{q2.id}-o{first_option}">Question 2: Pick a and b.</a>' in page
    assert f'id="q{q2.id}-o{first_option}"' in page  # the link's target exists
    assert f'href="#q{q1.id}-o' not in page  # the answered question is not listed
    assert f'aria-describedby="question-{q2.id}-error"' in page and "Question 2 is not answered" in page
    # The answer already chosen is kept (checked), nothing was recorded.
    assert re.search(rf'id="q{q1.id}-o{chosen}" name="q-{q1.id}" value="{chosen}" checked', page)
    assert "Attempts used: 0 of 3" in page and attempts() == 0
    assert "Answer every question before you submit." in text(client.get(f"/quizzes/{quiz.id}"))

    # Nothing chosen at all: both questions listed.
    page = text(client.post(f"/quizzes/{quiz.id}", data={"csrf_token": csrf}))
    assert "2 questions are not answered" in page and "Question 1: Pick a." in page and "Question 2: Pick a and b." in page
    assert attempts() == 0
    response = client.post(f"/quizzes/{quiz.id}", data=as_form(right(quiz), csrf))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/quizzes/{quiz.id}/attempts/1")


# ---------------------------------------------------------------- 2. Continue


def continue_link(page):
    found = re.search(r'<a class="button" href="([^"]+)">Continue: ([^<]+)</a>', page)
    return found and (found.group(1), found.group(2))


def test_continue_leads_through_lessons_and_quizzes_until_the_course_is_complete(client, course):
    learner = make_user()
    csrf = login_session(client, learner)
    api = api_as(client.application.test_client(), learner)
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    lessons, quizzes = ids(course)
    basics, advanced = quizzes["basics-quiz"], quizzes["advanced-quiz"]

    def step():
        return api.get("/api/v1/courses/sample-course/progress").get_json()["next_step"]

    assert continue_link(text(client.get("/courses/sample-course"))) == (f"/lessons/{lessons['first']}", "First lesson")
    assert step()["kind"] == "lesson" and step()["id"] == lessons["first"]
    for key in ("first", "second"):
        client.post(f"/lessons/{lessons[key]}/complete", data={"csrf_token": csrf})
    # The module's lessons are done, its quiz is open: Continue leads to it (it used to vanish).
    assert continue_link(text(client.get("/courses/sample-course"))) == (f"/quizzes/{basics.id}", "Basics quiz")
    assert step() == {"kind": "quiz", "id": basics.id, "title": "Basics quiz",
                      "module": {"id": basics.module_id, "key": "basics", "title": "The basics"}}
    my_learning = text(client.get("/my-learning"))
    assert f'<a class="button button-small" href="/quizzes/{basics.id}">Continue: Basics quiz' in my_learning
    # A failed attempt with attempts left: still the quiz.
    client.post(f"/quizzes/{basics.id}", data=as_form(wrong(basics), csrf))
    assert continue_link(text(client.get("/courses/sample-course"))) == (f"/quizzes/{basics.id}", "Basics quiz")
    client.post(f"/quizzes/{basics.id}", data=as_form(right(basics), csrf))
    # Module two is open now: its lesson, then its quiz.
    assert continue_link(text(client.get("/courses/sample-course"))) == (f"/lessons/{lessons['third']}", "Third lesson")
    response = client.post(f"/lessons/{lessons['third']}/complete", data={"csrf_token": csrf})
    assert response.headers["Location"].endswith(f"/quizzes/{advanced.id}")
    assert continue_link(text(client.get("/courses/sample-course"))) == (f"/quizzes/{advanced.id}", "Advanced quiz")
    assert f'<a class="button button-small" href="/quizzes/{advanced.id}">Continue: Advanced quiz' in text(client.get("/my-learning"))
    client.post(f"/quizzes/{advanced.id}", data=as_form(right(advanced), csrf))
    # Complete: no Continue any more, the certificate instead.
    page = text(client.get("/courses/sample-course"))
    assert continue_link(page) is None and "View your certificate" in page
    assert step() is None
    assert "Continue:" not in text(client.get("/my-learning"))


def test_continue_respects_prerequisites_and_stops_at_a_quiz_without_attempts(client, course):
    learner = make_user()
    csrf = login_session(client, learner)
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    lessons, quizzes = ids(course)
    basics = quizzes["basics-quiz"]
    for key in ("first", "second"):
        client.post(f"/lessons/{lessons[key]}/complete", data={"csrf_token": csrf})
    for _ in range(3):
        client.post(f"/quizzes/{basics.id}", data=as_form(wrong(basics), csrf))
    # The basics quiz has no attempt left and "Going further" needs it passed: nothing to continue with.
    page = text(client.get("/courses/sample-course"))
    assert continue_link(page) is None
    assert f'href="/lessons/{lessons["third"]}"' not in page
    assert "You have used every attempt at “Basics quiz”" in page and "fresh start" in page
    progress = api_as(client.application.test_client(), learner).get("/api/v1/courses/sample-course/progress").get_json()
    assert progress["next_step"] is None and progress["completed_at"] is None


# ---------------------------------------------------------------- 3. the progress label


def test_progress_label_counts_lessons_and_quizzes_like_the_bar(client, course):
    graz = make_city("Graz")
    learner = make_user(city=graz, name="Lia Learner")
    csrf = login_session(client, learner)
    client.post("/courses/sample-course/enroll", data={"csrf_token": csrf})
    lessons, quizzes = ids(course)
    for key in ("first", "second"):
        client.post(f"/lessons/{lessons[key]}/complete", data={"csrf_token": csrf})
    # 2 lessons of 3 + 0 quizzes of 2 = 2 of 5 items: 40 %.
    summary = "2 of 3 lessons and 0 of 2 quizzes done"
    page = text(client.get("/courses/sample-course"))
    assert 'value="40"' in page and f"· {summary}" in page and "2 of 3 lessons done" not in page
    assert f'aria-label="Course progress: {summary}"' in page
    client.post(f"/quizzes/{quizzes['basics-quiz'].id}", data=as_form(right(quizzes["basics-quiz"]), csrf))
    summary = "2 of 3 lessons and 1 of 2 quizzes done"  # 3 of 5: 60 %
    page = text(client.get("/courses/sample-course"))
    assert 'value="60"' in page and summary in page
    for path in ("/my-learning", "/courses"):
        page = text(client.get(path))
        assert 'value="60"' in page and summary in page, path
    progress = api_as(client.application.test_client(), learner).get("/api/v1/courses/sample-course/progress").get_json()
    assert progress["label"] == f"60% · {summary}"
    assert (progress["percent"], progress["lessons_completed"], progress["lessons_total"],
            progress["quizzes_passed"], progress["quizzes_total"]) == (60, 2, 3, 1, 2)
    admin = client.application.test_client()
    login_session(admin, make_user("admin"))
    page = text(admin.get("/course-reports/sample-course"))
    assert 'value="60"' in page and summary in page
    # Having left the course, the page still says what the percentage counts.
    client.post("/courses/sample-course/unenroll", data={"csrf_token": csrf})
    assert f"Your progress is kept: 60% · {summary}." in text(client.get("/courses/sample-course"))


@pytest.mark.parametrize("counts, label", [
    ((8, 10, 2, 3), "77% · 8 of 10 lessons and 2 of 3 quizzes done"),  # 10 of 13 items
    ((0, 1, 0, 1), "0% · 0 of 1 lesson and 0 of 1 quiz done"),
    ((4, 4, 0, 0), "100% · 4 of 4 lessons done"),
])
def test_the_label_names_what_the_percentage_counts(counts, label):
    assert services.Progress(*counts).label == label
