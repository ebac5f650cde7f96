"""quizzes: allow_blanks

- course_quizzes.allow_blanks: a quiz's content may say `allow_blanks: true` to accept an
  attempt that leaves questions unanswered (they count as wrong). Existing quizzes, and
  every quiz that does not say so, refuse such an attempt (false).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_quizzes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_blanks', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('course_quizzes', schema=None) as batch_op:
        batch_op.drop_column('allow_blanks')
