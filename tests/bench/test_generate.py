"""The benchmark data generator builds a consistent deployment the app can serve: the
rows it promises, every database rule respected, working tokens and contention fixtures."""
from pathlib import Path

from sqlalchemy import exists, func, select

from action_lms.accounts.models import City, User
from action_lms.consulting.models import Slot
from action_lms.courses.models import Enrollment, Lesson, LessonCompletion
from action_lms.courses.services import import_directory
from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.feedback.models import FeedbackAnswer
from action_lms.plans.models import Milestone, Plan
from action_lms.plans.template import MILESTONE_KEYS
from action_lms.practices.models import Practice
from action_lms.webinars.models import Webinar
from bench.generate import Scale, generate

from ..helpers import ApiClient

ROOT = Path(__file__).resolve().parents[2]


def now_year() -> int:
    return utcnow().year


def test_a_small_deployment_is_consistent_and_served(client, session):
    assert not import_directory(ROOT / "courses").problems
    scale = Scale().scaled(0.01)
    result = generate(scale, contention_learners=20)

    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(LessonCompletion) == scale.lesson_completions == result["counts"]["lesson_completions"]
    assert session.scalar(select(func.count()).select_from(User).where(User.role == "learner")) == scale.learners
    assert count(City) == scale.cities
    assert count(Webinar) == scale.webinars + 1  # and the contention webinar
    assert count(Slot) == scale.slots + 1  # and the contention slot
    # A plan per city, one milestone per template entry.
    assert count(Plan) == scale.cities and count(Milestone) == scale.cities * len(MILESTONE_KEYS)
    # Every learner with a completion is enrolled in that lesson's course.
    assert result["counts"]["enrollments"] == count(Enrollment)
    orphans = select(func.count()).select_from(LessonCompletion).join(Lesson, Lesson.id == LessonCompletion.lesson_id) \
        .where(~exists().where(Enrollment.user_id == LessonCompletion.user_id, Enrollment.course_id == Lesson.course_id))
    assert session.scalar(orphans) == 0

    learner = ApiClient(client, result["tokens"]["learner"])
    assert learner.get("/api/v1/me").get_json()["role"] == "learner"
    assert learner.get(f"/api/v1/courses/{result['course_slug']}/progress").status_code == 200
    admin = ApiClient(client, result["tokens"]["admin"])
    overview = admin.get("/api/v1/progress/cities?page_size=100")
    assert overview.status_code == 200 and len(overview.get_json()) == scale.cities
    enrolled = sum(row["learners_enrolled"] for row in overview.get_json())
    assert enrolled == session.scalar(select(func.count(func.distinct(Enrollment.user_id))))
    # Practices, exchanges and feedback: served, and counted by the impact report.
    published = session.scalar(select(func.count()).select_from(Practice).where(Practice.status == "published"))
    assert published == scale.cities * (scale.practices_per_city - 1) == len(
        learner.get("/api/v1/practices?page_size=100").get_json())
    coordinator = ApiClient(client, result["tokens"]["coordinator"])
    assert len(coordinator.get("/api/v1/exchanges").get_json()) >= scale.exchanges_per_city
    answers = result["counts"]["feedback_answers"]
    assert answers > 0 and result["counts"]["feedback_requests"] >= answers
    impact = {(f["kind"]): f for f in admin.get(f"/api/v1/impact?year={now_year()}").get_json()["formats"]}
    assert impact["webinar"]["responses"] == session.scalar(
        select(func.count()).select_from(FeedbackAnswer).where(FeedbackAnswer.year == now_year()))

    c = result["contention"]
    coordinator = ApiClient(client, c["coordinator_tokens"][0])
    booked = coordinator.post(f"/api/v1/slots/{c['slot_id']}/booking", json={"topic": "Contention"})
    assert booked.status_code == 201, booked.get_json()
    registered = ApiClient(client, c["learner_tokens"][0]).post(f"/api/v1/webinars/{c['webinar_id']}/registrations")
    assert registered.status_code == 201 and registered.get_json()["status"] == "confirmed"
