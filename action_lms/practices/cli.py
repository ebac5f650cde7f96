"""`flask practices ...` commands for operators."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.errors import DomainError
from ..core.time import isoformat_z
from ..core.validators import fold_single_line
from . import services
from .models import Practice

practices_cli = AppGroup("practices", help="Good practices: the library of what member cities did.")


@practices_cli.command("list")
@click.option("--status", type=click.Choice(Practice.STATUSES), default=None, help="Only practices in this status.")
@click.option("--city", default=None, help="Only this city's practices (its name, any case).")
def list_command(status, city):
    """Every city's practices, the latest change first: one line each, tab-separated
    (id, city, status, last change in UTC, title)."""
    try:
        practices = services.practices_for_operator(status=status, city=city)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if not practices:
        click.echo("No practices.")
    for p in practices:
        click.echo(
            "\t".join(
                [
                    str(p.id),
                    fold_single_line(p.city.name),
                    p.status,
                    isoformat_z(p.updated_at) or "",
                    fold_single_line(p.title),
                ]
            )
        )


@practices_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
def import_command(file):
    """Check every practice of FILE (YAML: a list of practices, each naming its city), then
    create or update them by (city, title) in one transaction.

    Exits with status 1, and changes nothing, when any entry has a problem.
    """
    result = services.import_file(file)
    if not result.ok:
        for problem in result.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(result.problems)} problem(s) found; nothing was imported.", err=True)
        raise SystemExit(1)
    for label in result.created:
        click.echo(f"created: {label}")
    for label in result.updated:
        click.echo(f"updated: {label}")
    total = len(result.created) + len(result.updated) + len(result.unchanged)
    click.echo(
        f"{total} practice(s) checked: {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged."
    )
