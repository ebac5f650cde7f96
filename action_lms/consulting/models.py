"""Models of the consulting domain: consultant profiles, availability rules, slots,
bookings and the follow-up actions recorded after a session.

Invariants held by the database:
- one active (not cancelled) booking per slot: partial unique index on bookings(slot_id);
- a consultant never has two live slots starting at the same moment: partial unique index
  (overlaps in general are checked under a lock on the consultant's row, see services).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City, User
from ..core.db import UTCDateTime
from ..core.time import utcnow
from ..extensions import Model


class ConsultantProfile(Model):
    """What cities see about an expert. Keyed by the user; expertise in its own table.

    `timezone` mirrors the account's zone (`users.timezone`), the one zone a consultant has:
    nothing reads it, the profile service keeps it in step (see `services.consultants`)."""

    __tablename__ = "consultant_profiles"

    MAX_BIO = 4000
    MAX_LANGUAGES = 20
    MAX_LANGUAGE_LENGTH = 40

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    bio: Mapped[str] = mapped_column(Text, nullable=False, default="")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)  # a copy of users.timezone
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ConsultantExpertise(Model):
    """One of the ten commitments a consultant is an expert in (1-10)."""

    __tablename__ = "consultant_expertise"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    commitment: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (CheckConstraint("commitment BETWEEN 1 AND 10", name="commitment_range"),)


class AvailabilityRule(Model):
    """A recurring availability a consultant published; kept so one can see where slots came from."""

    __tablename__ = "availability_rules"

    TIME_OF_DAY = r"^([01]\d|2[0-3]):([0-5]\d)$"  # "09:00": 24-hour wall-clock time
    MAX_BUFFER_MINUTES = 240

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    weekdays: Mapped[list] = mapped_column(JSON, nullable=False)
    start_time: Mapped[str] = mapped_column(String(5), nullable=False)  # "09:00", wall time in `timezone`
    end_time: Mapped[str] = mapped_column(String(5), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    slot_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    buffer_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Slot(Model):
    __tablename__ = "slots"

    OPEN = "open"
    BOOKED = "booked"
    REMOVED = "removed"  # removed by the consultant after a cancelled booking: kept for history
    STATUSES = (OPEN, BOOKED, REMOVED)
    # Both ways of creating slots hold the length; migration 0006 makes the database hold the maximum.
    MIN_MINUTES, MAX_MINUTES = 15, 480

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=OPEN)
    availability_rule_id: Mapped[int | None] = mapped_column(ForeignKey("availability_rules.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    consultant: Mapped[User] = relationship(lazy="joined", foreign_keys=[consultant_id])

    # Filled in by services.annotate_slots() for display (the consultant's working zone).
    consultant_timezone = None

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # Migration 0006 also refuses slots longer than Slot.MAX_MINUTES (a CHECK on
        # PostgreSQL, triggers on SQLite): the slot list's window on starts_at relies on it.
        CheckConstraint("status IN ('open', 'booked', 'removed')", name="status"),
        Index("ix_slots_consultant_starts", "consultant_id", "starts_at"),
        # Covering: the open-slot list counts and pages future slots from the index alone.
        Index("ix_slots_status_starts_ends", "status", "starts_at", "ends_at"),
        Index(
            "uq_slots_consultant_start_live",
            "consultant_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status <> 'removed'"),
            postgresql_where=text("status <> 'removed'"),
        ),
    )

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Booking(Model):
    __tablename__ = "bookings"

    BOOKED = "booked"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    STATUSES = (BOOKED, HELD, NO_SHOW, CANCELLED)
    ACTIVE = (BOOKED, HELD, NO_SHOW)
    # Lengths of the free-text columns (Text: the limit is the service's, stated once here).
    MAX_QUESTIONS = 10000
    MAX_CANCEL_REASON = 2000
    MAX_SUMMARY = 20000
    MAX_FOLLOW_UPS = 50

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"), nullable=False)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), nullable=False, index=True)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    topic: Mapped[str] = mapped_column(String(200), nullable=False)
    questions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    milestone_key: Mapped[str | None] = mapped_column(String(60))
    # Where the session happens: a video link (http/https only) or a place, one line. Set by the
    # expert or the office (the city may propose one when booking); both sides see it, no one else.
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=BOOKED)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # .ics SEQUENCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    notes_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[Slot] = relationship(lazy="joined")
    city: Mapped[City] = relationship(lazy="joined")
    booked_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[booked_by_id])
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="FollowUp.position", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("status IN ('booked', 'held', 'no_show', 'cancelled')", name="status"),
        Index(
            "uq_bookings_active_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_bookings_slot_id", "slot_id"),
        Index("ix_bookings_status_reminder", "status", "reminded_at"),
    )

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def meeting_link_is_url(self) -> bool:
        """A link to open (the service lets only http and https links in), not a place."""
        return (self.meeting_link or "").lower().startswith(("http://", "https://"))


class FollowUp(Model):
    """An action agreed in a session: what, who, by when, and the milestone it serves."""

    __tablename__ = "booking_follow_ups"

    MAX_TEXT = 2000

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    milestone_key: Mapped[str | None] = mapped_column(String(60))

    booking: Mapped[Booking] = relationship(back_populates="follow_ups")
