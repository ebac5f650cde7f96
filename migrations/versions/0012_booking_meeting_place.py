"""consulting: where a session happens

- bookings.meeting_link: a video link (http/https) or a place, one line, at most 500
  characters; empty (NULL) until the expert, the office or the booking city sets it.

- consultant_profiles.timezone: the consultant's zone is now the account's (users.timezone);
  the column stays as a copy the consulting service keeps in step. Existing copies are set to
  the account's zone here (where the two differed, the account's zone wins).

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_link', sa.String(length=500), nullable=True))
    op.execute(
        "UPDATE consultant_profiles SET timezone = "
        "(SELECT users.timezone FROM users WHERE users.id = consultant_profiles.user_id)"
    )


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('meeting_link')
