"""A person's feedback: what `GET /api/v1/me/data` shows, and what erasure removes."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ...core.db import transactional
from ...extensions import db
from ..models import FeedbackAnswer, FeedbackRequest


def export_personal_data(user) -> dict:
    rows = db.session.execute(
        select(FeedbackRequest, FeedbackAnswer)
        .outerjoin(FeedbackAnswer, FeedbackAnswer.request_id == FeedbackRequest.id)
        .where(FeedbackRequest.user_id == user.id)
        .order_by(FeedbackRequest.id)
    )
    return {
        "requests": [
            {
                "id": r.id,
                "kind": r.kind,
                "subject": r.subject_title,
                "due_since": r.due_since.isoformat(),
                "answer": None
                if a is None
                else {
                    "usefulness": a.usefulness,
                    "will_apply": a.will_apply,
                    "recommend": a.recommend,
                    "comment": a.comment,
                    "answered_at": a.created_at.isoformat(),
                },
            }
            for r, a in rows
        ]
    }


@transactional()
def erase_personal_data(user) -> None:
    """Open requests go; answered ones stay as anonymous figures (no link to the person)."""
    db.session.execute(
        delete(FeedbackRequest)
        .where(FeedbackRequest.user_id == user.id, FeedbackRequest.answered_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(FeedbackRequest)
        .where(FeedbackRequest.user_id == user.id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
