"""Demo answers, so the impact report shows every format ranked: for each format, one
answered request per demo person (at least three per format, from different cities). The
events they answer about are named but illustrative; the figures are the point."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ..accounts.models import City, User
from ..core.time import utcnow
from ..extensions import db
from .models import FeedbackAnswer, FeedbackRequest

# (kind, title, [(usefulness, will_apply, recommend, comment)] in the order of DEMO_PEOPLE)
DEMO_ANSWERS = [
    (
        "exchange",
        "Peer exchange: Drafting a municipal plan against anti-Muslim racism",
        [
            (5, 5, True, "Hearing how Barcelona consulted communities changed our draft."),
            (5, 4, True, "Concrete, honest, and we now call Bologna directly."),
            (4, 5, True, None),
            (5, 4, True, "One hour was too short: we want a second session."),
        ],
    ),
    (
        "consulting",
        "Consulting: Baseline data for the plan",
        [
            (4, 4, True, "The expert's data checklist saved us weeks."),
            (4, 3, True, None),
            (5, 4, True, None),
            (3, 3, False, "Useful, but we needed someone who knows our national statistics."),
        ],
    ),
    (
        "webinar",
        "Webinar: Indicators that show change",
        [
            (4, 3, True, None),
            (3, 3, True, "Good overview; too little time for questions."),
            (4, 4, True, None),
            (3, 2, False, None),
        ],
    ),
    (
        "course",
        "Drafting and implementing a local action plan against racism",
        [
            (4, 4, True, "The module on participation was the most useful."),
            (3, 3, True, None),
            (4, 3, True, None),
            (3, 4, True, None),
        ],
    ),
]
DEMO_PEOPLE = [
    "berlin@demo.action-lms.eu",
    "barcelona@demo.action-lms.eu",
    "bologna@demo.action-lms.eu",
    "coordinator@demo.action-lms.eu",
]


def seed_demo() -> None:
    """Idempotent: a person who already answered about a demo event is skipped."""
    people = list(db.session.scalars(select(User).where(func.lower(User.email).in_(DEMO_PEOPLE)).order_by(User.email)))
    by_email = {p.email: p for p in people}
    cities = {c.id: c for c in db.session.scalars(select(City))}
    now = utcnow()
    for position, (kind, title, answers) in enumerate(DEMO_ANSWERS):
        for email, (usefulness, will_apply, recommend, comment) in zip(DEMO_PEOPLE, answers, strict=True):
            person = by_email.get(email)
            if person is None:
                continue
            subject_id = 900000 + position  # illustrative events, outside the ids real ones use
            exists = db.session.scalar(
                select(FeedbackRequest.id).where(
                    FeedbackRequest.user_id == person.id,
                    FeedbackRequest.kind == kind,
                    FeedbackRequest.subject_id == subject_id,
                )
            )
            if exists is not None:
                continue
            # Within this year, so the report's default year shows them.
            when = max(now - timedelta(days=20 + position), now.replace(month=1, day=1, hour=0, minute=position))
            request = FeedbackRequest(
                user_id=person.id,
                kind=kind,
                subject_id=subject_id,
                subject_title=title,
                city_id=person.city_id,
                year=when.year,
                due_since=when,
                created_at=when,
                answered_at=when + timedelta(days=1),
            )
            db.session.add(request)
            db.session.flush()
            city = cities.get(person.city_id) if person.city_id else None
            db.session.add(
                FeedbackAnswer(
                    request_id=request.id,
                    kind=kind,
                    subject_id=subject_id,
                    subject_title=title,
                    city_id=person.city_id,
                    country=city.country if city else None,
                    year=when.year,
                    usefulness=usefulness,
                    will_apply=will_apply,
                    recommend=recommend,
                    comment=comment,
                    created_at=when + timedelta(days=1),
                )
            )
    db.session.commit()
