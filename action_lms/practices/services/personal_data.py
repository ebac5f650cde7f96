"""A person's practices data: what `GET /api/v1/me/data` shows (the practices they created
or are the contact for), and what erasure removes (their name from those practices, which
stay: they are the city's record, not the person's)."""

from __future__ import annotations

from sqlalchemy import or_, select, update

from ...core.db import transactional
from ...core.time import isoformat_z
from ...extensions import db
from ..models import Practice


def export_personal_data(user) -> list[dict]:
    stmt = (
        select(Practice)
        .where(or_(Practice.created_by_id == user.id, Practice.contact_id == user.id))
        .order_by(Practice.id)
    )
    return [
        {
            "id": p.id,
            "title": p.title,
            "city": p.city.name,
            "status": p.status,
            "created_by_me": p.created_by_id == user.id,
            "i_am_the_contact": p.contact_id == user.id,
            "created_at": isoformat_z(p.created_at),
            "updated_at": isoformat_z(p.updated_at),
        }
        for p in db.session.scalars(stmt)
    ]


@transactional()
def erase_personal_data(user) -> None:
    """The practices stay, no longer naming the person as author or contact. Called on the
    `user_erased` signal, it joins the eraser's unit of work (which commits once)."""
    for column in (Practice.contact_id, Practice.created_by_id):
        db.session.execute(
            update(Practice)
            .where(column == user.id)
            .values({column: None})
            .execution_options(synchronize_session=False)
        )
