"""What the feedback domain puts on the home page: the feedback a person was asked for and
has not given yet, and the month's answers for the office."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeItem
from ...core.i18n import _, _l
from ...extensions import db
from ..models import FeedbackAnswer
from .requesting import open_requests_query
from .rules import policy

HOME_LIMIT = 3

#: What the home page asks for each format's request ("%(title)s": the event's title).
TODO_TEXTS = {
    "course": _l("Say how useful the course “%(title)s” was"),
    "webinar": _l("Say how useful the webinar “%(title)s” was"),
    "consulting": _l("Say how useful the consulting session “%(title)s” was"),
    "exchange": _l("Say how useful the peer exchange “%(title)s” was"),
}


def feedback_todo(user, now: datetime) -> list[HomeItem]:
    if not policy.allows(user, "feedback.list"):
        return []
    requests = list(db.session.scalars(open_requests_query(user).limit(HOME_LIMIT + 1)))
    items = [
        HomeItem(
            text=TODO_TEXTS[r.kind] % {"title": r.subject_title},
            url=url_for("feedback.answer", request_id=r.id),
            detail=_("Three short questions, about two minutes."),
        )
        for r in requests[:HOME_LIMIT]
    ]
    if len(requests) > HOME_LIMIT:
        items.append(HomeItem(text=_("More feedback to give"), url=url_for("feedback.mine")))
    return items


def month_figures(start: datetime, end: datetime) -> list[tuple[str, int, str]]:
    answers = db.session.scalar(
        select(func.count(FeedbackAnswer.id)).where(FeedbackAnswer.created_at >= start, FeedbackAnswer.created_at < end)
    )
    return [(_("Feedback answers"), answers or 0, url_for("feedback.impact"))]
