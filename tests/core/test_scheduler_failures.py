"""The scheduler under failure, with real processes: two schedulers at once, a scheduler
killed in the middle of a run and restarted, and an SMTP server that refuses connections."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from action_lms.core import outbox
from action_lms.core.models import OutboxMessage
from action_lms.extensions import db

from ..factories import make_user
from .test_outbox import free_port


class SlowInbox:
    def __init__(self, delay: float):
        self.delay = delay
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.message_ids.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


@pytest.fixture
def smtp_server():
    servers = []

    def start(delay=0.0, port=None):
        inbox = SlowInbox(delay)
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        servers.append(controller)
        return inbox, controller.port

    yield start
    for controller in servers:
        controller.stop()


def scheduler_env(app, port, **extra):
    env = {**os.environ, "FLASK_APP": "action_lms", "APP_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "LOG_LEVEL": "WARNING"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cmd(*args):
    return [sys.executable, "-m", "flask", *args]


def queue_messages(n):
    for i in range(n):
        outbox.queue(make_user(), "welcome", "Welcome", "welcome.txt", {}, f"fail-{i}")
    db.session.commit()


def statuses():
    db.session.rollback()  # end the test's read transaction: see what the other processes wrote
    return sorted(m.status for m in db.session.scalars(select(OutboxMessage)))


def test_two_scheduler_processes_send_every_message_once(app, smtp_server):
    inbox, port = smtp_server(delay=0.02)
    queue_messages(20)
    env = scheduler_env(app, port)
    procs = [subprocess.Popen(flask_cmd("scheduler", "tick", "deliver_outbox"), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert len(inbox.message_ids) == 20, outputs
    assert len(set(inbox.message_ids)) == 20
    assert statuses() == ["sent"] * 20


def test_killed_scheduler_restarts_without_losing_or_duplicating(app, smtp_server):
    inbox, port = smtp_server(delay=0.4)
    queue_messages(6)
    env = scheduler_env(app, port, OUTBOX_CLAIM_TIMEOUT=1)
    proc = subprocess.Popen(flask_cmd("scheduler", "run"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        while len(inbox.message_ids) < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert len(inbox.message_ids) >= 2, "the scheduler sent nothing"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # no chance to clean up
        proc.wait(10)
    before_restart = statuses()
    assert before_restart.count("sent") < 6, "killed too late to test anything"
    time.sleep(1.2)  # the dead process's claim goes stale
    result = subprocess.run(flask_cmd("scheduler", "tick", "deliver_outbox"), env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert statuses() == ["sent"] * 6
    # Nothing lost; a message the dead process had handed over is repeated at most once,
    # with the same Message-ID, so mail clients show it once.
    assert len(set(inbox.message_ids)) == 6
    assert len(inbox.message_ids) <= 7


def test_refused_connections_keep_messages_pending_until_the_server_returns(app, smtp_server):
    port = free_port()  # nothing listens yet
    queue_messages(3)
    env = scheduler_env(app, port)
    result = subprocess.run(flask_cmd("scheduler", "tick", "deliver_outbox"), env=env, capture_output=True, timeout=120)
    assert result.returncode == 0
    assert statuses() == ["pending"] * 3
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(r.attempts == 1 and r.last_error for r in rows)
    # Make them due again and bring the server up on that port.
    for r in rows:
        r.next_attempt_at = r.created_at
    db.session.commit()
    inbox, _ = smtp_server(port=port)
    result = subprocess.run(flask_cmd("scheduler", "tick", "deliver_outbox"), env=env, capture_output=True, timeout=120)
    assert result.returncode == 0
    assert statuses() == ["sent"] * 3 and len(inbox.message_ids) == 3


def test_two_scheduler_processes_send_each_reminder_once(app, smtp_server):
    """Webinar and consulting reminders due now, two schedulers running every job at once."""
    from datetime import timedelta

    from action_lms.core.time import utcnow

    from ..factories import make_booking, make_city, make_consultant, make_registration, make_slot, make_webinar

    inbox, port = smtp_server(delay=0.01)
    webinar = make_webinar(title="Peer exchange", starts_at=utcnow() + timedelta(minutes=50))
    learners = [make_user(email=f"learner{i}@example.org") for i in range(5)]
    for learner in learners:
        registration = make_registration(webinar, learner, commit=False)
        registration.created_at = registration.confirmed_at = utcnow() - timedelta(days=2)  # registered well before
    db.session.commit()
    city = make_city("Graz", "AT", "Europe/Vienna")
    coordinator = make_user("coordinator", city=city, email="coord@example.org")
    booking = make_booking(slot=make_slot(make_consultant(email="expert@example.org"), starts_at=utcnow() + timedelta(hours=20)),
                           city=city, booked_by=coordinator)
    assert booking.id
    env = scheduler_env(app, port)
    jobs = ["webinar_reminders", "send_booking_reminders", "deliver_outbox"]
    procs = [subprocess.Popen(flask_cmd("scheduler", "tick", *jobs), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    # Whatever one process queued and the other did not deliver goes out on the next tick.
    subprocess.run(flask_cmd("scheduler", "tick", "deliver_outbox"), env=env, check=True, capture_output=True, timeout=120)
    db.session.rollback()
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("%remind%"))).all()
    recipients = sorted(m.to_email for m in reminders)
    assert recipients == sorted([f"learner{i}@example.org" for i in range(5)] + ["coord@example.org", "expert@example.org"])
    assert all(m.status == "sent" for m in reminders)
    assert len(inbox.message_ids) == len(set(inbox.message_ids)) == len(db.session.scalars(select(OutboxMessage)).all())
