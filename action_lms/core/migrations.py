"""Flask-Migrate, wired on first use.

Alembic costs about 270 ms to import, which every process and every `flask` command paid
although only `flask db ...` and the test suite's schema set-up need it. The app gets a
`db` command group that initialises Flask-Migrate when one of its commands is looked up.
"""

from __future__ import annotations

import click
from flask import Flask

from ..config import ROOT

MIGRATIONS = ROOT / "migrations"


def init_migrate(app: Flask) -> None:
    """Give `app` Flask-Migrate's extension (and its real `db` command group), once."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from ..extensions import db

    Migrate(app, db, directory=str(MIGRATIONS), compare_type=True, render_as_batch=True)


class _LazyMigrateGroup(click.Group):
    """`flask db`: Flask-Migrate's commands, imported when one is asked for."""

    def _real(self, ctx: click.Context) -> click.Group:
        from flask.cli import ScriptInfo
        from flask_migrate.cli import db as real_group

        init_migrate(ctx.ensure_object(ScriptInfo).load_app())
        return real_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._real(ctx).get_command(ctx, cmd_name)


def init_app(app: Flask) -> None:
    app.cli.add_command(_LazyMigrateGroup(name="db", help="Perform database migrations (Alembic)."))
