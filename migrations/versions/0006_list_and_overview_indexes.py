"""covering indexes for the open-slot list and the cross-city overview (found by bench/)

- slots (status, starts_at, ends_at) replaces (status, starts_at): the open-slot list
  counts and pages future slots from the index alone;
- users (city_id, erased_at), course_enrollments (user_id, active), course_certificates
  (user_id, revoked_at), webinar_registrations (user_id, attended): the overview's
  per-city figures are answered from indexes instead of reading every row.

Revision ID: 0006
Revises: 0005
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('ix_slots_status_starts')
        batch_op.create_index('ix_slots_status_starts_ends', ['status', 'starts_at', 'ends_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_city_erased', ['city_id', 'erased_at'], unique=False)
    with op.batch_alter_table('course_enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_course_enrollments_user_active', ['user_id', 'active'], unique=False)
    with op.batch_alter_table('course_certificates', schema=None) as batch_op:
        batch_op.create_index('ix_course_certificates_user_revoked', ['user_id', 'revoked_at'], unique=False)
    with op.batch_alter_table('webinar_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_webinar_registrations_user_attended', ['user_id', 'attended'], unique=False)


def downgrade():
    with op.batch_alter_table('webinar_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_webinar_registrations_user_attended')
    with op.batch_alter_table('course_certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_course_certificates_user_revoked')
    with op.batch_alter_table('course_enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_course_enrollments_user_active')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_city_erased')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('ix_slots_status_starts_ends')
        batch_op.create_index('ix_slots_status_starts', ['status', 'starts_at'], unique=False)
