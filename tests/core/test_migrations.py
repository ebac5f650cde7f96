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
    assert diff == [], f"models differ from migrations: {diff}"
