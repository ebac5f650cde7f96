"""Reports (admin, coordinator of one city), the policy matrix, personal data export and
erasure, cross-domain figures, and constant query counts on the list pages."""
import csv
import io

import pytest

from action_lms.core.hooks import contributions
from action_lms.courses import services
from action_lms.courses.models import Enrollment, Lesson, LessonCompletion, Quiz, QuizAttempt
from action_lms.extensions import db

from ..factories import make_city, make_course, make_user
from ..helpers import api_as, assert_envelope, login_session


@pytest.fixture
def course(app, tmp_path):
    return make_course(tmp_path / "content")


def ids(course):
    lessons = {lesson.key: lesson.id for lesson in db.session.scalars(db.select(Lesson).where(Lesson.course_id == course.id))}
    quizzes = {q.key: q for q in db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id))}
    return lessons, quizzes


def right_answers(quiz):
    return {str(q.id): [o.id for o in q.options if o.correct] for q in quiz.questions}


def wrong_answers(quiz):
    """Every question answered, none right (a quiz refuses blanks unless it allows them)."""
    return {str(q.id): [next(o.id for o in q.options if not o.correct)] for q in quiz.questions}


def complete_course(client, user, course):
    api = api_as(client, user)
    api.post(f"/api/v1/courses/{course.slug}/enrollment")
    lessons, quizzes = ids(course)
    for key in ("first", "second"):
        api.post(f"/api/v1/lessons/{lessons[key]}/completion")
    api.post(f"/api/v1/quizzes/{quizzes['basics-quiz'].id}/attempts", json={"answers": right_answers(quizzes["basics-quiz"])})
    api.post(f"/api/v1/lessons/{lessons['third']}/completion")
    body = api.post(f"/api/v1/quizzes/{quizzes['advanced-quiz'].id}/attempts",
                    json={"answers": right_answers(quizzes["advanced-quiz"])}).get_json()
    return body["certificate_code"]


def start_course(client, user, course, score_right=False):
    api = api_as(client, user)
    api.post(f"/api/v1/courses/{course.slug}/enrollment")
    lessons, quizzes = ids(course)
    api.post(f"/api/v1/lessons/{lessons['first']}/completion")
    quiz = quizzes["basics-quiz"]
    answers = right_answers(quiz) if score_right else wrong_answers(quiz)
    api.post(f"/api/v1/quizzes/{quiz.id}/attempts", json={"answers": answers})


def populate(client, course, per_city=1):
    graz, bonn = make_city("Graz", "AT", "Europe/Vienna"), make_city("Bonn")
    for _ in range(per_city):
        complete_course(client, make_user(city=graz), course)
        start_course(client, make_user(city=graz), course)
        api_as(client, make_user(city=bonn)).post(f"/api/v1/courses/{course.slug}/enrollment")
        start_course(client, make_user(city=bonn), course, score_right=True)
    return graz, bonn


def test_admin_report_per_city_and_per_learner(client, course):
    graz, bonn = populate(client, course)
    nocity = make_user()
    api_as(client, nocity).post("/api/v1/courses/sample-course/enrollment")
    left = make_user(city=bonn)
    api_as(client, left).post("/api/v1/courses/sample-course/enrollment")
    api_as(client, left).delete("/api/v1/courses/sample-course/enrollment")
    admin = api_as(client, make_user("admin"))
    body = admin.get("/api/v1/courses/sample-course/report").get_json()
    assert body["totals"] == {"city_id": None, "city": None, "enrolled": 5, "not_started": 2, "in_progress": 2,
                              "completed": 1, "average_quiz_score": 75.0}
    cities = {c["city"]: c for c in body["cities"]}
    assert cities["Graz"]["enrolled"] == 2 and cities["Graz"]["completed"] == 1 and cities["Graz"]["in_progress"] == 1
    # Graz: the finisher's best scores 100 and 100, the starter's 0 -> 66.7
    assert cities["Graz"]["average_quiz_score"] == pytest.approx(66.7)
    assert cities["Bonn"]["enrolled"] == 2 and cities["Bonn"]["not_started"] == 1 and cities["Bonn"]["average_quiz_score"] == 100
    assert cities[None]["enrolled"] == 1
    statuses = sorted(r["status"] for r in body["learners"])
    assert statuses == ["completed", "in_progress", "in_progress", "not_started", "not_started", "unenrolled"]
    filtered = admin.get(f"/api/v1/courses/sample-course/report?city_id={graz.id}").get_json()
    assert {r["city"] for r in filtered["learners"]} == {"Graz"} and filtered["totals"]["enrolled"] == 2


