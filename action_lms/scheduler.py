"""Periodic jobs. Each job is a plain function `job(now)` that scans the database and
is safe to run twice or in two processes (outbox dedupe keys, conditional claims), so
tests call the functions directly.

`make run` starts a background scheduler inside the dev server. In production, run one
`flask scheduler run` process beside the gunicorn workers, which never start it.
"""

from __future__ import annotations

import logging
import threading

import click
from flask.cli import AppGroup

from .core import outbox
from .core.hooks import Job, app_object, contributions
from .core.time import utcnow
from .extensions import db

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """The outbox delivery job; domains add their scanning jobs (reminders, digests) with a
    fixed id through `contributions(app).add_job`."""
    contributions(app).add_job("deliver_outbox", outbox.deliver_pending, 30)


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


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler in the foreground (one such process per deployment)."""
    app = app_object()
    click.echo("Scheduler running jobs: " + ", ".join(f"{j.id} every {j.seconds}s" for j in jobs(app)))
    build_scheduler(app, blocking=True).start()


@scheduler_cli.command("tick")
@click.argument("job_ids", nargs=-1)
def tick_command(job_ids):
    """Run the jobs once now (all, or the ones named) and exit."""
    app = app_object()
    for job in jobs(app):
        if not job_ids or job.id in job_ids:
            click.echo(f"{job.id}: {run_job(app, job)}")
