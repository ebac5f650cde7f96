"""`flask courses ...` commands for operators."""

import click
from flask.cli import AppGroup

from . import services

courses_cli = AppGroup("courses", help="Course content.")


@courses_cli.command("import")
@click.argument("directory", type=click.Path(file_okay=False, dir_okay=True))
@click.option("--dry-run", is_flag=True, help="Validate and print what would change, without writing.")
def import_command(directory, dry_run):
    """Validate every course under DIRECTORY, then create or update them in one transaction.

    Exits with status 1 (and changes nothing) when any file has a problem.
    """
    result = services.import_directory(directory, dry_run=dry_run)
    if not result.ok:
        for problem in result.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(result.problems)} problem(s) found; nothing was imported.", err=True)
        raise SystemExit(1)
    if not result.changes:
        click.echo(f"{result.courses} course(s) checked: everything is up to date, nothing to change.")
        return
    for change in result.changes:
        click.echo(("would change: " if dry_run else "changed: ") + change)
    if dry_run:
        click.echo(
            f"Dry run: {len(result.changes)} change(s) would be made to {result.courses} course(s); nothing was written."
        )
    else:
        click.echo(f"Imported {result.courses} course(s) with {len(result.changes)} change(s).")
