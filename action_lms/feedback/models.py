"""Models of the feedback domain: one request per person and event, and the answers.

Invariants held by the database:
- one request per (person, format, event): unique constraint, so two schedulers scanning at
  once create each request once (the insert is ON CONFLICT DO NOTHING);
- one answer per request: unique constraint on the answer's request_id (a second answer is
  a 409);
- ratings 1-5 (CHECK).

An answer keeps its own copy of what the report counts (format, event, city, country,
year), so erasing the person (which deletes their requests) leaves it as an anonymous figure.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.db import UTCDateTime
from ..core.time import utcnow
from ..extensions import Model

KINDS = ("course", "webinar", "consulting", "exchange")


class FeedbackRequest(Model):
    __tablename__ = "feedback_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Emptied when the person erases their account and the request was answered (open ones
    # are deleted): the report still counts it, nobody can tell whose it was.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False)
    subject_title: Mapped[str] = mapped_column(String(200), nullable=False)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer, nullable=False)  # the event's year, for the report
    due_since: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject_id", name="uq_feedback_requests_user_kind_subject"),
        CheckConstraint("kind IN ('course', 'webinar', 'consulting', 'exchange')", name="kind"),
        Index("ix_feedback_requests_user_answered", "user_id", "answered_at"),
        Index("ix_feedback_requests_year_kind", "year", "kind"),
        Index("ix_feedback_requests_reminder", "answered_at", "reminded_at", "created_at"),
    )


class FeedbackAnswer(Model):
    __tablename__ = "feedback_answers"

    MAX_COMMENT = 4000

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_requests.id", ondelete="SET NULL"), unique=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False)
    subject_title: Mapped[str] = mapped_column(String(200), nullable=False)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    country: Mapped[str | None] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    usefulness: Mapped[int] = mapped_column(Integer, nullable=False)
    will_apply: Mapped[int] = mapped_column(Integer, nullable=False)
    recommend: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness_range"),
        CheckConstraint("will_apply BETWEEN 1 AND 5", name="will_apply_range"),
        CheckConstraint("kind IN ('course', 'webinar', 'consulting', 'exchange')", name="kind"),
        # The report's newest comments per format (and every year-and-format count).
        Index("ix_feedback_answers_year_kind_created", "year", "kind", "created_at"),
    )
