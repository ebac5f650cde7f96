"""Access-matrix rows of the feedback domain."""
from __future__ import annotations

from action_lms.core.time import utcnow
from action_lms.extensions import db
from action_lms.feedback.models import FeedbackRequest


def own_request(s) -> int:
    """A feedback request of the acting person (anonymous: someone else's, never reached)."""
    person = s.actor or s.probe
    request = FeedbackRequest(user_id=person.id, kind="webinar", subject_id=s.past_webinar.id,
                              subject_title=s.past_webinar.title, city_id=person.city_id, year=utcnow().year,
                              due_since=utcnow())
    db.session.add(request)
    db.session.commit()
    return request.id


def rows(Row, only, everyone, public, A, L, C, S, D, P):
    return [
        Row("GET", "/api/v1/me/feedback-requests", everyone(200)),
        Row("POST", "/api/v1/feedback", everyone(201),
            body=lambda s: {"request_id": own_request(s), "usefulness": 4, "will_apply": 3, "recommend": True}),
        Row("GET", "/api/v1/impact", only({C: 200, D: 200})),
    ]
