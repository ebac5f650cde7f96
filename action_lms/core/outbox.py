"""Notification outbox.

`queue()` adds a row to the caller's transaction: if the request rolls back, nothing is
sent. The unique `dedupe_key` makes a notification happen at most once however often a
job or a request tries. `deliver_pending()` is the scheduler job: it claims due rows one
at a time with a conditional UPDATE (so two scheduler processes never send the same row),
sends them by SMTP when MAIL_SERVER is set and logs them otherwise, and on failure keeps
the row pending with the error and a backoff.

One message never stops the others: a message that cannot be built (an address with a line
break, text that cannot be encoded) is marked failed at once with its error, one that
cannot be sent is retried with backoff until OUTBOX_MAX_ATTEMPTS, and the loop goes on
with the next message in the same tick. Header values are folded onto one line when the
message is built, so old stored text with CR/LF still sends and can never add a header.

Every message is multipart: the text part (the template, line breaks normalised to LF) and
an HTML part made from that same text here, in one place, through the one layout
templates/email/_layout.html (no second template per kind): escaped paragraphs, links, and
one button for the message's main action. Optional kinds (KIND_GROUPS) are not queued for
a person who opted out of their group, so every job and request respects the choice.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup, escape
from sqlalchemy import or_, select, update

from ..extensions import db
from .db import affected_rows, dialect_insert
from .i18n import _l, in_language, user_language
from .models import OutboxMessage
from .time import utcnow
from .validators import fold_single_line

log = logging.getLogger(__name__)

# An address as the builder accepts it: no spaces, no controls, no second address.
_ADDRESS_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029,;<>\"]")


class UnbuildableMessage(ValueError):
    """The stored row cannot become an e-mail; retrying will not change that."""


# The optional e-mails, by the group a person can switch off on /account/emails. Every other
# kind (confirmations, cancellations, invitations, password reset, membership decisions,
# certificates...) always goes out. One table: queue() and the preferences pages read it.
KIND_GROUPS: dict[str, str] = {
    "webinar_reminder": "reminders",
    "consulting_reminder": "reminders",
    "exchange_reminder": "reminders",
    "feedback_reminder": "reminders",
    "plans.overdue_digest": "digests",
    "webinar_waitlisted": "waitlist",
}
OPTIONAL_GROUPS: dict[str, Any] = {  # labels: lazy strings, read in the reader's language
    "reminders": _l("Reminders before webinars, consulting sessions and peer exchanges, and feedback reminders"),
    "digests": _l("The digest of overdue milestones in my city's action plan"),
    "waitlist": _l("Waitlist news: when a webinar is full and I am put on its waitlist"),
}
PREFERENCES_PATH = "/account/emails"
COALITION = _l("European Coalition of Cities Against Racism · ACTION")
DEFAULT_ACTION_LABEL = _l("Open in ACTION LMS")

# A URL in the text: up to white space or a character that cannot be part of one; trailing
# punctuation of the sentence is left outside the link.
_URL = re.compile(r"https?://[^\s<>\"'`]+")
_URL_TRAILING = ".,;:!?)]}»”’"


def group_of(kind: str) -> str | None:
    """The preference group of an optional kind, None for a kind that always goes out."""
    return KIND_GROUPS.get(kind)


def _wants(user, group: str) -> bool:
    """The person's choice (accounts' `User.wants_email`); without one, they get it."""
    wants: Callable[[str], bool] | None = getattr(user, "wants_email", None)
    return True if wants is None else bool(wants(group))


def normalise_newlines(text: str) -> str:
    """CR/LF and lone CR (from form fields) as LF: one kind of line break in the stored text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _urls(text: str) -> list[str]:
    return [match.group(0).rstrip(_URL_TRAILING) for match in _URL.finditer(text)]


def _linkify(line: str) -> Markup:
    """One line of text as HTML: escaped, every URL a link (its own text, so it reads without
    styles), the line's indent kept (list items, continued lines) as no-break spaces."""
    text = line.lstrip(" ")
    out = Markup("&nbsp;" * (len(line) - len(text)))
    line = text
    pos = 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_URL_TRAILING)
        out += escape(line[pos : match.start()])
        out += Markup('<a href="{0}" style="color:#0b4f8a;text-decoration:underline;">{0}</a>').format(url)
        pos = match.start() + len(url)
    return out + escape(line[pos:])


def default_action(text: str) -> tuple[str, str] | None:
    """The message's main action: the first link into the application, not the footer's."""
    base = current_app.config["BASE_URL"].rstrip("/")
    footer = {f"{base}/account", f"{base}{PREFERENCES_PATH}"}
    for url in _urls(text):
        if (url.startswith(base + "/") or url == base) and url not in footer:
            return (str(DEFAULT_ACTION_LABEL), url)
    return None


