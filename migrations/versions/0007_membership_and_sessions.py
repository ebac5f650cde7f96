"""city membership requests and server-side sessions

- users.requested_city_id / city_requested_at: choosing a city at registration is a
  request to join it, approved by that city's coordinators or an admin; until then the
  user is no member (`city_id` stays empty). Existing users with a city stay members:
  their rows are unchanged. A CHECK keeps member and pending apart.
- user_sessions: one row per signed-in browser (SHA-256 of the cookie's secret), so
  signing out, a password change or reset, deactivation and "sign out everywhere else"
  end sessions on the server.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_city_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('city_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_requested_city_id_cities'), 'cities',
                                    ['requested_city_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_users_requested_city_id'), ['requested_city_id'], unique=False)
        batch_op.create_check_constraint(batch_op.f('ck_users_member_or_pending'),
                                         'city_id IS NULL OR requested_city_id IS NULL')
    _restore_email_index()

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_user_sessions_secret_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def _restore_email_index():
    """On SQLite, batch mode rebuilds the table and cannot carry the expression index on
    lower(email) across (it is not reflected): create it again."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_users_email_lower ON users (lower(email))")


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_member_or_pending'), type_='check')
        batch_op.drop_index(batch_op.f('ix_users_requested_city_id'))
        batch_op.drop_constraint(batch_op.f('fk_users_requested_city_id_cities'), type_='foreignkey')
        batch_op.drop_column('city_requested_at')
        batch_op.drop_column('requested_city_id')
    _restore_email_index()
