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
    """`flask db`: Flask-Migrate's own group (with its `--directory` and `-x` options and its
    callback), imported when the command is run. Listing commands (`flask --help`) only
    reads the short help below."""

    def make_context(self, info_name, args, parent=None, **extra):
        from flask.cli import ScriptInfo
        from flask_migrate.cli import db as real_group

        info = parent.ensure_object(ScriptInfo) if parent is not None else ScriptInfo()
        init_migrate(info.load_app())
        return real_group.make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask) -> None:
    app.cli.add_command(_LazyMigrateGroup(name="db", help="Perform database migrations (Alembic)."))