def render_html(text: str, subject: str, action: tuple[str, str] | None = None) -> str:
    """The HTML part of a message, from its text part: paragraphs (blank-line separated) with
    their line breaks, links, the action as a button after the paragraph that names it (or
    after the content), and the footer (the paragraph starting with "--") set apart."""
    text = normalise_newlines(text).strip("\n")
    if action is None:
        action = default_action(text)
    paragraphs: list[Markup] = []
    footer: list[Markup] = []
    button_at: int | None = None
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").split("\n")
        if not any(line.strip() for line in lines):
            continue
        if lines[0].strip() == "--":
            footer.append(Markup("<br>\n").join(_linkify(line) for line in lines[1:]))
            continue
        if footer:  # text after a footer (none today): still content, never lost
            footer.append(Markup("<br>\n").join(_linkify(line) for line in lines))
            continue
        paragraphs.append(Markup("<br>\n").join(_linkify(line) for line in lines))
        if action is not None and button_at is None and action[1] in _urls(block):
            button_at = len(paragraphs)
    if action is not None and button_at is None:
        button_at = len(paragraphs)
    return render_template(
        "email/_layout.html",
        subject=fold_single_line(subject),
        coalition=str(COALITION),
        before=paragraphs[:button_at] if button_at is not None else paragraphs,
        after=paragraphs[button_at:] if button_at is not None else [],
        action={"label": action[0], "url": action[1]} if action else None,
        footer=footer,
    )


def _stale_claim() -> timedelta:
    """A claim older than this is from a process that died while sending: take it again.
    Must be longer than MAIL_TIMEOUT so a slow but live sender is not overtaken."""
    return timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT"])


def queue(
    user,
    kind: str,
    subject: Any,
    template: str,
    context: dict | None,
    dedupe_key: str,
    attachment: tuple[str, str, Any] | None = None,
    action: tuple[Any, str] | None = None,
) -> bool:
    """Queue one e-mail to `user` in the current transaction. Returns False if a message
    with the same dedupe key already exists, if the user has no address any more, or if the
    kind is optional (KIND_GROUPS) and the user opted out of its group.

    `template` is a path under templates/email/; `attachment` is (filename, mime type, text);
    `action` is (label, url) of the HTML part's button (default: the first link into the
    application, labelled "Open in ACTION LMS").

    Everything is rendered in the recipient's language (`core.i18n.in_language`), whoever
    triggered the message: pass the subject and the action's label as `lazy_gettext(...)`
    strings, and the attachment's text as a function of no arguments when it holds words
    (a calendar file's summary), so they too are written in that language.
    """
    if user is None or not getattr(user, "email", None) or getattr(user, "erased_at", None):
        return False
    group = group_of(kind)
    if group is not None and not _wants(user, group):
        return False
    context = dict(context or {})
    context.setdefault("user", user)
    context.setdefault("base_url", current_app.config["BASE_URL"])
    context["optional_email"] = group is not None  # the footer's link to the preferences
    with in_language(user_language(user)):
        body = normalise_newlines(render_template(f"email/{template}", **context))
        subject = str(subject)
        action = (str(action[0]), action[1]) if action else None
        body_html = render_html(body, subject, action)
        if attachment and callable(attachment[2]):
            attachment = (attachment[0], attachment[1], attachment[2]())
    values = {
        "user_id": user.id,
        "to_email": user.email,
        "kind": kind,
        "subject": fold_single_line(subject)[:300],
        "body_text": body,
        "body_html": body_html,
        "dedupe_key": dedupe_key[:200],
        "status": OutboxMessage.PENDING,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
    }
    if attachment:
        values.update(attachment_name=attachment[0], attachment_type=attachment[1], attachment=attachment[2])
    session = db.session
    stmt = dialect_insert(session, OutboxMessage.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id)
    return session.execute(stmt).first() is not None


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _address(value: str | None) -> str:
    """The recipient exactly as stored, or refuse: folding an address could turn an injected
    "a@x<CR><LF>Bcc: b@y" into something deliverable, so a bad address is never repaired."""
    if not value or _ADDRESS_FORBIDDEN.search(value) or value.count("@") != 1:
        raise UnbuildableMessage(f"not a single e-mail address: {value!r}")
    return value


