"""What the practices domain puts on the home page: for the office, the practices waiting
for review; for a city's coordinators, drafts the office sent back with a comment; and
the month's published practices."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select

from ...core.hooks import HomeItem
from ...core.i18n import _, ngettext
from ...core.policy import COORDINATOR
from ...extensions import db
from ..models import Practice
from .library import review_queue_length
from .rules import policy

HOME_LIMIT = 3
COMMENT_PREVIEW = 160


def practices_todo(user, now: datetime) -> list[HomeItem]:
    if policy.allows(user, "practice.review"):
        waiting = review_queue_length(user)
        if not waiting:
            return []
        return [
            HomeItem(
                text=ngettext(
                    "%(num)d good practice waits for review", "%(num)d good practices wait for review", waiting
                ),
                url=url_for("practices.review"),
            )
        ]
    if user.role != COORDINATOR or user.city_id is None or not policy.allows(user, "practice.edit"):
        return []
    sent_back = db.session.scalars(
        select(Practice)
        .where(
            Practice.city_id == user.city_id,
            Practice.status == Practice.DRAFT,
            Practice.review_comment.is_not(None),
        )
        .order_by(Practice.updated_at.desc())
        .limit(HOME_LIMIT)
    )
    return [
        HomeItem(
            text=_("Change “%(title)s” as the office asked, then submit it again", title=p.title),
            url=url_for("practices.edit", practice_id=p.id),
            detail=_preview(p.review_comment or ""),
        )
        for p in sent_back
    ]


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= COMMENT_PREVIEW else text[: COMMENT_PREVIEW - 1].rstrip() + "…"


def month_figures(start: datetime, end: datetime) -> list[tuple[str, int, str]]:
    published = db.session.scalar(
        select(func.count(Practice.id)).where(
            Practice.status == Practice.PUBLISHED, Practice.published_at >= start, Practice.published_at < end
        )
    )
    return [(_("Good practices published"), published or 0, url_for("practices.library"))]
