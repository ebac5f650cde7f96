"""`flask plans ...` commands for operators."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.errors import DomainError
from ..core.validators import fold_single_line
from . import services

plans_cli = AppGroup("plans", help="Action plans: each city's plan, its progress and overdue milestones.")


@plans_cli.command("list")
@click.option("--city", default=None, metavar="NAME", help="Only this city (its name, any case).")
@click.option("--all", "include_earlier", is_flag=True, help="Earlier plans too, after each city's current one.")
def list_command(city, include_earlier):
    """The current plan of every city, by city name: one line each, tab-separated (city,
    plan title, progress, phase, overdue milestones, current or earlier). A city without a
    current plan has the phase "No plan"."""
    try:
        summaries = services.plan_summaries(city=city, include_earlier=include_earlier)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if not summaries:
        click.echo("No cities.")
    for s in summaries:
        if s.plan_id is None:
            click.echo("\t".join([fold_single_line(s.city), "", "", s.phase, "", ""]))
            continue
        click.echo(
            "\t".join(
                [
                    fold_single_line(s.city),
                    fold_single_line(s.title),
                    f"{s.progress_percent}%",
                    s.phase,
                    str(s.overdue),
                    "current" if s.is_current else "earlier",
                ]
            )
        )
