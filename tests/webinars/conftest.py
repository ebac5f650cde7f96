"""Helpers shared by the webinars tests."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from action_lms.core.models import OutboxMessage
from action_lms.extensions import db


def messages(kind: str | None = None, user=None) -> list[OutboxMessage]:
    """Outbox rows (fresh from the database), optionally of one kind / for one user."""
    db.session.commit()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if user is not None:
        stmt = stmt.where(OutboxMessage.user_id == user.id)
    return list(db.session.scalars(stmt))


@pytest.fixture
def outbox():
    return messages
