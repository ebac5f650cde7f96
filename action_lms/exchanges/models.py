"""Models of peer-to-peer exchanges between cities: the request, the invitations of host
cities, the people taking part, the follow-up actions, and the published story.

Invariants held by the database:
- the status is one of the path's (CHECK); a scheduled session ends after it starts;
- one active (not withdrawn) invitation per (exchange, city): partial unique index;
- no invitation of the requesting city: each invitation carries the requesting city's id,
  tied to the exchange by a composite foreign key, and a CHECK keeps the two cities apart;
  the same holds for the cities a request names as preferred hosts;
- one participation per (exchange, person): unique constraint;
- a story slug names one exchange: unique constraint.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City, User
from ..core.db import UTCDateTime
from ..core.time import utcnow
from ..extensions import Model
from ..practices.models import Practice


class Exchange(Model):
    __tablename__ = "exchanges"

    REQUESTED = "requested"
    MATCHING = "matching"
    SCHEDULED = "scheduled"
    HELD = "held"
    REPORTED = "reported"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    STATUSES = (REQUESTED, MATCHING, SCHEDULED, HELD, REPORTED, WITHDRAWN, CANCELLED)
    OPEN = (REQUESTED, MATCHING, SCHEDULED)  # still ahead: may be withdrawn or cancelled
    ENDED = (WITHDRAWN, CANCELLED)
    MAX_TEXT = 4000
    MAX_QUESTIONS = 20
    MAX_QUESTION = 1000
    MAX_REPORT = 30000
    MAX_FOLLOW_UPS = 30
    MAX_LIST = 20  # commitments, practices, preferred cities, languages
    MIN_MINUTES, MAX_MINUTES = 15, 480

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), nullable=False, index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    topic: Mapped[str] = mapped_column(String(200), nullable=False)
    objective: Mapped[str] = mapped_column(Text, nullable=False)
    questions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    commitments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    milestone_key: Mapped[str | None] = mapped_column(String(60))
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    earliest_date: Mapped[date | None] = mapped_column(Date)
    latest_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=REQUESTED)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    join_url: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # .ics SEQUENCE
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)
    report_html: Mapped[str | None] = mapped_column(Text)
    story_slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    story_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # withdrawn or cancelled
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    city: Mapped[City] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[requested_by_id])
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="exchange",
        primaryjoin="Exchange.id == foreign(Invitation.exchange_id)",
        order_by="Invitation.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="exchange", order_by="Participant.id", lazy="selectin", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list[ExchangeFollowUp]] = relationship(
        back_populates="exchange", order_by="ExchangeFollowUp.position", lazy="selectin", cascade="all, delete-orphan"
    )
    practice_links: Mapped[list[ExchangePractice]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    preferred: Mapped[list[PreferredHost]] = relationship(
        primaryjoin="Exchange.id == foreign(PreferredHost.exchange_id)", lazy="selectin", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'matching', 'scheduled', 'held', 'reported', 'withdrawn', 'cancelled')",
            name="status",
        ),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "earliest_date IS NULL OR latest_date IS NULL OR latest_date >= earliest_date", name="window_order"
        ),
        # Target of the invitations' and preferred hosts' composite keys (they carry the requester).
        UniqueConstraint("id", "city_id", name="uq_exchanges_id_city"),
        Index("ix_exchanges_status_created", "status", "created_at"),
        Index("ix_exchanges_status_starts", "status", "starts_at"),
    )

    @property
    def practices(self) -> list[Practice]:
        return [link.practice for link in self.practice_links]

    @property
    def preferred_cities(self) -> list[City]:
        return [p.city for p in self.preferred]

    @property
    def duration_minutes(self) -> int | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class ExchangePractice(Model):
    """A practice the requesting city wants to learn about."""

    __tablename__ = "exchange_practices"

    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)

    practice: Mapped[Practice] = relationship(lazy="joined")


class PreferredHost(Model):
    """A city the requesting city would like to talk to (never itself: CHECK)."""

    __tablename__ = "exchange_preferred_hosts"

    exchange_id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), primary_key=True)
    requester_city_id: Mapped[int] = mapped_column(nullable=False)

    city: Mapped[City] = relationship(lazy="joined", foreign_keys=[city_id])

    __table_args__ = (
        ForeignKeyConstraint(
            ["exchange_id", "requester_city_id"], ["exchanges.id", "exchanges.city_id"], ondelete="CASCADE"
        ),
        CheckConstraint("city_id <> requester_city_id", name="not_the_requester"),
    )


class Invitation(Model):
    __tablename__ = "exchange_invitations"

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    STATUSES = (PENDING, ACCEPTED, DECLINED, WITHDRAWN)
    TAKING_PART = (PENDING, ACCEPTED)  # their zone counts for the meeting time

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_id: Mapped[int] = mapped_column(nullable=False, index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), nullable=False, index=True)
    requester_city_id: Mapped[int] = mapped_column(nullable=False)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    exchange: Mapped[Exchange] = relationship(
        back_populates="invitations", primaryjoin="Exchange.id == foreign(Invitation.exchange_id)"
    )
    city: Mapped[City] = relationship(lazy="joined", foreign_keys=[city_id])
    practice: Mapped[Practice | None] = relationship(lazy="joined")

    __table_args__ = (
        ForeignKeyConstraint(
            ["exchange_id", "requester_city_id"], ["exchanges.id", "exchanges.city_id"], ondelete="CASCADE"
        ),
        CheckConstraint("city_id <> requester_city_id", name="not_the_requester"),
        CheckConstraint("status IN ('pending', 'accepted', 'declined', 'withdrawn')", name="status"),
        Index(
            "uq_exchange_invitations_active_city",
            "exchange_id",
            "city_id",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
    )


class Participant(Model):
    """A person of the requesting or of an accepted host city taking part in the session.
    `user_id` is emptied when the person erases their account (the attendance still counts)."""

    __tablename__ = "exchange_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), nullable=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None until the office records attendance
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[user_id])
    city: Mapped[City] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("exchange_id", "user_id", name="uq_exchange_participants_exchange_user"),)


class ExchangeFollowUp(Model):
    """An action for the requesting city agreed in the session: what, who, by when, and the
    milestone it serves (shown on the city's plan page under that milestone)."""

    __tablename__ = "exchange_follow_ups"

    MAX_TEXT = 2000

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    milestone_key: Mapped[str | None] = mapped_column(String(60))

    exchange: Mapped[Exchange] = relationship(back_populates="follow_ups")
