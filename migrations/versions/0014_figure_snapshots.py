"""figure snapshots: the overview's and the impact report's counted figures

- figure_snapshots: one row per snapshot name and scope (canonical JSON of its params), the
  counted figures as JSON, when they were counted and when a page last read them; unique
  (name, scope). Counted again by the scheduler's `refresh_snapshots` job.
- feedback_answers: the (year, kind) index gains created_at, for the report's newest
  comments per format.

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'figure_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_snapshots')),
        sa.UniqueConstraint('name', 'scope', name='uq_figure_snapshots_name_scope'),
    )
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_answers_year_kind')
        batch_op.create_index('ix_feedback_answers_year_kind_created', ['year', 'kind', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_answers_year_kind_created')
        batch_op.create_index('ix_feedback_answers_year_kind', ['year', 'kind'], unique=False)
    op.drop_table('figure_snapshots')