def _build_email(message: OutboxMessage) -> EmailMessage:
    cfg = current_app.config
    try:
        email = EmailMessage()
        email["From"] = cfg["MAIL_FROM"]
        email["To"] = _address(message.to_email)
        email["Subject"] = fold_single_line(message.subject) or "(no subject)"
        # Stable per outbox row: if a sender dies after handing a message to the server but
        # before recording it, the retry carries the same Message-ID and mail clients
        # collapse the two copies.
        email["Message-ID"] = f"<outbox-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>"
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(normalise_newlines(message.body_text))
        # Rows queued before the HTML part existed get it built from their text now.
        email.add_alternative(message.body_html or render_html(message.body_text, message.subject), subtype="html")
        if message.attachment and message.attachment_name:
            maintype, _, subtype = (fold_single_line(message.attachment_type) or "text/plain").partition("/")
            email.add_attachment(
                message.attachment.encode("utf-8"),
                maintype=maintype,
                subtype=subtype or "plain",
                filename=fold_single_line(message.attachment_name) or "attachment",
            )
        email.as_bytes()  # encode now: a body that cannot be encoded fails here, not in the SMTP dialogue
    except UnbuildableMessage:
        raise
    except (ValueError, TypeError, LookupError) as exc:  # header, encoding and MIME errors of the email package
        raise UnbuildableMessage(f"{type(exc).__name__}: {exc}") from exc
    return email


def _mail_domain() -> str:
    sender = current_app.config["MAIL_FROM"]
    return sender.rsplit("@", 1)[-1].strip(" >") or "action-lms.local"


def _smtp_send(email: EmailMessage) -> None:
    cfg = current_app.config
    timeout = cfg["MAIL_TIMEOUT"]
    smtp: smtplib.SMTP
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout, context=ssl.create_default_context()
        )
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
        .where(
            or_(
                OutboxMessage.status == OutboxMessage.PENDING,
                (OutboxMessage.status == OutboxMessage.SENDING) & (OutboxMessage.claimed_at < now - _stale_claim()),
            )
        )
        .values(status=OutboxMessage.SENDING, claimed_at=now)
    )
    db.session.commit()
    return affected_rows(result) == 1


def _due_ids(now: datetime, limit: int) -> list[int]:
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxMessage.PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxMessage.SENDING) & (OutboxMessage.claimed_at < now - _stale_claim()),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    return list(due_ids)


def _error_text(exc: BaseException) -> str:
    """The error as stored: one line (PostgreSQL text cannot hold NUL), at most 2000 characters."""
    return fold_single_line(f"{type(exc).__name__}: {exc}")[:2000]


def _deliver(message: OutboxMessage, use_smtp: bool) -> str:
    """Send or log one claimed message; returns the outcome. Raises on failure."""
    if use_smtp:
        email = _build_email(message)
        _smtp_send(email)
        message.status = OutboxMessage.SENT
        outcome = "sent"
    else:
        log.info(
            "E-mail (no MAIL_SERVER set) to %s: %s\n%s",
            message.to_email,
            fold_single_line(message.subject),
            message.body_text,
        )
        message.status = OutboxMessage.LOGGED
        outcome = "logged"
    message.sent_at = utcnow()
    message.last_error = None
    return outcome


def _record_failure(message_id: int, exc: Exception, now: datetime, max_attempts: int) -> str:
    """After a failed attempt, in a fresh transaction (the failure may have been the session's):
    a message that cannot be built fails at once; one that could not be sent is retried with
    backoff until `max_attempts`. Returns the outcome."""
    db.session.rollback()
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return "failed"
    message.attempts += 1
    message.last_error = _error_text(exc)
    message.claimed_at = None
    if isinstance(exc, UnbuildableMessage) or message.attempts >= max_attempts:
        message.status = OutboxMessage.FAILED
        log.error("Giving up on e-mail %s to %r: %s", message.id, message.to_email, message.last_error)
        outcome = "failed"
    else:
        message.status = OutboxMessage.PENDING
        message.next_attempt_at = now + _backoff(message.attempts)
        log.warning("E-mail %s not sent (attempt %s): %s", message.id, message.attempts, message.last_error)
        outcome = "retry"
    db.session.commit()
    return outcome


def deliver_pending(now: datetime | None = None, limit: int = 100) -> dict:
    """Scheduler job: send (or log) every due message. Returns counts by outcome.

    Each message is its own transaction and its own try: whatever one message raises is
    recorded on that message, and the loop goes on with the next one."""
    now = now or utcnow()
    counts = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    use_smtp = bool(current_app.config["MAIL_SERVER"])
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    for message_id in _due_ids(now, limit):
        if not _claim(message_id, now):
            continue
        try:
            message = db.session.get(OutboxMessage, message_id)
            if message is None:  # deleted meanwhile (the account was erased)
                continue
            outcome = _deliver(message, use_smtp)
            message.claimed_at = None
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - recorded on the message; the others still go out
            try:
                outcome = _record_failure(message_id, exc, now, max_attempts)
            except Exception:  # the database itself failed: the stale claim retries it later
                log.exception("Could not record the failure of e-mail %s", message_id)
                db.session.rollback()
                continue
        counts[outcome] += 1
    return counts
