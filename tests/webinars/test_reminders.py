"""The reminder job: 24 hours and 1 hour before, once, never for cancelled or past
webinars, late only before the start. Time is passed in; DST-change dates included."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from action_lms.core.time import UTC
from action_lms.extensions import db
from action_lms.webinars import services
from action_lms.webinars.services import send_webinar_reminders

from ..conftest import run_concurrently
from ..factories import make_registration, make_user, make_webinar
from .conftest import messages

# Last Sunday of March 2027: Europe moves its clocks forward (Lisbon 01:00 UTC, Helsinki 01:00 UTC).
MARCH_DST = datetime(2027, 3, 28, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))      # 09:00 UTC
# Last Sunday of October 2027: clocks go back.
OCTOBER_DST = datetime(2027, 10, 31, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # 08:00 UTC


def setup_webinar(start=MARCH_DST, tz="Europe/Lisbon", **kw):
    webinar = make_webinar(starts_at=start, timezone=tz, **kw)
    return webinar


def register(webinar, user, confirmed_at=None, **kw):
    reg = make_registration(webinar, user, **kw)
    reg.confirmed_at = confirmed_at or (webinar.starts_at - timedelta(days=10))
    db.session.commit()
    return reg


def reminders(user=None):
    return messages("webinar_reminder", user)


def test_24h_and_1h_reminders_at_exact_times_across_the_march_clock_change(app):
    lisbon, helsinki = make_user(timezone="Europe/Lisbon"), make_user(timezone="Europe/Helsinki")
    webinar = setup_webinar()
    register(webinar, lisbon)
    register(webinar, helsinki)
    start = webinar.starts_at
    assert start == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)

    assert send_webinar_reminders(now=start - timedelta(hours=24, seconds=1))["queued"] == 0
    # 24 real hours before is 09:00 WET on Saturday in Lisbon (the clocks change in between).
    assert send_webinar_reminders(now=start - timedelta(hours=24))["queued"] == 2
    assert send_webinar_reminders(now=start - timedelta(hours=24))["queued"] == 0
    assert send_webinar_reminders(now=start - timedelta(hours=5))["queued"] == 0
    [to_lisbon] = reminders(lisbon)
    [to_helsinki] = reminders(helsinki)
    assert "tomorrow" in to_lisbon.subject
    assert "Sun 28 Mar 2027, 10:00 WEST" in to_lisbon.body_text
    assert "Sun 28 Mar 2027, 12:00 EEST" in to_helsinki.body_text
    assert "https://meet.example.org/w" in to_lisbon.body_text

    assert send_webinar_reminders(now=start - timedelta(hours=1, seconds=1))["queued"] == 0
    assert send_webinar_reminders(now=start - timedelta(hours=1))["queued"] == 2
    assert send_webinar_reminders(now=start - timedelta(minutes=10))["queued"] == 0
    assert send_webinar_reminders(now=start)["queued"] == 0
    assert [m.subject.endswith("in one hour") for m in reminders(lisbon)] == [False, True]
    assert len(reminders()) == 4


def test_october_clock_change_in_helsinki(app):
    user = make_user(timezone="Europe/Helsinki")
    webinar = setup_webinar(OCTOBER_DST, "Europe/Helsinki")
    register(webinar, user)
    assert webinar.starts_at == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)
    # 24 hours before is 11:00 EEST on Saturday, local clock-wise 25 hours earlier.
    saturday = datetime(2027, 10, 30, 11, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    assert send_webinar_reminders(now=saturday - timedelta(minutes=1))["queued"] == 0
    assert send_webinar_reminders(now=saturday)["queued"] == 1
    assert "Sun 31 Oct 2027, 10:00 EET" in reminders(user)[0].body_text


@pytest.mark.parametrize("case", ["cancelled webinar", "cancelled registration", "waitlisted", "draft"])
def test_no_reminders_for(app, case):
    user = make_user()
    webinar = setup_webinar(status="cancelled" if case == "cancelled webinar" else "draft" if case == "draft" else "published")
    status = {"cancelled registration": "cancelled", "waitlisted": "waitlisted"}.get(case, "confirmed")
    register(webinar, user, status=status, waitlist_position=1 if status == "waitlisted" else None)
    for hours in (24, 1):
        assert send_webinar_reminders(now=webinar.starts_at - timedelta(hours=hours))["queued"] == 0
    assert reminders() == []


def test_missed_reminders_go_out_late_only_before_the_start(app):
    user = make_user()
    webinar = setup_webinar()
    register(webinar, user)
    start = webinar.starts_at
    # The scheduler was down for the 24h mark: sent late, 5 hours before.
    assert send_webinar_reminders(now=start - timedelta(hours=5))["queued"] == 1
    # Down again over the 1h mark: sent late 10 minutes before.
    assert send_webinar_reminders(now=start - timedelta(minutes=10))["queued"] == 1
    assert [m.subject.split(" starts ")[1] for m in reminders(user)] == ["in 5 hours", "in 10 minutes"]


def test_24h_reminder_is_skipped_once_the_1h_window_is_reached(app):
    user = make_user()
    webinar = setup_webinar()
    register(webinar, user)
    assert send_webinar_reminders(now=webinar.starts_at - timedelta(minutes=30))["queued"] == 1
    assert [m.subject.endswith("in 30 minutes") for m in reminders(user)] == [True]
    assert send_webinar_reminders(now=webinar.starts_at + timedelta(minutes=1))["queued"] == 0
    assert len(reminders()) == 1


def test_nothing_once_the_webinar_has_started(app):
    user = make_user()
    webinar = setup_webinar()
    register(webinar, user)
    assert send_webinar_reminders(now=webinar.starts_at + timedelta(seconds=1))["queued"] == 0
    assert reminders() == []


def test_webinar_moved_into_the_past_triggers_no_old_reminders(app):
    user, admin = make_user(), make_user("admin")
    webinar = setup_webinar()
    register(webinar, user)
    now = webinar.starts_at - timedelta(hours=30)
    # The office moves the record to a time that has already passed.
    webinar.set_time(now - timedelta(hours=3), 60)
    webinar.sequence += 1
    db.session.commit()
    for step in range(0, 48):
        assert send_webinar_reminders(now=now + timedelta(hours=step))["queued"] == 0
    assert reminders() == []
    assert admin  # admins are not reminded either


def test_rescheduled_webinar_gets_fresh_reminders_for_the_new_time(app, client):
    from ..helpers import api_as
    user, admin = make_user(), make_user("admin")
    webinar = make_webinar(starts_at=datetime(2030, 5, 10, 8, 0, tzinfo=UTC))
    register(webinar, user)
    start = webinar.starts_at
    assert send_webinar_reminders(now=start - timedelta(hours=24))["queued"] == 1
    new_start = start + timedelta(days=2)
    assert api_as(client, admin).patch(f"/api/v1/webinars/{webinar.id}",
                                       json={"starts_at": new_start.isoformat()}).status_code == 200
    assert send_webinar_reminders(now=start - timedelta(hours=1))["queued"] == 0  # old time: nothing
    assert send_webinar_reminders(now=new_start - timedelta(hours=24))["queued"] == 1
    assert send_webinar_reminders(now=new_start - timedelta(hours=1))["queued"] == 1
    assert len(reminders(user)) == 3


def test_someone_confirmed_after_a_reminder_was_due_does_not_get_it_late(app):
    user = make_user()
    webinar = setup_webinar()
    register(webinar, user, confirmed_at=webinar.starts_at - timedelta(hours=3))
    assert send_webinar_reminders(now=webinar.starts_at - timedelta(hours=2))["queued"] == 0
    assert send_webinar_reminders(now=webinar.starts_at - timedelta(hours=1))["queued"] == 1


def test_two_processes_running_the_job_at_once_send_once(app):
    users = [make_user() for _ in range(5)]
    webinar = setup_webinar()
    for user in users:
        register(webinar, user)
    now = webinar.starts_at - timedelta(hours=24)

    def run(i):
        with app.app_context():
            try:
                return send_webinar_reminders(now=now)["queued"]
            finally:
                db.session.remove()

    results = run_concurrently(run, 4)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 5
    assert len(reminders()) == 5


def test_job_is_registered_to_run_every_minute(app):
    from action_lms.scheduler import jobs
    job = next(j for j in jobs(app) if j.id == "webinar_reminders")
    assert job.func is services.send_webinar_reminders and job.seconds == 60