def test_coordinator_sees_only_own_city(client, course):
    graz, bonn = populate(client, course)
    coordinator = api_as(client, make_user("coordinator", city=graz))
    body = coordinator.get("/api/v1/courses/sample-course/report").get_json()
    assert body["city_id"] == graz.id and {r["city"] for r in body["learners"]} == {"Graz"}
    assert [c["city"] for c in body["cities"]] == ["Graz"]
    assert_envelope(coordinator.get(f"/api/v1/courses/sample-course/report?city_id={bonn.id}"), 403)


@pytest.mark.parametrize("role, allowed", [("learner", False), ("consultant", False), ("coordinator", True), ("admin", True)])
def test_report_permissions(client, course, role, allowed):
    api = api_as(client, make_user(role))
    response = api.get("/api/v1/courses/sample-course/report")
    if allowed:
        assert response.status_code == 200
    else:
        assert_envelope(response, 403)
    page = client.get("/course-reports", headers=api.headers)
    assert page.status_code == (200 if allowed else 403)


def test_report_needs_sign_in(client, course):
    assert_envelope(client.get("/api/v1/courses/sample-course/report"), 401)


POLICY_EXPECTED = {
    "learner": {"course.list", "course.view", "course.enroll", "lesson.view", "lesson.complete", "quiz.view",
                "quiz.attempt", "progress.view_own"},
}
POLICY_EXPECTED["consultant"] = POLICY_EXPECTED["learner"]
POLICY_EXPECTED["coordinator"] = POLICY_EXPECTED["learner"] | {"report.view"}
POLICY_EXPECTED["admin"] = POLICY_EXPECTED["coordinator"] | {"report.view_all_cities", "course.view_unpublished",
                                                             "course.preview", "quiz.reset_attempts"}


@pytest.mark.parametrize("role", sorted(POLICY_EXPECTED))
@pytest.mark.parametrize("action", sorted(services.policy.rules))
def test_policy_matrix(app, role, action):
    user = make_user(role)
    assert services.policy.allows(user, action) == (action in POLICY_EXPECTED[role])


