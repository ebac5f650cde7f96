"""Test fixtures. The schema always comes from running the Alembic migrations.

TEST_DATABASE=sqlite (default) or postgres. On PostgreSQL the suite starts its own
cluster (tests/pg_cluster.py); without PostgreSQL binaries every test is skipped with
the reason, unless REQUIRE_POSTGRES=1, when the run fails. Browser tests need
/usr/bin/chromium; they skip without it unless REQUIRE_BROWSER=1.
"""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text

os.environ.setdefault("APP_ENV", "testing")

from action_lms import create_app  # noqa: E402
from action_lms.core.db import reset_write_intent, set_write_intent  # noqa: E402
from action_lms.extensions import db  # noqa: E402

from .pg_cluster import Cluster, PostgresUnavailable  # noqa: E402

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def pytest_sessionstart(session):
    """The compiled catalogues, when a .po is newer than its .mo (make does this too; here for
    a plain `pytest` run)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("action_lms/translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from action_lms.core.migrations import init_migrate
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    init_migrate(app)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _has_id(engine, table: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :t "
            "AND column_name = 'id' AND column_default LIKE 'nextval%'"), {"t": table}).first() is not None


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """Migrate once per session; returns a callable giving each test a clean database URL.

    `database.keep(url)` keeps what a database holds (after its app's connections are closed)
    and `database.restore(kept, tmp_path)` gives a test a database with exactly that: for
    fixtures costly to build, built once per session (the access matrix's scenario)."""
    if BACKEND == "postgres":
        try:
            cluster = Cluster()
            cluster.start()
        except PostgresUnavailable as exc:
            if REQUIRE_POSTGRES:
                pytest.fail(f"REQUIRE_POSTGRES=1 but {exc}", pytrace=False)
            pytest.skip(f"PostgreSQL run skipped: {exc}")
        url = cluster.create_database("action_lms_test")
        _migrate(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        truncate = "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"

        def fresh(tmp_path):
            with engine.begin() as conn:
                conn.execute(text(truncate))
            return url

        kept = iter(range(1, 1000))

        def keep(built_url):
            """Copy what the database holds now into a schema of its own."""
            schema = f"kept_{next(kept)}"
            with engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
                for t in tables:
                    conn.execute(text(f'CREATE TABLE {schema}."{t}" AS TABLE public."{t}"'))
            return schema

        serial = [t for t in tables if _has_id(engine, t)]
        with engine.connect() as conn:
            stored = {t: ", ".join(f'"{c}"' for c, in conn.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = :t AND is_generated = 'NEVER' ORDER BY ordinal_position"), {"t": t}))
                for t in tables}  # generated columns (search vectors) are computed again

        def restore(schema, tmp_path):
            """The database as `keep` found it: rows, and the next ids."""
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL session_replication_role = replica"))  # rows go in in any order
                conn.execute(text(truncate))
                for t in tables:
                    conn.execute(text(f'INSERT INTO public."{t}" ({stored[t]}) SELECT {stored[t]} FROM {schema}."{t}"'))
                for t in serial:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), "
                                      f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM public."{t}"'))
            return url

        fresh.keep, fresh.restore = keep, restore
        yield fresh
        engine.dispose()
        cluster.stop()
    else:
        template = tmp_path_factory.mktemp("schema") / "template.db"
        _migrate(f"sqlite:///{template}")

        def fresh(tmp_path):
            target = tmp_path / "test.db"
            shutil.copyfile(template, target)
            return f"sqlite:///{target}"

        def keep(built_url):
            """A copy of the database file as it is now (its connections closed)."""
            copy = tmp_path_factory.mktemp("kept") / "kept.db"
            shutil.copyfile(built_url.removeprefix("sqlite:///"), copy)
            return copy

        def restore(copy, tmp_path):
            target = tmp_path / "test.db"
            shutil.copyfile(copy, target)
            return f"sqlite:///{target}"

        fresh.keep, fresh.restore = keep, restore
        yield fresh


from flask.testing import FlaskClient  # noqa: E402


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, hence its own database session, as in
    production; the test's own session does not leak into the request or back."""

    def open(self, *args, **kwargs):
        from flask import has_app_context
        if has_app_context():
            # End the test's own transaction so it neither holds SQLite's lock during the
            # request nor reads an old snapshot afterwards.
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


def build_app(url: str, **overrides):
    """The app as the tests run it, on the database at `url`."""
    cfg = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
           "SERVER_NAME": None, "MAIL_SERVER": "", "BASE_URL": "http://lms.test"}
    cfg.update(overrides)
    app = create_app(cfg)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def make_app(database, tmp_path):
    """Build an app on a clean database; extra config per test."""
    created = []
    url = database(tmp_path)

    def factory(**overrides):
        app = build_app(url, **overrides)
        created.append(app)
        return app

    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    token = set_write_intent(False)  # the test's own reads must not take SQLite's write lock
    with app.app_context():
        yield app
        db.session.remove()
    reset_write_intent(token)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as q: ...; q.count` counts SQL statements sent to the database."""
    @contextmanager
    def counter():
        engine = db.engine
        listener = QueryCounter()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield listener
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return counter


def run_concurrently(fn, n: int) -> list:
    """Run fn(i) in n threads released at the same moment; returns the results in order."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results
