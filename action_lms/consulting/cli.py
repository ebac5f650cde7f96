"""`flask consulting ...` commands for operators."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.errors import DomainError
from ..core.time import isoformat_z
from ..core.validators import fold_single_line
from . import services
from .models import Booking

consulting_cli = AppGroup("consulting", help="Consulting: bookings between cities and experts.")


@consulting_cli.command("bookings")
@click.option("--city", default=None, help="Only this city's bookings (its name, any case).")
@click.option("--status", type=click.Choice(Booking.STATUSES), default=None, help="Only bookings in this status.")
@click.option("--upcoming", is_flag=True, help="Only sessions that are not over yet.")
def bookings_command(city, status, upcoming):
    """Bookings of every city, soonest first: one line each, tab-separated
    (id, start in UTC, city, consultant, topic, status)."""
    try:
        bookings = services.bookings_for_operator(city=city, status=status, upcoming=upcoming)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if not bookings:
        click.echo("No bookings.")
    for b in bookings:
        click.echo(
            "\t".join(
                [
                    str(b.id),
                    isoformat_z(b.slot.starts_at) or "",
                    fold_single_line(b.city.name),
                    fold_single_line(b.slot.consultant.name),
                    fold_single_line(b.topic),
                    b.status,
                ]
            )
        )
