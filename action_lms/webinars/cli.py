"""`flask webinars ...` commands for operators."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from ..core.policy import OPERATOR
from ..core.time import UTC, isoformat_z, utcnow
from . import services

webinars_cli = AppGroup("webinars", help="Webinars: upcoming list, registrations and reminders.")


@webinars_cli.command("list")
@click.option("--past", is_flag=True, help="Past webinars instead of upcoming ones.")
def list_command(past):
    """Webinars with seats taken and the waitlist."""
    rows = services.list_webinars(OPERATOR, when="past" if past else "upcoming")
    if not rows:
        click.echo("No webinars.")
    for webinar, confirmed, waitlisted in rows:
        click.echo(
            f"{webinar.id:>5}  {isoformat_z(webinar.starts_at)}  {webinar.status:<10} "
            f"{confirmed or 0:>4}/{webinar.capacity:<4} waitlist {waitlisted or 0:<4} {webinar.title}"
        )


@webinars_cli.command("remind")
@click.option("--now", "now_text", default=None, help="Pretend it is this time (ISO 8601 with offset).")
def remind_command(now_text):
    """Queue the reminders due now (the same job the scheduler runs every minute)."""
    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from exc
        if now.tzinfo is None:
            raise click.BadParameter("give the time with an offset, e.g. 2027-03-01T10:00:00+01:00", param_hint="--now")
        now = now.astimezone(UTC)
    click.echo(services.send_webinar_reminders(now=now))
