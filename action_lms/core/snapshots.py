"""Figures counted over whole tables, kept as snapshots that the scheduler counts again.

The cross-city overview and the impact report add up every learner, enrollment,
registration and feedback answer of the deployment. Counting them on each page view made
those pages cost more as the deployment grew. Instead a domain registers a *snapshot*: a
name and a function `compute(**params) -> JSON-safe dict`. A page reads its figures with
`read(name, params)`, which is one indexed row whatever the size of the data:

- the first read of a scope (a year, a city, a country) counts it there and then, and keeps it;
- the job `refresh_snapshots` counts every kept scope again every `SNAPSHOT_REFRESH_SECONDS`
  (and the scopes each snapshot names as its defaults, so the usual pages never count live);
- a scope nobody has read for `SNAPSHOT_KEEP_DAYS` is dropped;
- pages say when their figures were counted (`Snapshot.computed_at`).

The snapshot is the only copy of nothing: the tables it counts stay the truth, and
`tests/core/test_snapshots.py` recounts them after random operations.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from .db import affected_rows, unit_of_work, write_intent
from .errors import Conflict
from .hooks import SnapshotSource, contributions
from .models import FigureSnapshot
from .time import utcnow

log = logging.getLogger(__name__)

#: A read marks its row as read at most this often (a page view is not a write).
READ_MARK_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Snapshot:
    data: dict
    computed_at: datetime


def scope_key(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def _definition(name: str) -> SnapshotSource:
    return contributions().snapshots[name]


def read(name: str, params: dict, now: datetime | None = None) -> Snapshot:
    """The kept figures of this scope; counted now (and kept) when nobody asked for it before."""
    now = now or utcnow()
    key = scope_key(params)
    row = db.session.execute(
        select(FigureSnapshot.id, FigureSnapshot.data, FigureSnapshot.computed_at, FigureSnapshot.read_at).where(
            FigureSnapshot.name == name, FigureSnapshot.scope == key
        )
    ).first()
    if row is None:
        return _count_and_keep(name, params, key, now)
    if now - row.read_at > READ_MARK_EVERY:
        _mark_read(row.id, now)
    return Snapshot(row.data, row.computed_at)


@contextlib.contextmanager
def _aside() -> Iterator[Connection]:
    """A transaction of its own, beside the request's: keeping a snapshot from a page view
    neither commits nor expires what the page has loaded."""
    with write_intent(), db.engine.begin() as connection:
        yield connection


def _count_and_keep(name: str, params: dict, key: str, now: datetime) -> Snapshot:
    data = _definition(name).compute(**params)
    try:
        with _aside() as connection:
            connection.execute(
                insert(FigureSnapshot).values(name=name, scope=key, data=data, computed_at=now, read_at=now)
            )
    except (IntegrityError, SQLAlchemyError):
        # Another request kept the same scope a moment ago (or the database is busy): the
        # figures just counted are as good as the kept ones.
        log.info("snapshot %s %s was not kept", name, key)
    return Snapshot(data, now)


def _mark_read(row_id: int, now: datetime) -> None:
    try:
        with _aside() as connection:
            connection.execute(update(FigureSnapshot).where(FigureSnapshot.id == row_id).values(read_at=now))
    except SQLAlchemyError:  # a busy database must not fail a page view
        log.info("snapshot %s: read not recorded", row_id)


def recount(name: str, params: dict, now: datetime | None = None) -> Snapshot:
    """Count one scope again now (the office's "Count again" button) and keep it."""
    now = now or utcnow()
    return _store(name, params, now, mark_read=True)


def _store(name: str, params: dict, now: datetime, mark_read: bool) -> Snapshot:
    data = _definition(name).compute(**params)
    key = scope_key(params)
    values: dict[str, Any] = {"data": data, "computed_at": now}
    if mark_read:
        values["read_at"] = now
    try:
        with unit_of_work():
            updated = db.session.execute(
                update(FigureSnapshot).where(FigureSnapshot.name == name, FigureSnapshot.scope == key).values(**values)
            )
            if not affected_rows(updated):
                db.session.add(FigureSnapshot(name=name, scope=key, data=data, computed_at=now, read_at=now))
    except Conflict:
        log.info("snapshot %s %s was kept by another process at the same time", name, key)
    return Snapshot(data, now)


def refresh(now: datetime | None = None) -> int:
    """Count every kept scope (and each snapshot's defaults) again; drop scopes unread for
    SNAPSHOT_KEEP_DAYS. One scope that fails is logged and left as it was. Returns how many
    scopes were counted."""
    now = now or utcnow()
    keep = timedelta(days=current_app.config["SNAPSHOT_KEEP_DAYS"])
    counted = 0
    for source in contributions().snapshots.values():
        with unit_of_work():
            db.session.execute(
                delete(FigureSnapshot).where(FigureSnapshot.name == source.name, FigureSnapshot.read_at < now - keep)
            )
        kept = db.session.scalars(select(FigureSnapshot.scope).where(FigureSnapshot.name == source.name)).all()
        scopes = {scope_key(p): p for p in source.defaults(now)}
        scopes.update({scope: json.loads(scope) for scope in kept if scope not in scopes})
        for key, params in scopes.items():
            try:
                _store(source.name, params, now, mark_read=False)
                counted += 1
            except Exception:  # one scope must not stop the others
                db.session.rollback()
                log.exception("snapshot %s %s could not be counted", source.name, key)
    return counted


def refresh_job(now: datetime) -> None:
    """The scheduler's job (`refresh_snapshots`)."""
    refresh(now)


def int_keys(mapping: dict[str, Any]) -> dict[int, Any]:
    """JSON keeps object keys as strings: the city ids of a kept figure, as ints again."""
    return {int(k): v for k, v in mapping.items()}
