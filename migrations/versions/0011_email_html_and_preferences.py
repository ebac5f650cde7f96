"""e-mail: HTML part and per-person preferences

- outbox_messages.body_html: the HTML alternative made from the text body when a message is
  queued; NULL on older rows (the sender builds it from their text).
- email_preferences: one row per person and optional group (reminders, digests, waitlist)
  they changed; no row means the default (they get it). Removed with the account.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
    op.create_table(
        'email_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind_group', sa.String(length=20), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind_group IN ('reminders', 'digests', 'waitlist')", name=op.f('ck_email_preferences_kind_group')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_email_preferences_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', 'kind_group', name=op.f('pk_email_preferences')),
    )


def downgrade():
    op.drop_table('email_preferences')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('body_html')
