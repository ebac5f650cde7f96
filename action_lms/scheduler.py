"""Periodic jobs. Each job is a plain function `job(now)` that scans the database and
is safe to run twice or in two processes (outbox dedupe keys, conditional claims), so
tests call the functions directly.

`make run` starts a background scheduler inside the dev server. In production, run
`flask scheduler run` beside the gunicorn workers (which never start it), on one machine or
several for availability: on PostgreSQL only the process holding the scheduler's advisory
lock runs jobs; the others wait, trying every SCHEDULER_LEADER_POLL_SECONDS, and the first
to get the lock after the leader dies (its connection closes, the lock goes with it) takes
over. On SQLite (one machine) there is no lock: run one process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

import click
from flask.cli import AppGroup

from .core import outbox, snapshots
from .core.hooks import Job, app_object, contributions
from .core.time import utcnow
from .extensions import db

#: The advisory lock every `flask scheduler run` process competes for ("ACTN").
LEADER_LOCK_KEY = 0x4143544E

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """The outbox delivery job; domains add their scanning jobs (reminders, digests) with a
    fixed id through `contributions(app).add_job`."""
    contributions(app).add_job("deliver_outbox", outbox.deliver_pending, 30)
    contributions(app).add_job("refresh_snapshots", snapshots.refresh_job, app.config["SNAPSHOT_REFRESH_SECONDS"])


def jobs(app=None) -> list[Job]:
    """The app's jobs, in registration order."""
    return list(contributions(app).jobs.values())


def run_job(app, job: Job):
    """Run one job in an app context with the current time; never let it kill the scheduler."""
    with app.app_context():
        try:
            return job.func(now=utcnow())
        except Exception:
            log.exception("Scheduled job %s failed", job.id)
            db.session.rollback()
        finally:
            db.session.remove()


def build_scheduler(app, blocking: bool = False):
    # Imported when a scheduler starts, not with every `flask` command.
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler_cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_cls(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in jobs(app):
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job.seconds,
            args=[app, job],
            id=job.id,
            name=job.id,
            replace_existing=True,
            next_run_time=utcnow(),
        )
    return scheduler


_started_lock = threading.Lock()
_started = None


def start_in_process(app):
    """For `make run`: one background scheduler in the dev server process."""
    global _started
    with _started_lock:
        if _started is None:
            _started = build_scheduler(app)
            _started.start()
            log.info("Scheduler started in-process with jobs: %s", ", ".join(j.id for j in jobs(app)))
    return _started


scheduler_cli = AppGroup("scheduler", help="Periodic jobs (reminders, e-mail delivery).")


class Leadership:
    """Which `flask scheduler run` process runs the jobs: on PostgreSQL, the one holding the
    session-level advisory lock LEADER_LOCK_KEY on a connection of its own, kept open for
    as long as the process lives; elsewhere, always this one."""

    def __init__(self, engine, key: int = LEADER_LOCK_KEY):
        self.engine = engine
        self.key = key
        self.connection: Any = None  # a SQLAlchemy Connection once the lock is asked for
        self.shared = engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if not self.shared:
            return True
        from sqlalchemy import text

        if self.connection is None:
            self.connection = self.engine.connect()
        got = self.connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        self.connection.commit()  # ends the transaction; a session-level lock stays held
        return bool(got)

    def still_held(self) -> bool:
        """False when the lock's connection is gone (the database restarted, the network
        failed): the lock may then be someone else's, so this process must stop."""
        if not self.shared:
            return True
        from sqlalchemy import text

        try:
            held = self.connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key AND pid = pg_backend_pid()"
                ),
                {"key": self.key},
            ).scalar()
            self.connection.commit()
            return bool(held)
        except Exception:  # any failure of the connection means the lock is lost
            log.exception("scheduler: the leader's lock connection failed")
            return False


def _watch(scheduler, leadership: Leadership) -> None:
    if not leadership.still_held():
        log.error("scheduler: the advisory lock is lost; stopping so that a single scheduler runs jobs")
        scheduler.shutdown(wait=False)


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler in the foreground. Several may run (on several machines): on
    PostgreSQL the one holding the advisory lock runs the jobs, the others stand by."""
    app = app_object()
    poll = float(app.config.get("SCHEDULER_LEADER_POLL_SECONDS", 5))
    leadership = Leadership(db.engine)
    if leadership.shared:
        click.echo(f"Scheduler {os.getpid()}: waiting for the scheduler lock (another scheduler may hold it)")
        while not leadership.try_acquire():
            time.sleep(poll)
        click.echo(f"Scheduler {os.getpid()}: holding the scheduler lock, running the jobs")
    else:
        click.echo("Scheduler: SQLite has no shared lock; run a single scheduler process")
    click.echo("Scheduler running jobs: " + ", ".join(f"{j.id} every {j.seconds}s" for j in jobs(app)))
    scheduler = build_scheduler(app, blocking=True)
    if leadership.shared:
        scheduler.add_job(_watch, "interval", seconds=poll, args=[scheduler, leadership], id="leadership")
    scheduler.start()
    if leadership.shared and not leadership.still_held():
        raise SystemExit(3)


@scheduler_cli.command("tick")
@click.argument("job_ids", nargs=-1)
def tick_command(job_ids):
    """Run the jobs once now (all, or the ones named) and exit."""
    app = app_object()
    for job in jobs(app):
        if not job_ids or job.id in job_ids:
            click.echo(f"{job.id}: {run_job(app, job)}")
