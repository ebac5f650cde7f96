"""When a feedback request becomes due (and when not), exactly once, the e-mail and the
reminder, the person's list (API.md "Feedback and impact")."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.feedback import services
from action_lms.feedback.models import FeedbackRequest

from ..conftest import run_concurrently
from ..factories import make_city, make_course, make_user
from ..helpers import api_as
from .data import completed_course, ended_webinar, held_booking, held_exchange


def _requests(session):
    session.expire_all()
    return sorted((r.kind, r.user_id, r.subject_id) for r in session.scalars(select(FeedbackRequest)))


def test_a_webinar_asks_those_who_attended_once_it_ended(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    came, absent = make_user("learner", city=graz), make_user("learner", city=graz)
    webinar = ended_webinar(came, absent=[absent])
    ended_webinar(came, hours_ago=-5, title="Not yet over")  # starts in 5 hours
    ended_webinar(came, status="cancelled", title="Cancelled")
    assert services.create_feedback_requests() == 1
    assert _requests(session) == [("webinar", came.id, webinar.id)]


def test_consulting_held_asks_the_citys_coordinators_not_no_shows_or_cancelled(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    first, second = make_user("coordinator", city=graz), make_user("coordinator", city=graz)
    make_user("learner", city=graz)
    held = held_booking(graz, first)
    held_booking(graz, first, status="no_show")
    held_booking(graz, first, status="cancelled")
    assert services.create_feedback_requests() == 2
    assert _requests(session) == sorted([("consulting", first.id, held.id), ("consulting", second.id, held.id)])


def test_an_exchange_asks_the_participants_who_attended_in_every_city(app, session):
    berlin, bologna = make_city("Berlin", "DE", "Europe/Berlin"), make_city("Bologna", "IT", "Europe/Rome")
    a, b, absent = make_user("learner", city=berlin), make_user("learner", city=bologna), make_user("learner", city=berlin)
    exchange = held_exchange(berlin, bologna, attended=[a, b], absent=[absent])
    held_exchange(berlin, bologna, attended=[a], status="cancelled")
    assert services.create_feedback_requests() == 2
    assert _requests(session) == sorted([("exchange", a.id, exchange.id), ("exchange", b.id, exchange.id)])
    request = session.scalar(select(FeedbackRequest).where(FeedbackRequest.user_id == b.id))
    assert request.city_id == bologna.id


def test_a_course_asks_once_completed_not_while_unfinished(app, session, tmp_path):
    course = make_course(tmp_path)
    done, busy = make_user("learner"), make_user("learner")
    completed_course(course, done)
    completed_course(course, busy, completed=False)
    assert services.create_feedback_requests() == 1
    assert _requests(session) == [("course", done.id, course.id)]


def test_the_scan_is_idempotent_and_catches_up(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    person = make_user("learner", city=graz)
    ended_webinar(person, hours_ago=24 * 10)  # the scheduler was down for ten days
    assert services.create_feedback_requests() == 1
    assert services.create_feedback_requests() == 0
    mails = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback_request")).all()
    assert len(mails) == 1 and mails[0].to_email == person.email
    request = session.scalar(select(FeedbackRequest))
    assert f"/feedback/{request.id}" in mails[0].body_text
    assert "Indicators that show change" in mails[0].subject


def test_two_schedulers_create_each_request_and_email_once(app, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    people = [make_user("learner", city=graz) for _ in range(5)]
    ended_webinar(*people)
    session.commit()

    def run(i):
        with app.app_context():
            return services.create_feedback_requests()

    results = run_concurrently(run, 3)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 5
    session.expire_all()
    assert session.query(FeedbackRequest).count() == 5
    assert session.query(OutboxMessage).filter_by(kind="feedback_request").count() == 5


def test_one_reminder_after_seven_days_if_unanswered_then_nothing(app, client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    quiet, answered = make_user("learner", city=graz), make_user("learner", city=graz)
    ended_webinar(quiet, answered)
    services.create_feedback_requests()
    mine = session.scalar(select(FeedbackRequest).where(FeedbackRequest.user_id == answered.id))
    assert api_as(client, answered).post("/api/v1/feedback", json={
        "request_id": mine.id, "usefulness": 4, "will_apply": 3, "recommend": True}).status_code == 201
    now = utcnow()
    assert services.send_feedback_reminders(now=now + timedelta(days=6)) == 0
    assert services.send_feedback_reminders(now=now + timedelta(days=7, minutes=1)) == 1
    assert services.send_feedback_reminders(now=now + timedelta(days=30)) == 0
    reminders = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback_reminder")).all()
    assert [m.to_email for m in reminders] == [quiet.email]


def test_the_person_lists_their_open_requests(app, client, session):
    graz = make_city("Graz", "AT", "Europe/Vienna")
    person, other = make_user("learner", city=graz), make_user("learner", city=graz)
    webinar = ended_webinar(person, other)
    services.create_feedback_requests()
    body = api_as(client, person).get("/api/v1/me/feedback-requests").get_json()
    assert len(body) == 1
    assert body[0]["kind"] == "webinar"
    assert body[0]["subject"] == {"id": webinar.id, "title": webinar.title}
    assert body[0]["due_since"].endswith("Z")
    assert api_as(client).get("/api/v1/me/feedback-requests").status_code == 401
