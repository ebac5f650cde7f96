"""Feedback requests: created by a scheduler job that scans every format's finished events
(idempotent: one request per person and event, held by a unique constraint, so two
schedulers create each once and a scheduler that was down catches up), the e-mail with the
link (once), one reminder after 7 days, and the person's list."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from ...accounts.models import User
from ...core import outbox
from ...core.db import affected_rows, dialect_insert, unit_of_work
from ...core.errors import NotFound
from ...core.hooks import FeedbackDue, contributions
from ...core.i18n import _l, in_language, user_language
from ...core.time import format_local, utcnow
from ...extensions import db
from ..models import FeedbackRequest
from .permissions import can_answer
from .rules import CATCH_UP, NOT_YOURS, REMINDER_AFTER, policy

log = logging.getLogger(__name__)


def request_url(request: FeedbackRequest) -> str:
    return f"{current_app.config['BASE_URL']}/feedback/{request.id}"


def _subject(request: FeedbackRequest, kind: str):
    """The e-mail's subject, rendered in the recipient's language by the outbox."""
    title = request.subject_title
    if kind != "request":
        return _l("Reminder: two minutes of feedback on “%(title)s”", title=title)
    if request.kind == "course":
        return _l("How useful was the course “%(title)s”?", title=title)
    if request.kind == "webinar":
        return _l("How useful was the webinar “%(title)s”?", title=title)
    if request.kind == "consulting":
        return _l("How useful was the consulting session “%(title)s”?", title=title)
    return _l("How useful was the peer exchange “%(title)s”?", title=title)


def _queue(request: FeedbackRequest, user: User, kind: str) -> bool:
    with in_language(user_language(user)):  # the date in the words of the e-mail
        when = format_local(request.due_since, user.timezone, "%d %b %Y")
    return outbox.queue(
        user,
        f"feedback_{kind}",
        _subject(request, kind),
        f"feedback/{kind}.txt",
        {"request": request, "when": when, "url": request_url(request)},
        f"feedback:{kind}:{request.id}",
    )


def _create(item: FeedbackDue, kind: str, now: datetime, users: dict[int, User]) -> int:
    """Insert one request unless it exists (ON CONFLICT DO NOTHING); e-mail it when it is new."""
    user = users.get(item.user_id)
    if user is None or not user.is_active:
        return 0
    values = {
        "user_id": item.user_id,
        "kind": kind,
        "subject_id": item.subject_id,
        "subject_title": (item.title or "")[:200],
        "city_id": item.city_id,
        "year": item.event_at.year,
        "due_since": item.event_at,
        "created_at": now,
    }
    stmt = dialect_insert(db.session, FeedbackRequest.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["user_id", "kind", "subject_id"]).returning(FeedbackRequest.id)
    row = db.session.execute(stmt).first()
    if row is None:
        return 0
    request = db.session.get(FeedbackRequest, row[0])
    assert request is not None
    _queue(request, user, "request")
    return 1


def create_feedback_requests(now: datetime | None = None) -> int:
    """Scheduler job: one request per person for every event of every format that ended in
    the catch-up window. Each format is its own transaction, so a format whose scan fails is
    logged and the others still run. Returns how many requests were created."""
    now = now or utcnow()
    created = 0
    for fmt in sorted(contributions().feedback_formats.values(), key=lambda f: f.order):
        try:
            with unit_of_work():
                due = fmt.due(now, now - CATCH_UP)
                ids = sorted({item.user_id for item in due})
                users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
                for item in due:
                    created += _create(item, fmt.kind, now, users)
        except Exception:
            log.exception("Feedback requests for %s could not be created", fmt.kind)
    return created


def send_feedback_reminders(now: datetime | None = None) -> int:
    """Scheduler job: one reminder 7 days after a request still unanswered, then nothing.
    Claimed with a conditional UPDATE (and the outbox key is unique): exactly once."""
    now = now or utcnow()
    sent = 0
    with unit_of_work():
        due = list(
            db.session.scalars(
                select(FeedbackRequest)
                .where(
                    FeedbackRequest.answered_at.is_(None),
                    FeedbackRequest.reminded_at.is_(None),
                    FeedbackRequest.user_id.is_not(None),
                    FeedbackRequest.created_at <= now - REMINDER_AFTER,
                )
                .order_by(FeedbackRequest.id)
                .limit(500)
            )
        )
        for request in due:
            claimed = db.session.execute(
                update(FeedbackRequest)
                .where(
                    FeedbackRequest.id == request.id,
                    FeedbackRequest.reminded_at.is_(None),
                    FeedbackRequest.answered_at.is_(None),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            )
            if affected_rows(claimed) == 1 and request.user is not None and request.user.is_active:
                _queue(request, request.user, "reminder")
                sent += 1
    return sent


def open_requests_query(actor):
    """The person's requests still waiting for an answer, newest event first."""
    policy.require(actor, "feedback.list")
    return (
        select(FeedbackRequest)
        .where(FeedbackRequest.user_id == actor.id, FeedbackRequest.answered_at.is_(None))
        .order_by(FeedbackRequest.due_since.desc(), FeedbackRequest.id.desc())
    )


def my_feedback(actor) -> dict:
    """The "Your feedback" page: what waits for an answer and what was answered."""
    from ..models import FeedbackAnswer

    open_ = list(db.session.scalars(open_requests_query(actor).limit(200)))
    answered = list(
        db.session.execute(
            select(FeedbackRequest, FeedbackAnswer)
            .join(FeedbackAnswer, FeedbackAnswer.request_id == FeedbackRequest.id)
            .where(FeedbackRequest.user_id == actor.id)
            .order_by(FeedbackAnswer.created_at.desc())
            .limit(100)
        )
    )
    return {"open": open_, "answered": answered}


def get_request(actor, request_id: int) -> FeedbackRequest:
    """The actor's own request; anyone else's is a 404."""
    policy.require(actor, "feedback.answer")
    request = db.session.get(FeedbackRequest, request_id)
    if request is None or not can_answer(actor, request):
        raise NotFound(NOT_YOURS)
    return request
