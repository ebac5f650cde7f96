"""`flask exchanges ...`: what operators need at the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.errors import DomainError
from ..core.time import format_local
from . import services
from .models import Exchange

exchanges_cli = AppGroup("exchanges", help="Peer exchanges between cities.")


@exchanges_cli.command("list")
@click.option("--status", type=click.Choice(Exchange.STATUSES), help="Only exchanges in this state.")
def list_command(status):
    """Every exchange, oldest request first: id, status, city, hosts, time (UTC) and topic."""
    try:
        rows = services.exchanges_for_operator(status=status)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if not rows:
        click.echo("No exchanges." if status is None else f"No exchanges are {status}.")
        return
    for e in rows:
        hosts = ", ".join(services.city_names(e)[1:]) or "-"
        when = format_local(e.starts_at, "UTC", "%Y-%m-%d %H:%M") if e.starts_at else "-"
        click.echo(f"{e.id:>5}  {e.status:<10} {e.city.name:<16} hosts: {hosts:<28} {when:<20} {e.topic}")
