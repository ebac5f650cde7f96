"""Cities, users and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import UTCDateTime
from ..core.models import TimestampMixin
from ..core.policy import ROLES
from ..extensions import Model

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # scrypt hashes anything; a bound keeps one request from costing seconds


class City(TimestampMixin, Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)  # ISO 3166-1 alpha-2
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)

    users: Mapped[list[User]] = relationship(back_populates="city", foreign_keys="User.city_id")

    def __repr__(self) -> str:
        return f"<City {self.name}>"


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased; the unique index on lower(email) holds the rule in the database too.
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="learner")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Europe/Brussels")
    # The interface language (core.i18n.LANGUAGES); None: the browser's, else English.
    language: Mapped[str | None] = mapped_column(String(5))
    # Membership: the city this user acts for and may see. A request to join (at registration
    # or from the account page) is kept apart in `requested_city_id` until a coordinator of
    # that city or an admin approves it, so every rule that reads `city_id` is safe by default.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    requested_city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"), index=True)
    city_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Secret for the personal calendar feed URL (hashed); reset by the user.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    city: Mapped[City | None] = relationship(back_populates="users", lazy="joined", foreign_keys=[city_id])
    requested_city: Mapped[City | None] = relationship(foreign_keys=[requested_city_id])
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")
    email_preferences: Mapped[list[EmailPreference]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="EmailPreference.kind_group"
    )

    __table_args__ = (
        Index("uq_users_email_lower", func.lower(email), unique=True),
        CheckConstraint("role IN ('learner', 'coordinator', 'consultant', 'admin')", name="role"),
        CheckConstraint("role <> 'coordinator' OR city_id IS NOT NULL", name="coordinator_city"),
        CheckConstraint("language IS NULL OR language IN ('en', 'de', 'es', 'it', 'fr')", name="language"),
        # A member of a city has no pending request; a request is for someone without a city.
        CheckConstraint("city_id IS NULL OR requested_city_id IS NULL", name="member_or_pending"),
        Index("ix_users_city_erased", "city_id", "erased_at"),  # per-city counts of the overview
    )

    @property
    def is_active(self) -> bool:  # flask-login: inactive users cannot sign in
        return bool(self.active) and self.erased_at is None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def city_or_requested(self) -> City | None:
        """The member city, or the city asked for while the request is pending."""
        return self.city if self.city_id is not None else self.requested_city

    @property
    def city_status(self) -> str:
        """`member` of `city`, `pending` approval for `requested_city`, or `none`."""
        if self.city_id is not None:
            return "member"
        if self.requested_city_id is not None:
            return "pending"
        return "none"

    def wants_email(self, group: str) -> bool:
        """Whether this person gets the optional e-mails of `group` (core.outbox asks before
        queueing one): yes unless they switched the group off."""
        return all(p.enabled for p in self.email_preferences if p.kind_group == group)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


assert set(ROLES) == {"learner", "coordinator", "consultant", "admin"}


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # SHA-256 of the token: tokens are 256-bit random, so a fast hash is enough and lets
    # us look a token up by its hash. The plain token is shown once at creation.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class UserSession(Model):
    """A signed-in browser. The session cookie carries a random secret whose SHA-256 is
    stored here; a cookie whose row is gone (signed out, password changed, revoked) no
    longer signs anyone in, however well it is signed."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class EmailPreference(Model):
    """A person's choice for one group of optional e-mails (core.outbox.OPTIONAL_GROUPS).
    No row: the default, they get them."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind_group: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (CheckConstraint("kind_group IN ('reminders', 'digests', 'waitlist')", name="kind_group"),)
