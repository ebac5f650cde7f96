"""Model mixins and the models every domain shares (the notification outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .db import UTCDateTime
from .time import utcnow


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class OutboxMessage(Model):
    """One e-mail to send. Written in the same transaction as the change that causes it;
    `dedupe_key` is unique so the same notification is never queued twice."""

    __tablename__ = "outbox_messages"

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    LOGGED = "logged"  # no MAIL_SERVER configured: written to the log instead
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_email: Mapped[str] = mapped_column(String(320), nullable=False)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    # The HTML alternative, made from body_text by outbox.render_html when queued (NULL on
    # rows queued before it existed: built from the text at send time).
    body_html: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(120))
    attachment_type: Mapped[str | None] = mapped_column(String(80))
    attachment: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class FigureSnapshot(Model):
    """One counted scope of a `core.snapshots` snapshot: `name` (e.g. "impact") and its
    params as canonical JSON in `scope` (e.g. {"city_id":12,"year":2026}). `read_at` says
    when a page last asked for it (scopes unread for SNAPSHOT_KEEP_DAYS are dropped)."""

    __tablename__ = "figure_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    scope: Mapped[str] = mapped_column(String(200), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (UniqueConstraint("name", "scope", name="uq_figure_snapshots_name_scope"),)
