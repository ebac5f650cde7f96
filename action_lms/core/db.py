"""Database plumbing shared by every domain: the UTC column type, SQLite set-up,
write transactions and the helpers that keep invariants in the database.

SQLite: WAL, foreign keys on, and a busy timeout. A deferred transaction that reads and
then writes fails at once when another writer got in between, so requests that may
write (POST/PUT/PATCH/DELETE, CLI commands, scheduler jobs) start their transactions
with BEGIN IMMEDIATE: writers queue up on the database lock instead of failing.
PostgreSQL: ordinary transactions; services take row locks with `for_update()`. A pooled
connection that sat unused for DATABASE_PING_IDLE_SECONDS is pinged before use (a restarted
server then costs no failed request); one in steady use is not (`ping_idle_connections`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import ParamSpec, TypeVar, cast

from sqlalchemy import CursorResult, DateTime, Engine, event
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.types import TypeDecorator

from .i18n import _l
from .time import UTC

P = ParamSpec("P")
R = TypeVar("R")

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every engine.

    PostgreSQL keeps `timestamptz`; SQLite stores naive UTC text and we re-attach UTC
    on the way out. Naive datetimes are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself (also makes SAVEPOINT work).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat unused for `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip on every
    request (about 0.6 ms of a 2 ms API request here, bench/). A connection handed back a
    moment ago was alive a moment ago; one that waited in the pool may have been closed by
    a server restart or a network timeout, and a dead one is replaced before the request
    uses it. 0 pings on every checkout."""

    @event.listens_for(engine.pool, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # just opened, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # any failure: the pool opens a new connection instead
            logging.getLogger(__name__).info("a pooled connection was dead (%s); reconnecting", exc)
            raise DisconnectionError() from exc


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def set_write_intent(value: bool) -> contextvars.Token:
    """Mark the current context as read-only (False) or possibly writing (True)."""
    return _write_intent.set(value)


def reset_write_intent(token: contextvars.Token) -> None:
    with contextlib.suppress(ValueError):  # reset from another context: leave it
        _write_intent.reset(token)


@contextlib.contextmanager
def write_intent():
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def is_unique_violation(exc: IntegrityError) -> bool:
    """True when an IntegrityError comes from a unique index (SQLite or PostgreSQL)."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == "23505"
    return "UNIQUE constraint failed" in str(orig)


DEFAULT_CONFLICT = _l("This conflicts with a change made at the same moment. Please reload and try again.")

_unit_depth: contextvars.ContextVar[int] = contextvars.ContextVar("unit_of_work_depth", default=0)


def _conflict_from(exc: IntegrityError, message: str):
    from .errors import Conflict

    return Conflict(message) if is_unique_violation(exc) else None


@contextlib.contextmanager
def unit_of_work(conflict: str = DEFAULT_CONFLICT) -> Iterator[None]:
    """The one transaction of a write service: commit on success, roll back on any error.

    A unique index refusing the change (at a flush inside, or at the commit) becomes a
    `Conflict(conflict)`: the database holds the invariant, this turns its answer into a
    sentence. Units nest: a service called from another joins the caller's unit, and only the
    outermost one commits, so one request never half-applies.
    """
    from ..extensions import db

    depth = _unit_depth.get()
    token = _unit_depth.set(depth + 1)
    try:
        yield
        if depth == 0:
            db.session.commit()
    except IntegrityError as exc:
        if depth == 0:
            db.session.rollback()
        error = _conflict_from(exc, conflict)
        if error is None:
            raise
        raise error from exc
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _unit_depth.reset(token)


def transactional(conflict: str = DEFAULT_CONFLICT) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of `unit_of_work` for a write service."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with unit_of_work(conflict):
                return fn(*args, **kwargs)

        return wrapper

    return decorate


def flush_or_conflict(message: str) -> None:
    """Flush now, inside a unit of work, so a unique index answers before anything else is
    done (e-mails queued, other rows written): its refusal becomes `Conflict(message)`."""
    from ..extensions import db

    try:
        db.session.flush()
    except IntegrityError as exc:
        error = _conflict_from(exc, message)
        if error is None:
            raise
        raise error from exc


def dialect_insert(session, table):
    """`INSERT` construct of the session's dialect, for ON CONFLICT clauses."""
    from sqlalchemy.dialects import postgresql, sqlite

    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def affected_rows(result) -> int:
    """Rows matched by an UPDATE or DELETE (`Session.execute` is typed as returning a plain
    Result, which has no rowcount; for DML it is a CursorResult that has one)."""
    return int(cast(CursorResult, result).rowcount or 0)
