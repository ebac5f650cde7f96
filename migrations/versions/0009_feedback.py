"""feedback requests and answers

- feedback_requests: one per (person, format, event), a unique constraint, so the scanning
  job is idempotent and two schedulers create each request once. The person is emptied
  (SET NULL) when they erase their account after answering.
- feedback_answers: one per request (unique request_id); they copy what the impact report
  counts (format, event, city, country, year) so they stay as anonymous figures.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('subject_title', sa.String(length=200), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('course', 'webinar', 'consulting', 'exchange')", name=op.f('ck_feedback_requests_kind')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_feedback_requests_city_id_cities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feedback_requests_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_requests')),
    sa.UniqueConstraint('user_id', 'kind', 'subject_id', name='uq_feedback_requests_user_kind_subject')
    )
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_requests_reminder', ['answered_at', 'reminded_at', 'created_at'], unique=False)
        batch_op.create_index('ix_feedback_requests_user_answered', ['user_id', 'answered_at'], unique=False)
        batch_op.create_index('ix_feedback_requests_year_kind', ['year', 'kind'], unique=False)

    op.create_table('feedback_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('subject_title', sa.String(length=200), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=False),
    sa.Column('will_apply', sa.Integer(), nullable=False),
    sa.Column('recommend', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('course', 'webinar', 'consulting', 'exchange')", name=op.f('ck_feedback_answers_kind')),
    sa.CheckConstraint('usefulness BETWEEN 1 AND 5', name=op.f('ck_feedback_answers_usefulness_range')),
    sa.CheckConstraint('will_apply BETWEEN 1 AND 5', name=op.f('ck_feedback_answers_will_apply_range')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_feedback_answers_city_id_cities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_requests.id'], name=op.f('fk_feedback_answers_request_id_feedback_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answers')),
    sa.UniqueConstraint('request_id', name=op.f('uq_feedback_answers_request_id'))
    )
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_answers_year_kind', ['year', 'kind'], unique=False)



def downgrade():
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_answers_year_kind')

    op.drop_table('feedback_answers')
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_requests_year_kind')
        batch_op.drop_index('ix_feedback_requests_user_answered')
        batch_op.drop_index('ix_feedback_requests_reminder')

    op.drop_table('feedback_requests')
