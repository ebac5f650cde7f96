"""The schema comes from the migrations: a model without its migration fails here."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from action_lms.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    # Expression indexes (lower(email)) are invisible to autogenerate; ignore their removal.
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name == "uq_users_email_lower")]
    # The practices' search index is the engine's own (migration 0008): an FTS5 table on
    # SQLite, a generated tsvector column with a GIN index on PostgreSQL.
    diff = [d for d in diff if not _search_index(d)]
    assert diff == [], f"models differ from migrations: {diff}"


def test_flask_db_upgrade_runs_through_the_lazily_loaded_commands(make_app, tmp_path):
    """`flask db` is wired on first use (alembic is not imported at start-up); its group
    options and callback must still run, as `make run` does `flask db upgrade`."""
    from pathlib import Path

    from sqlalchemy import create_engine, inspect, text

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    HEAD = max(p.name.split("_", 1)[0] for p in versions.glob("0*.py"))  # noqa: N806

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    assert "user_sessions" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


def _search_index(change) -> bool:
    kind, obj = change[0], change[1] if len(change) > 1 else None
    if kind == "remove_table":
        return obj.name.startswith("practices_fts")
    if kind == "remove_index":
        return obj.name == "ix_practices_search_vector"
    if kind == "remove_column":
        return change[2] == "practices" and change[3].name == "search_vector"
    return False
