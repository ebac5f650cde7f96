"""Answering a feedback request: once (a unique constraint on the answer's request holds it;
a second answer is a 409), only one's own (anyone else's is a 404)."""

from __future__ import annotations

from ...accounts.models import City
from ...core.db import flush_or_conflict, transactional
from ...core.errors import Conflict, Invalid
from ...core.i18n import _
from ...core.time import utcnow
from ...core.validators import multi_line
from ...extensions import db
from ..models import FeedbackAnswer
from .requesting import get_request
from .rules import ANSWERED


def _rating(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid.field(field, _("Choose a number from 1 to 5."))
    return value


@transactional(ANSWERED)
def answer(actor, request_id: int, usefulness, will_apply, recommend, comment: str | None = None) -> FeedbackAnswer:
    request = get_request(actor, request_id)
    if request.answered_at is not None:
        raise Conflict(ANSWERED)
    if not isinstance(recommend, bool):
        raise Invalid.field("recommend", _("Say yes or no."))
    city = db.session.get(City, request.city_id) if request.city_id is not None else None
    now = utcnow()
    result = FeedbackAnswer(
        request_id=request.id,
        kind=request.kind,
        subject_id=request.subject_id,
        subject_title=request.subject_title,
        city_id=request.city_id,
        country=city.country if city else None,
        year=request.year,
        usefulness=_rating(usefulness, "usefulness"),
        will_apply=_rating(will_apply, "will_apply"),
        recommend=recommend,
        comment=multi_line(comment, "comment", FeedbackAnswer.MAX_COMMENT),
        created_at=now,
    )
    db.session.add(result)
    request.answered_at = now
    flush_or_conflict(ANSWERED)
    return result
