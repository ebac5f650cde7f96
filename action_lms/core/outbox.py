"""Notification outbox.

`queue()` adds a row to the caller's transaction: if the request rolls back, nothing is
sent. The unique `dedupe_key` makes a notification happen at most once however often a
job or a request tries. `deliver_pending()` is the scheduler job: it claims due rows one
at a time with a conditional UPDATE (so two scheduler processes never send the same row),
sends them by SMTP when MAIL_SERVER is set and logs them otherwise, and on failure keeps
the row pending with the error and a backoff.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from sqlalchemy import or_, select, update

from ..extensions import db
from .db import dialect_insert
from .models import OutboxMessage
from .time import utcnow

log = logging.getLogger(__name__)



def _stale_claim() -> timedelta:
    """A claim older than this is from a process that died while sending: take it again.
    Must be longer than MAIL_TIMEOUT so a slow but live sender is not overtaken."""
    return timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT"])


def queue(user, kind: str, subject: str, template: str, context: dict | None, dedupe_key: str,
          attachment: tuple[str, str, str] | None = None) -> bool:
    """Queue one e-mail to `user` in the current transaction. Returns False if a message
    with the same dedupe key already exists (or the user has no address any more).

    `template` is a path under templates/email/; `attachment` is (filename, mime type, text).
    """
    if user is None or not getattr(user, "email", None) or getattr(user, "erased_at", None):
        return False
    context = dict(context or {})
    context.setdefault("user", user)
    context.setdefault("base_url", current_app.config["BASE_URL"])
    body = render_template(f"email/{template}", **context)
    values = dict(
        user_id=user.id,
        to_email=user.email,
        kind=kind,
        subject=subject[:300],
        body_text=body,
        dedupe_key=dedupe_key[:200],
        status=OutboxMessage.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    if attachment:
        values.update(attachment_name=attachment[0], attachment_type=attachment[1], attachment=attachment[2])
    session = db.session
    stmt = dialect_insert(session, OutboxMessage.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id)
    return session.execute(stmt).first() is not None


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _build_email(message: OutboxMessage) -> EmailMessage:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_FROM"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    # Stable per outbox row: if a sender dies after handing a message to the server but
    # before recording it, the retry carries the same Message-ID and mail clients
    # collapse the two copies.
    email["Message-ID"] = f"<outbox-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.attachment and message.attachment_name:
        maintype, _, subtype = (message.attachment_type or "text/plain").partition("/")
        email.add_attachment(message.attachment.encode("utf-8"), maintype=maintype, subtype=subtype or "plain",
                             filename=message.attachment_name)
    return email


def _mail_domain() -> str:
    sender = current_app.config["MAIL_FROM"]
    return sender.rsplit("@", 1)[-1].strip(" >") or "action-lms.local"


def _smtp_send(email: EmailMessage) -> None:
    cfg = current_app.config
    timeout = cfg["MAIL_TIMEOUT"]
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
    with smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)


def _claim(message_id: int, now: datetime) -> bool:
    """Take one row for sending; False if another process got it first."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(or_(OutboxMessage.status == OutboxMessage.PENDING,
                   (OutboxMessage.status == OutboxMessage.SENDING) & (OutboxMessage.claimed_at < now - _stale_claim())))
        .values(status=OutboxMessage.SENDING, claimed_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_pending(now: datetime | None = None, limit: int = 100) -> dict:
    """Scheduler job: send (or log) every due message. Returns counts by outcome."""
    now = now or utcnow()
    counts = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(or_((OutboxMessage.status == OutboxMessage.PENDING) & (OutboxMessage.next_attempt_at <= now),
                   (OutboxMessage.status == OutboxMessage.SENDING) & (OutboxMessage.claimed_at < now - _stale_claim())))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    use_smtp = bool(current_app.config["MAIL_SERVER"])
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    for message_id in due_ids:
        if not _claim(message_id, now):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            if use_smtp:
                _smtp_send(_build_email(message))
                message.status = OutboxMessage.SENT
                counts["sent"] += 1
            else:
                log.info("E-mail (no MAIL_SERVER set) to %s: %s\n%s", message.to_email, message.subject, message.body_text)
                message.status = OutboxMessage.LOGGED
                counts["logged"] += 1
            message.sent_at = utcnow()
            message.last_error = None
        except (OSError, smtplib.SMTPException) as exc:
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= max_attempts:
                message.status = OutboxMessage.FAILED
                counts["failed"] += 1
                log.error("Giving up on e-mail %s to %s: %s", message.id, message.to_email, message.last_error)
            else:
                message.status = OutboxMessage.PENDING
                message.next_attempt_at = now + _backoff(message.attempts)
                counts["retry"] += 1
                log.warning("E-mail %s not sent (attempt %s): %s", message.id, message.attempts, message.last_error)
        message.claimed_at = None
        db.session.commit()
    return counts
