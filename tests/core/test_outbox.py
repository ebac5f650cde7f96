"""The e-mail outbox against a real SMTP server (aiosmtpd on loopback)."""
from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from action_lms.core import outbox
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.extensions import db

from ..conftest import run_concurrently
from ..factories import make_user


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp(smtp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_port):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, MAIL_TIMEOUT=3)
    with app.app_context():
        yield app


def queue_welcome(user, key="k1"):
    return outbox.queue(user, "welcome", "Welcome to ACTION LMS", "welcome.txt", {}, key)


def test_queued_message_is_delivered_by_smtp(mail_app, smtp):
    user = make_user(email="ana@example.org", name="Ana")
    assert queue_welcome(user)
    db.session.commit()
    counts = outbox.deliver_pending(now=utcnow())
    assert counts["sent"] == 1
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["ana@example.org"]
    text = envelope.content.decode()
    assert "Subject: Welcome to ACTION LMS" in text and "Hello Ana" in text
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "sent" and message.sent_at is not None
    # Nothing is sent twice.
    assert outbox.deliver_pending(now=utcnow())["sent"] == 0
    assert len(smtp.messages) == 1


def test_same_dedupe_key_queues_once(mail_app):
    user = make_user()
    assert queue_welcome(user, "same") is True
    assert queue_welcome(user, "same") is False
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage)).all().__len__() == 1


def test_rolled_back_change_sends_nothing(mail_app, smtp):
    user = make_user()
    queue_welcome(user)
    db.session.rollback()
    assert outbox.deliver_pending(now=utcnow()) == {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    assert smtp.messages == []


def test_server_down_keeps_message_pending_then_retries(mail_app, smtp_port):
    user = make_user()
    queue_welcome(user)
    db.session.commit()
    now = utcnow()
    assert outbox.deliver_pending(now=now)["retry"] == 1
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "pending" and message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at > now
    # Not retried before the backoff has passed.
    assert outbox.deliver_pending(now=now + timedelta(seconds=10))["retry"] == 0
    # The server comes back: the message goes out on the next due run.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert outbox.deliver_pending(now=now + timedelta(minutes=5))["sent"] == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "sent" and message.last_error is None


def test_gives_up_after_max_attempts(make_app, smtp_port):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, OUTBOX_MAX_ATTEMPTS=2, MAIL_TIMEOUT=2)
    with app.app_context():
        queue_welcome(make_user())
        db.session.commit()
        now = utcnow()
        outbox.deliver_pending(now=now)
        assert outbox.deliver_pending(now=now + timedelta(hours=1))["failed"] == 1
        assert db.session.scalars(select(OutboxMessage)).one().status == "failed"


def test_without_mail_server_messages_are_logged_and_kept(app, caplog):
    queue_welcome(make_user(email="log@example.org"))
    db.session.commit()
    with caplog.at_level("INFO"):
        assert outbox.deliver_pending(now=utcnow())["logged"] == 1
    assert "log@example.org" in caplog.text
    assert db.session.scalars(select(OutboxMessage)).one().status == "logged"


def test_two_deliverers_at_once_send_each_message_once(mail_app, smtp):
    for i in range(6):
        queue_welcome(make_user(), key=f"k{i}")
    db.session.commit()
    app = mail_app

    def deliver(_):
        with app.app_context():
            try:
                return outbox.deliver_pending(now=utcnow())["sent"]
            finally:
                db.session.remove()

    results = run_concurrently(deliver, 2)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 6
    assert len(smtp.messages) == 6