def test_report_csv_export(client, course):
    graz, _ = populate(client, course)
    admin = make_user("admin")
    login_session(client, admin)
    response = client.get(f"/course-reports/sample-course.csv?city_id={graz.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["learner", "email", "city", "status"]
    assert len(rows) == 3 and {r[2] for r in rows[1:]} == {"Graz"}


def test_csv_neutralises_formulas(client, course):
    user = make_user(name="=HYPERLINK(\"http://evil\")")
    api_as(client, user).post("/api/v1/courses/sample-course/enrollment")
    login_session(client, make_user("admin"))
    text = client.get("/course-reports/sample-course.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_export_and_erasure_cover_learning(client, course):
    learner = make_user(name="Erin Erasable")
    code = complete_course(client, learner, course)
    api = api_as(client, learner)
    data = api.get("/api/v1/me/data").get_json()["courses"]
    assert data["enrollments"][0]["course"] == "sample-course" and data["enrollments"][0]["completed_at"]
    assert len(data["lesson_completions"]) == 3 and len(data["quiz_attempts"]) == 2
    assert data["certificates"][0]["code"] == code
    assert api.delete("/api/v1/me").status_code == 204
    for model in (Enrollment, LessonCompletion, QuizAttempt):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0
    body = client.get(f"/api/v1/certificates/{code}").get_json()
    assert body["valid"] is False and body["learner_name"] is None and body["course_title"] == "Sample course"
    page = client.get(f"/certificates/{code}")
    assert page.status_code == 200 and "withdrawn" in page.get_data(as_text=True)
    assert "Erin" not in page.get_data(as_text=True)


def test_city_stats_and_milestone_resources(client, course):
    graz, bonn = populate(client, course)
    empty = make_city("Empty")
    stats = contributions().all_city_stats([graz.id, bonn.id, empty.id])
    assert stats["learners_enrolled"] == {graz.id: 2, bonn.id: 2, empty.id: 0}
    assert stats["learners_certified"] == {graz.id: 1, bonn.id: 0, empty.id: 0}
    with client.application.test_request_context():
        resources = contributions().all_milestone_resources(graz.id, ["political_mandate", "implementation", "adoption"])["lessons"]
    assert [item["title"] for item in resources["political_mandate"]] == ["First lesson", "Second lesson"]
    assert resources["political_mandate"][0]["detail"] == "Sample course"
    assert resources["political_mandate"][0]["url"].startswith("/lessons/")
    assert [item["title"] for item in resources["implementation"]] == ["Third lesson"]
    assert resources["adoption"] == []


def test_city_stat_is_one_query(app, client, course, count_queries):
    graz, bonn = populate(client, course)
    city_ids = [graz.id, bonn.id]
    db.session.commit()
    with count_queries() as q:
        services.learners_enrolled_by_city(city_ids)
        services.learners_certified_by_city(city_ids)
    assert q.count == 2


def _count(count_queries, fn):
    with count_queries() as q:
        fn()
    return q.count


def test_list_pages_and_api_use_constant_queries(app, client, tmp_path, count_queries):
    course = make_course(tmp_path / "a")
    learner = make_user()
    api = api_as(client, learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    admin = api_as(client, make_user("admin"))
    populate(client, course, per_city=1)
    first = {}
    for name, fn in _probes(api, admin).items():
        fn()  # warm up: the first use of a token records when it was used
        first[name] = _count(count_queries, fn)
    # Ten times more learners, and more courses and lessons.
    for n in range(2, 6):
        make_course(tmp_path / f"c{n}", slug=f"course-{n}")
    for _ in range(3):
        populate_more(client, course)
    for name, fn in _probes(api, admin).items():
        assert _count(count_queries, fn) == first[name], name


def populate_more(client, course):
    city = make_city()
    for _ in range(3):
        complete_course(client, make_user(city=city), course)
        start_course(client, make_user(city=city), course)


def _probes(api, admin):
    def ok(response):
        assert response.status_code == 200, response.get_data(as_text=True)
    return {
        "catalogue api": lambda: ok(api.get("/api/v1/courses")),
        "outline api": lambda: ok(api.get("/api/v1/courses/sample-course")),
        "progress api": lambda: ok(api.get("/api/v1/courses/sample-course/progress")),
        "report api": lambda: ok(admin.get("/api/v1/courses/sample-course/report")),
        "catalogue page": lambda: ok(api.client.get("/courses", headers=api.headers)),
        "course page": lambda: ok(api.client.get("/courses/sample-course", headers=api.headers)),
        "my learning page": lambda: ok(api.client.get("/my-learning", headers=api.headers)),
        "report page": lambda: ok(admin.client.get("/course-reports/sample-course", headers=admin.headers)),
        "reports page": lambda: ok(admin.client.get("/course-reports", headers=admin.headers)),
    }


def test_admin_resets_a_learners_attempts(client, course):
    learner = make_user()
    api = api_as(client, learner)
    api.post("/api/v1/courses/sample-course/enrollment")
    _, quizzes = ids(course)
    quiz_id = quizzes["basics-quiz"].id
    wrong = wrong_answers(quizzes["basics-quiz"])
    for _ in range(3):
        assert api.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": wrong}).status_code == 201
    assert_envelope(api.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": wrong}), 409)
    path = f"/api/v1/quizzes/{quiz_id}/learners/{learner.id}/attempts"
    assert_envelope(api.delete(path), 403)
    assert_envelope(api_as(client, make_user("coordinator")).delete(path), 403)
    admin = api_as(client, make_user("admin"))
    assert admin.delete(path).status_code == 204
    assert_envelope(admin.delete(f"/api/v1/quizzes/{quiz_id}/learners/999999/attempts"), 404)
    assert api.get(f"/api/v1/quizzes/{quiz_id}").get_json()["attempts_left"] == 3
    assert api.post(f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": wrong}).get_json()["attempt_number"] == 1
