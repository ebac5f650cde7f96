"""One bad message never stops the e-mail queue.

Rows are inserted directly (bypassing `outbox.queue` and the input rules), as old data or a
bug elsewhere would leave them; one scheduler tick (`flask scheduler tick deliver_outbox`)
sends every good message, records the bad one as failed (or to be retried) with its error,
and the next tick is not stuck on it.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from action_lms.core import outbox
from action_lms.core.models import OutboxMessage
from action_lms.core.time import utcnow
from action_lms.extensions import db

from ..factories import make_user
from . import test_outbox

# The SMTP server on loopback and the app that uses it: the fixtures of test_outbox.py.
smtp_port, smtp, mail_app = test_outbox.smtp_port, test_outbox.smtp, test_outbox.mail_app

INJECTED_ADDRESS = "victim@example.org\r\nBcc: other@example.org"


def insert_message(to_email: str, key: str, subject: str = "Hello", body: str = "Body text.",
                   **extra) -> OutboxMessage:
    now = utcnow() - timedelta(seconds=5)
    message = OutboxMessage(user_id=None, to_email=to_email, kind="test", subject=subject, body_text=body,
                            dedupe_key=key, status=OutboxMessage.PENDING, attempts=0, next_attempt_at=now,
                            created_at=now, **extra)
    db.session.add(message)
    db.session.commit()
    return message


def tick(app) -> str:
    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "deliver_outbox"])
    assert result.exit_code == 0, result.output
    return result.output


def by_key() -> dict[str, OutboxMessage]:
    db.session.expire_all()
    return {m.dedupe_key: m for m in db.session.scalars(select(OutboxMessage))}


def recipients(inbox) -> list[str]:
    return [rcpt for envelope in inbox.messages for rcpt in envelope.rcpt_tos]


def test_an_unbuildable_message_between_two_good_ones_fails_alone(mail_app, smtp):
    insert_message("first@example.org", "good-1")
    insert_message(INJECTED_ADDRESS, "poison")
    insert_message("second@example.org", "good-2")

    output = tick(mail_app)
    assert "'sent': 2" in output and "'failed': 1" in output, output
    assert sorted(recipients(smtp)) == ["first@example.org", "second@example.org"]
    rows = by_key()
    assert rows["good-1"].status == rows["good-2"].status == "sent"
    poison = rows["poison"]
    assert poison.status == "failed" and poison.claimed_at is None and poison.attempts == 1
    assert poison.last_error and "address" in poison.last_error
    assert "\n" not in poison.last_error and "\r" not in poison.last_error

    # The next tick is not stuck: a new message goes out, the failed one is left alone.
    insert_message("third@example.org", "good-3")
    output = tick(mail_app)
    assert "'sent': 1" in output and "'failed': 0" in output, output
    assert recipients(smtp)[-1] == "third@example.org" and "other@example.org" not in recipients(smtp)
    rows = by_key()
    assert rows["good-3"].status == "sent" and rows["poison"].status == "failed" and rows["poison"].attempts == 1


def test_old_subject_with_line_breaks_is_folded_and_sent(mail_app, smtp):
    insert_message("ana@example.org", "crlf", subject="Registered: Evil\r\nBcc: evil@example.org\u2028\x1b[31m")
    assert "'sent': 1" in tick(mail_app)
    assert recipients(smtp) == ["ana@example.org"]
    text = smtp.messages[0].content.decode()
    headers = text.split("\r\n\r\n", 1)[0]
    assert "Subject: Registered: Evil Bcc: evil@example.org [31m" in headers
    assert "\r\nBcc:" not in headers and "\x1b" not in headers
    assert by_key()["crlf"].status == "sent"


def test_a_bad_attachment_name_is_folded_and_sent(mail_app, smtp):
    insert_message("ana@example.org", "attach", attachment_name="webinar\r\nX-Evil: 1.ics",
                   attachment_type="text/calendar", attachment="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert "'sent': 1" in tick(mail_app)
    text = smtp.messages[0].content.decode()
    assert "\r\nX-Evil:" not in text and 'filename="webinar X-Evil: 1.ics"' in text


def test_a_message_that_cannot_be_sent_is_retried_and_the_others_go_out(mail_app, smtp, monkeypatch):
    """Whatever the sender raises for one message (here not an SMTP error) is recorded on it,
    with a backoff; it is not left `sending`, and the messages after it are sent."""
    real_send = outbox._smtp_send

    def flaky(email):
        if email["To"] == "broken@example.org":
            raise RuntimeError("the relay said something unexpected\r\nwith a line break")
        real_send(email)

    monkeypatch.setattr(outbox, "_smtp_send", flaky)
    insert_message("broken@example.org", "flaky")
    insert_message("fine@example.org", "fine")
    now = utcnow()
    output = tick(mail_app)
    assert "'sent': 1" in output and "'retry': 1" in output, output
    assert recipients(smtp) == ["fine@example.org"]
    flaky_row = by_key()["flaky"]
    assert flaky_row.status == "pending" and flaky_row.attempts == 1 and flaky_row.claimed_at is None
    assert flaky_row.last_error.startswith("RuntimeError: the relay said") and "\n" not in flaky_row.last_error
    assert flaky_row.next_attempt_at > now

    monkeypatch.setattr(outbox, "_smtp_send", real_send)
    counts = outbox.deliver_pending(now=now + timedelta(minutes=5))
    assert counts["sent"] == 1 and recipients(smtp)[-1] == "broken@example.org"


def test_giving_up_after_max_attempts_still_sends_the_rest(make_app, smtp_port, smtp, monkeypatch):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, MAIL_TIMEOUT=3, OUTBOX_MAX_ATTEMPTS=1)
    with app.app_context():
        real_send = outbox._smtp_send

        def flaky(email):
            if email["To"] == "broken@example.org":
                raise OSError("mailbox unavailable")
            real_send(email)

        monkeypatch.setattr(outbox, "_smtp_send", flaky)
        insert_message("broken@example.org", "gives-up")
        insert_message("fine@example.org", "fine")
        assert outbox.deliver_pending(now=utcnow()) == {"sent": 1, "logged": 0, "retry": 0, "failed": 1}
        assert by_key()["gives-up"].status == "failed"


@pytest.mark.parametrize("subject", ["Line\r\nbreak", "Esc\x1b[2J", "Sep\u2028arator"])
def test_without_mail_server_bad_subjects_are_logged_not_stuck(app, caplog, subject):
    insert_message("log@example.org", "log-1", subject=subject)
    insert_message("log2@example.org", "log-2")
    with caplog.at_level("INFO"):
        assert outbox.deliver_pending(now=utcnow())["logged"] == 2
    assert {m.status for m in by_key().values()} == {"logged"}


def test_queue_stores_subjects_on_one_line(app):
    user = make_user()
    assert outbox.queue(user, "welcome", "Welcome\r\nBcc: evil@example.org", "welcome.txt", {}, "one-line")
    db.session.commit()
    assert by_key()["one-line"].subject == "Welcome Bcc: evil@example.org"
