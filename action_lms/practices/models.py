"""Models of the good-practice library: what a member city did that others can learn from.

Invariants held by the database:
- a practice's status is one of the workflow's (CHECK), its start year a sane one (CHECK);
- commitments (1-10, CHECK), milestones and languages are rows of their own, one per
  practice and value (primary keys), so the library filters on them with indexes;
- the search index follows `search_text` (the normalised title, summary, description and
  city name, written by the services): an FTS5 table kept by triggers on SQLite, a
  generated `tsvector` column with a GIN index on PostgreSQL (migration 0008).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City, User
from ..core.db import UTCDateTime
from ..core.time import utcnow
from ..extensions import Model


class Practice(Model):
    __tablename__ = "practices"

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    STATUSES = (DRAFT, SUBMITTED, PUBLISHED, ARCHIVED)
    # Lengths of the free-text columns (Text: the limit is the service's, stated once here).
    MAX_SUMMARY = 600
    MAX_TEXT = 20000
    MAX_LINKS = 20
    MAX_LANGUAGES = 12
    MAX_COMMENT = 4000
    EARLIEST_START, LATEST_START = 1950, 2100

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    problem: Mapped[str | None] = mapped_column(Text)  # the problem it answers
    actions: Mapped[str | None] = mapped_column(Text)  # what was done
    resources: Mapped[str | None] = mapped_column(Text)  # people, budget, partners
    results: Mapped[str | None] = mapped_column(Text)  # results or indicators
    transfer: Mapped[str | None] = mapped_column(Text)  # what another city needs to transfer it
    links: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # [{"title", "url"}]
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_year: Mapped[int | None] = mapped_column(Integer)
    featured_in: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=DRAFT)
    review_comment: Mapped[str | None] = mapped_column(Text)  # the office's comment when sending it back
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    city: Mapped[City] = relationship(lazy="joined")
    contact: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[contact_id])
    commitment_rows: Mapped[list[PracticeCommitment]] = relationship(
        cascade="all, delete-orphan", order_by="PracticeCommitment.commitment", lazy="selectin"
    )
    milestone_rows: Mapped[list[PracticeMilestone]] = relationship(
        cascade="all, delete-orphan", order_by="PracticeMilestone.milestone_key", lazy="selectin"
    )
    language_rows: Mapped[list[PracticeLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="PracticeLanguage.position", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'published', 'archived')", name="status"),
        CheckConstraint("started_year IS NULL OR started_year BETWEEN 1950 AND 2100", name="started_year"),
        Index("ix_practices_status_updated", "status", "updated_at"),
    )

    @property
    def commitments(self) -> list[int]:
        return [row.commitment for row in self.commitment_rows]

    @property
    def milestone_keys(self) -> list[str]:
        return [row.milestone_key for row in self.milestone_rows]

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]


class PracticeCommitment(Model):
    __tablename__ = "practice_commitments"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    commitment: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (
        CheckConstraint("commitment BETWEEN 1 AND 10", name="commitment_range"),
        Index("ix_practice_commitments_commitment", "commitment", "practice_id"),
    )


class PracticeMilestone(Model):
    __tablename__ = "practice_milestones"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    milestone_key: Mapped[str] = mapped_column(String(60), primary_key=True)

    __table_args__ = (Index("ix_practice_milestones_key", "milestone_key", "practice_id"),)


class PracticeLanguage(Model):
    """A language the city can talk about the practice in (ISO 639-1, e.g. "es", "ca")."""

    __tablename__ = "practice_languages"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_practice_languages_language", "language", "practice_id"),)
