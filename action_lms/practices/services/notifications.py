"""E-mails of the review workflow, queued in the caller's unit of work (nothing is sent if
it rolls back): a submitted practice to every admin; published or sent back (with the
office's comment) to the city's coordinators. Each has a unique dedupe key per person and
event, so a retried request sends once."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from ...accounts.models import User
from ...core import outbox
from ...core.i18n import _l
from ...core.policy import ADMIN, COORDINATOR
from ...extensions import db
from ..models import Practice


def practice_url(practice: Practice) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/practices/{practice.id}"


def _people(*conditions) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), User.erased_at.is_(None), *conditions).order_by(User.id)
        )
    )


def office() -> list[User]:
    return _people(User.role == ADMIN)


def city_coordinators(city_id: int) -> list[User]:
    return _people(User.role == COORDINATOR, User.city_id == city_id)


def _stamp(practice: Practice) -> str:
    """The moment of the event, so the same practice submitted again is a new message."""
    return practice.updated_at.strftime("%Y%m%dT%H%M%S%f")


def _send(people: list[User], practice: Practice, kind: str, subject: Any, template: str, **context) -> int:
    """`subject`: a lazy string, written in each recipient's language."""
    sent = 0
    for person in people:
        sent += outbox.queue(
            person,
            f"practice_{kind}",
            subject,
            f"practices/{template}",
            {"practice": practice, "url": practice_url(practice), **context},
            f"practice-{kind}-{practice.id}-{_stamp(practice)}-{person.id}",
        )
    return sent


def notify_submitted(practice: Practice) -> int:
    return _send(
        office(),
        practice,
        "submitted",
        _l("Good practice to review: %(title)s (%(city)s)", title=practice.title, city=practice.city.name),
        "submitted.txt",
        review_url=f"{current_app.config['BASE_URL'].rstrip('/')}/practices/review",
    )


def notify_published(practice: Practice) -> int:
    return _send(
        city_coordinators(practice.city_id),
        practice,
        "published",
        _l("Published in the good-practice library: %(title)s", title=practice.title),
        "published.txt",
    )


def notify_sent_back(practice: Practice, comment: str) -> int:
    return _send(
        city_coordinators(practice.city_id),
        practice,
        "sent_back",
        _l("Sent back with a comment: %(title)s", title=practice.title),
        "sent_back.txt",
        comment=comment,
    )
