"""good practices and peer exchanges

- practices (+ commitments, milestones, languages): the library of what member cities did.
  Search: `practices.search_text` holds the normalised title, summary, description and
  city name (written by the services). SQLite indexes it in an FTS5 table kept by
  triggers; PostgreSQL in a generated `tsvector` column with a GIN index.
- exchanges (+ practices asked about, preferred hosts, invitations, participants,
  follow-ups): city-to-city exchanges. Invitations and preferred hosts carry the
  requesting city, tied to the exchange by a composite key, so a CHECK keeps a city from
  being invited to its own exchange; one active invitation per (exchange, city) is a
  partial unique index.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchanges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('commitments', sa.JSON(), nullable=False),
    sa.Column('milestone_key', sa.String(length=60), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('earliest_date', sa.Date(), nullable=True),
    sa.Column('latest_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('join_url', sa.String(length=500), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('report', sa.Text(), nullable=True),
    sa.Column('report_html', sa.Text(), nullable=True),
    sa.Column('story_slug', sa.String(length=120), nullable=True),
    sa.Column('story_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('requested', 'matching', 'scheduled', 'held', 'reported', 'withdrawn', 'cancelled')", name=op.f('ck_exchanges_status')),
    sa.CheckConstraint('earliest_date IS NULL OR latest_date IS NULL OR latest_date >= earliest_date', name=op.f('ck_exchanges_window_order')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at > starts_at', name=op.f('ck_exchanges_ends_after_start')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_exchanges_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_exchanges_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_exchanges_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchanges')),
    sa.UniqueConstraint('id', 'city_id', name='uq_exchanges_id_city'),
    sa.UniqueConstraint('story_slug', name=op.f('uq_exchanges_story_slug'))
    )
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchanges_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchanges_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index('ix_exchanges_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_exchanges_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('practices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('actions', sa.Text(), nullable=True),
    sa.Column('resources', sa.Text(), nullable=True),
    sa.Column('results', sa.Text(), nullable=True),
    sa.Column('transfer', sa.Text(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('started_year', sa.Integer(), nullable=True),
    sa.Column('featured_in', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'published', 'archived')", name=op.f('ck_practices_status')),
    sa.CheckConstraint('started_year IS NULL OR started_year BETWEEN 1950 AND 2100', name=op.f('ck_practices_started_year')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_practices_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contact_id'], ['users.id'], name=op.f('fk_practices_contact_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_practices_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practices'))
    )
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practices_city_id'), ['city_id'], unique=False)
        batch_op.create_index('ix_practices_status_updated', ['status', 'updated_at'], unique=False)

    op.create_table('exchange_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('milestone_key', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_exchange_follow_ups_exchange_id_exchanges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_follow_ups'))
    )
    with op.batch_alter_table('exchange_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_follow_ups_exchange_id'), ['exchange_id'], unique=False)

    op.create_table('exchange_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('requester_city_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'withdrawn')", name=op.f('ck_exchange_invitations_status')),
    sa.CheckConstraint('city_id <> requester_city_id', name=op.f('ck_exchange_invitations_not_the_requester')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_exchange_invitations_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exchange_id', 'requester_city_id'], ['exchanges.id', 'exchanges.city_id'], name=op.f('fk_exchange_invitations_exchange_id_exchanges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_exchange_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_exchange_invitations_practice_id_practices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'], name=op.f('fk_exchange_invitations_responded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_invitations'))
    )
    with op.batch_alter_table('exchange_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_invitations_city_id'), ['city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_invitations_exchange_id'), ['exchange_id'], unique=False)
        batch_op.create_index('uq_exchange_invitations_active_city', ['exchange_id', 'city_id'], unique=True, sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'"))

    op.create_table('exchange_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_exchange_participants_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_exchange_participants_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_exchange_participants_exchange_id_exchanges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exchange_participants_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_participants')),
    sa.UniqueConstraint('exchange_id', 'user_id', name='uq_exchange_participants_exchange_user')
    )
    with op.batch_alter_table('exchange_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_participants_user_id'), ['user_id'], unique=False)

    op.create_table('exchange_practices',
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_exchange_practices_exchange_id_exchanges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_exchange_practices_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exchange_id', 'practice_id', name=op.f('pk_exchange_practices'))
    )
    op.create_table('exchange_preferred_hosts',
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('requester_city_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('city_id <> requester_city_id', name=op.f('ck_exchange_preferred_hosts_not_the_requester')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_exchange_preferred_hosts_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exchange_id', 'requester_city_id'], ['exchanges.id', 'exchanges.city_id'], name=op.f('fk_exchange_preferred_hosts_exchange_id_exchanges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exchange_id', 'city_id', name=op.f('pk_exchange_preferred_hosts'))
    )
    op.create_table('practice_commitments',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('commitment', sa.Integer(), nullable=False),
    sa.CheckConstraint('commitment BETWEEN 1 AND 10', name=op.f('ck_practice_commitments_commitment_range')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_commitments_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'commitment', name=op.f('pk_practice_commitments'))
    )
    with op.batch_alter_table('practice_commitments', schema=None) as batch_op:
        batch_op.create_index('ix_practice_commitments_commitment', ['commitment', 'practice_id'], unique=False)

    op.create_table('practice_languages',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_languages_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'language', name=op.f('pk_practice_languages'))
    )
    with op.batch_alter_table('practice_languages', schema=None) as batch_op:
        batch_op.create_index('ix_practice_languages_language', ['language', 'practice_id'], unique=False)

    op.create_table('practice_milestones',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('milestone_key', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_milestones_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'milestone_key', name=op.f('pk_practice_milestones'))
    )
    with op.batch_alter_table('practice_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_practice_milestones_key', ['milestone_key', 'practice_id'], unique=False)



    _create_search_index()


SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE practices_fts USING fts5(search_text, content='practices', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER practices_fts_insert AFTER INSERT ON practices BEGIN "
    "INSERT INTO practices_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER practices_fts_delete AFTER DELETE ON practices BEGIN "
    "INSERT INTO practices_fts(practices_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER practices_fts_update AFTER UPDATE OF search_text ON practices BEGIN "
    "INSERT INTO practices_fts(practices_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO practices_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
POSTGRES_SEARCH = (
    "ALTER TABLE practices ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX ix_practices_search_vector ON practices USING gin (search_vector)",
)


def _create_search_index():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_SEARCH if dialect == 'sqlite' else POSTGRES_SEARCH if dialect == 'postgresql' else ():
        op.execute(statement)


def _drop_search_index():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in ('practices_fts_insert', 'practices_fts_delete', 'practices_fts_update'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS practices_fts")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_practices_search_vector")
        op.execute("ALTER TABLE practices DROP COLUMN IF EXISTS search_vector")


def downgrade():
    _drop_search_index()
    with op.batch_alter_table('practice_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_milestones_key')

    op.drop_table('practice_milestones')
    with op.batch_alter_table('practice_languages', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_languages_language')

    op.drop_table('practice_languages')
    with op.batch_alter_table('practice_commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_commitments_commitment')

    op.drop_table('practice_commitments')
    op.drop_table('exchange_preferred_hosts')
    op.drop_table('exchange_practices')
    with op.batch_alter_table('exchange_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_participants_user_id'))

    op.drop_table('exchange_participants')
    with op.batch_alter_table('exchange_invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_exchange_invitations_active_city', sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'"))
        batch_op.drop_index(batch_op.f('ix_exchange_invitations_exchange_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_invitations_city_id'))

    op.drop_table('exchange_invitations')
    with op.batch_alter_table('exchange_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_follow_ups_exchange_id'))

    op.drop_table('exchange_follow_ups')
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_index('ix_practices_status_updated')
        batch_op.drop_index(batch_op.f('ix_practices_city_id'))

    op.drop_table('practices')
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_index('ix_exchanges_status_starts')
        batch_op.drop_index('ix_exchanges_status_created')
        batch_op.drop_index(batch_op.f('ix_exchanges_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_exchanges_city_id'))

    op.drop_table('exchanges')
