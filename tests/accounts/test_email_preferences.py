"""Which optional e-mails a person gets: reminders, digests, waitlist news. Held per person,
respected by every job (core.outbox.queue refuses an opted-out kind), never stopping
confirmations or cancellations; the page /account/emails and GET/PATCH
/api/v1/me/email-preferences; in the data export, gone with the account."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select

from action_lms.accounts import services
from action_lms.accounts.models import EmailPreference
from action_lms.core.models import OutboxMessage
from action_lms.core.time import UTC, utcnow
from action_lms.extensions import db

from ..factories import (
    make_booking, make_city, make_consultant, make_plan, make_registration, make_slot, make_user, make_webinar,
)
from ..helpers import api_as, csrf_from, login_session


def mails(kind: str, user=None) -> list[OutboxMessage]:
    db.session.commit()
    stmt = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    if user is not None:
        stmt = stmt.where(OutboxMessage.user_id == user.id)
    return list(db.session.scalars(stmt))


def opt_out(user, **choices):
    services.set_email_preferences(user, **choices)


# ---------------------------------------------------------------- every job respects the choice


def test_no_reminders_stops_the_webinar_reminder_job_for_that_person_only(app):
    from action_lms.webinars.services import send_webinar_reminders

    quiet, other = make_user(email="quiet@example.org"), make_user(email="other@example.org")
    webinar = make_webinar(starts_at=(utcnow() + timedelta(days=5)).replace(microsecond=0))
    for person in (quiet, other):
        reg = make_registration(webinar, person)
        reg.confirmed_at = webinar.starts_at - timedelta(days=10)
    db.session.commit()
    opt_out(quiet, reminders=False)
    send_webinar_reminders(now=webinar.starts_at - timedelta(hours=24))
    assert [m.to_email for m in mails("webinar_reminder")] == ["other@example.org"]


def test_no_reminders_stops_the_consulting_reminder_job_and_not_the_confirmation(app):
    from action_lms.consulting import services as consulting
    from action_lms.consulting.services.notifications import notify

    consultant = make_consultant(email="expert@example.org")
    booking = make_booking(make_slot(consultant, utcnow() + timedelta(hours=23)))
    coordinator = booking.booked_by
    opt_out(coordinator, reminders=False)
    notify(booking, "confirmed")
    db.session.commit()
    assert consulting.send_booking_reminders(now=utcnow()) == 1
    assert [m.to_email for m in mails("consulting_reminder")] == ["expert@example.org"]
    assert {m.to_email for m in mails("consulting_confirmed")} == {coordinator.email, "expert@example.org"}


def test_no_reminders_stops_the_exchange_reminder_job_for_that_person_only(app):
    from action_lms.exchanges.models import Exchange, Invitation, Participant
    from action_lms.exchanges.services import send_exchange_reminders
    from action_lms.exchanges.services.notifications import notify, people_taking_part

    berlin, bologna = make_city("Berlin", "DE", "Europe/Berlin"), make_city("Bologna", "IT", "Europe/Rome")
    asking = make_user("coordinator", city=berlin, email="asking@example.org")
    hosting = make_user("coordinator", city=bologna, email="hosting@example.org")
    starts = (utcnow() + timedelta(hours=23)).replace(microsecond=0)
    exchange = Exchange(city_id=berlin.id, topic="Consulting communities", objective="Learn.", questions=["How?"],
                        languages=["en"], status=Exchange.SCHEDULED, starts_at=starts,
                        ends_at=starts + timedelta(hours=1), join_url="https://meet.example.org/x")
    db.session.add(exchange)
    db.session.flush()
    db.session.add(Invitation(exchange_id=exchange.id, city_id=bologna.id, requester_city_id=berlin.id,
                              status="accepted"))
    db.session.add(Participant(exchange_id=exchange.id, user_id=asking.id, city_id=berlin.id))
    db.session.commit()
    opt_out(hosting, reminders=False)
    assert send_exchange_reminders(now=utcnow()) == 1
    assert [m.to_email for m in mails("exchange_reminder")] == ["asking@example.org"]
    notify(exchange, "cancelled", people_taking_part(exchange))
    assert {m.to_email for m in mails("exchange_cancelled")} == {"asking@example.org", "hosting@example.org"}


def test_no_reminders_stops_the_feedback_reminder_and_not_the_request(app):
    from action_lms.feedback.models import FeedbackRequest
    from action_lms.feedback.services import send_feedback_reminders
    from action_lms.feedback.services.requesting import _queue

    quiet, other = make_user(email="quiet@example.org"), make_user(email="other@example.org")
    opt_out(quiet, reminders=False)
    for person in (quiet, other):
        request = FeedbackRequest(user_id=person.id, kind="webinar", subject_id=person.id, subject_title="Webinar",
                                  year=2026, due_since=utcnow() - timedelta(days=9),
                                  created_at=utcnow() - timedelta(days=8))
        db.session.add(request)
        db.session.flush()
        _queue(request, person, "request")
    db.session.commit()
    assert send_feedback_reminders(now=utcnow()) == 2  # both requests are claimed...
    assert [m.to_email for m in mails("feedback_reminder")] == ["other@example.org"]  # ...one is mailed
    assert {m.to_email for m in mails("feedback_request")} == {"quiet@example.org", "other@example.org"}


def test_no_digests_stops_the_overdue_digest_for_that_coordinator_only(app):
    from action_lms.plans.services import send_overdue_digests

    graz = make_city("Graz", "AT", "Europe/Vienna")
    grete = make_user("coordinator", city=graz, email="grete@example.org")
    make_user("coordinator", city=graz, email="hans@example.org")
    make_plan(graz, due={"political_mandate": date(2027, 3, 1)})
    opt_out(grete, digests=False, reminders=False)
    send_overdue_digests(now=datetime(2027, 3, 10, 8, 0, tzinfo=UTC))
    assert [m.to_email for m in mails("plans.overdue_digest")] == ["hans@example.org"]


def test_no_waitlist_news_stops_the_waitlist_notice_not_the_seat(app, client):
    from action_lms.webinars import services as webinars

    first, waiting = make_user(email="first@example.org"), make_user(email="waiting@example.org")
    webinar = make_webinar(capacity=1)
    opt_out(waiting, waitlist=False, reminders=False, digests=False)
    webinars.register(first, webinar.id)
    webinars.register(waiting, webinar.id)
    assert mails("webinar_waitlisted") == []
    assert [m.to_email for m in mails("webinar_confirmed")] == ["first@example.org"]
    webinars.cancel_registration(first, webinar.id)
    assert [m.to_email for m in mails("webinar_promoted")] == ["waiting@example.org"]  # a seat: a confirmation


def test_everything_off_stops_exactly_the_optional_kinds(app, monkeypatch):
    """Every flow of every domain, for people who switched every group off: the optional
    kinds (and only they) are neither rendered nor queued."""
    from action_lms.accounts.models import User
    from action_lms.core import outbox

    from ..core.test_email_html import EMAIL_TEMPLATES, queue_every_kind

    monkeypatch.setattr(User, "wants_email", lambda self, group: False)
    rendered = queue_every_kind(app)
    kinds = {m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert kinds & set(outbox.KIND_GROUPS) == set()
    optional_templates = {"webinars/reminder.txt", "consulting/booking_reminder.txt", "exchanges/reminder.txt",
                          "feedback/reminder.txt", "plans/overdue_digest.txt", "webinars/waitlisted.txt"}
    assert rendered == set(EMAIL_TEMPLATES) - optional_templates
    assert {"webinar_confirmed", "webinar_promoted", "consulting_confirmed", "exchange_invited",
            "feedback_request", "password_reset", "membership.approved"} <= kinds


# ---------------------------------------------------------------- the service, the API, the page


def test_defaults_are_on_and_unknown_groups_are_refused(app):
    import pytest

    from action_lms.core.errors import Invalid

    user = make_user()
    assert services.email_preferences(user) == {"reminders": True, "digests": True, "waitlist": True}
    assert services.set_email_preferences(user, digests=False) == {"reminders": True, "digests": False,
                                                                    "waitlist": True}
    assert services.set_email_preferences(user, digests=True, waitlist=False) == {"reminders": True,
                                                                                  "digests": True, "waitlist": False}
    with pytest.raises(Invalid):
        services.set_email_preferences(user, confirmations=False)
    rows = db.session.scalars(select(EmailPreference).where(EmailPreference.user_id == user.id)).all()
    assert {(r.kind_group, r.enabled) for r in rows} == {("digests", True), ("waitlist", False)}


def test_api_reads_and_changes_my_preferences(app, client):
    user, other = make_user(), make_user()
    api = api_as(client, user)
    assert api.get("/api/v1/me/email-preferences").get_json() == {"reminders": True, "digests": True, "waitlist": True}
    response = api.patch("/api/v1/me/email-preferences", json={"reminders": False})
    assert response.status_code == 200
    assert response.get_json() == {"reminders": False, "digests": True, "waitlist": True}
    assert api.get("/api/v1/me/email-preferences").get_json()["reminders"] is False
    assert api_as(client, other).get("/api/v1/me/email-preferences").get_json()["reminders"] is True
    assert api.patch("/api/v1/me/email-preferences", json={"confirmations": False}).status_code == 422
    assert api.patch("/api/v1/me/email-preferences", json={"digests": "maybe"}).status_code == 422
    assert api_as(client).get("/api/v1/me/email-preferences").status_code == 401
    assert api_as(client).patch("/api/v1/me/email-preferences", json={"digests": False}).status_code == 401


def test_the_account_page_links_to_the_e_mails_page_which_saves_the_checkboxes(app, client):
    user = make_user()
    login_session(client, user)
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/account/emails"' in account
    page = client.get("/account/emails")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ("reminders", "digests", "waitlist"):
        checkbox = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert checkbox and "checked" in checkbox.group(0) and 'type="checkbox"' in checkbox.group(0)
    token = csrf_from(html)
    saved = client.post("/account/emails", data={"csrf_token": token, "digests": "y"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/account/emails")
    assert services.email_preferences(user) == {"reminders": False, "digests": True, "waitlist": False}
    again = client.get("/account/emails").get_data(as_text=True)
    assert "Your e-mail choices are saved." in again
    # Without the CSRF token nothing changes.
    refused = client.post("/account/emails", data={"reminders": "y", "digests": "y", "waitlist": "y"})
    assert refused.status_code in (400, 422)
    assert services.email_preferences(user)["reminders"] is False


def test_the_page_needs_a_signed_in_person(client):
    response = client.get("/account/emails")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_export_includes_the_preferences_and_erasure_removes_them(app, client):
    user = make_user()
    opt_out(user, reminders=False)
    exported = api_as(client, user).get("/api/v1/me/data").get_json()
    assert exported["account"]["email_preferences"] == {"reminders": False, "digests": True, "waitlist": True}
    services.erase_account(user)
    assert db.session.scalars(select(EmailPreference).where(EmailPreference.user_id == user.id)).all() == []
