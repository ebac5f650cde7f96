"""Models of the webinars domain.

Invariants held by the database, not only by Python:
- one active (confirmed or waitlisted) registration per webinar and user
  (partial unique index `uq_webinar_registrations_active`);
- waitlist positions never collide within a webinar (unique index on
  (webinar_id, waitlist_position); the position is NULL unless waitlisted);
- seats are never oversold: every registration change takes a row lock on the webinar
  (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.db import UTCDateTime
from ..core.time import utcnow
from ..extensions import Model

# Limits of what a webinar holds, shared by the services, the API schemas and the forms (string
# columns carry their own length: `column_length(Webinar.title)`).
MAX_DESCRIPTION = 20_000
MAX_CANCEL_REASON = 2000
MAX_MODULE_KEY = 120
MAX_DURATION_MINUTES = 24 * 60
MAX_CAPACITY = 10_000


class Webinar(Model):
    __tablename__ = "webinars"

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    STATUSES = (DRAFT, PUBLISHED, CANCELLED)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    # Stored (starts_at + duration) so lists and jobs can filter on it in SQL on every engine.
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    join_url: Mapped[str | None] = mapped_column(String(500))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DRAFT)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Plain keys: course modules (owned by the courses domain) and plan milestones.
    course_module_keys: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    milestone_keys: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # RFC 5545 SEQUENCE: increases on every change of time and on cancellation.
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    registrations: Mapped[list[WebinarRegistration]] = relationship(back_populates="webinar", passive_deletes=True)

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'cancelled')", name="webinar_status"),
        CheckConstraint("capacity >= 1", name="webinar_capacity"),
        CheckConstraint("duration_minutes >= 1", name="webinar_duration"),
    )

    def set_time(self, starts_at: datetime, duration_minutes: int) -> None:
        self.starts_at = starts_at
        self.duration_minutes = duration_minutes
        self.ends_at = starts_at + timedelta(minutes=duration_minutes)

    @property
    def closes_at(self) -> datetime:
        """When registration closes: the deadline if set, never later than the start."""
        if self.registration_closes_at is None:
            return self.starts_at
        return min(self.registration_closes_at, self.starts_at)

    def is_past(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def __repr__(self) -> str:
        return f"<Webinar {self.id} {self.title!r}>"


class WebinarRegistration(Model):
    __tablename__ = "webinar_registrations"

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ACTIVE = (CONFIRMED, WAITLISTED)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    attended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attended_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webinar: Mapped[Webinar] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="registration_status"),
        CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="registration_waitlist_position"
        ),
        Index(
            "uq_webinar_registrations_active",
            "webinar_id",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('confirmed', 'waitlisted')"),
            postgresql_where=text("status IN ('confirmed', 'waitlisted')"),
        ),
        Index("uq_webinar_registrations_waitlist", "webinar_id", "waitlist_position", unique=True),
        Index("ix_webinar_registrations_webinar_status", "webinar_id", "status"),
        Index("ix_webinar_registrations_user_attended", "user_id", "attended"),  # overview: attendances per city
    )

    def __repr__(self) -> str:
        return f"<WebinarRegistration {self.id} w{self.webinar_id} u{self.user_id} {self.status}>"
