"""covering indexes for the open-slot list and the cross-city overview (found by bench/)

- slots (status, starts_at, ends_at) replaces (status, starts_at): the open-slot list
  counts and pages future slots from the index alone. It bounds starts_at by the longest
  slot (480 minutes), so the database now refuses a longer slot: a CHECK on PostgreSQL,
  triggers on SQLite (a CHECK would mean rebuilding the table there);
- users (city_id, erased_at), course_enrollments (user_id, active), course_certificates
  (user_id, revoked_at), webinar_registrations (user_id, attended): the overview's
  per-city figures are answered from indexes instead of reading every row.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

MAX_SLOT_MINUTES = 480  # consulting.services.MAX_SLOT_MINUTES when this was written
SQLITE_TOO_LONG = (f"(julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 1440 > {MAX_SLOT_MINUTES} + 0.001")


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('ix_slots_status_starts')
        batch_op.create_index('ix_slots_status_starts_ends', ['status', 'starts_at', 'ends_at'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        for event in ('INSERT', 'UPDATE OF starts_at, ends_at'):
            name = 'slots_max_length_' + event.split()[0].lower()
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON slots WHEN {SQLITE_TOO_LONG} "
                       f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: slots_max_length'); END")
    else:
        op.create_check_constraint(op.f('ck_slots_max_length'), 'slots',
                                   f"ends_at - starts_at <= interval '{MAX_SLOT_MINUTES} minutes'")
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
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER slots_max_length_insert")
        op.execute("DROP TRIGGER slots_max_length_update")
    else:
        op.drop_constraint(op.f('ck_slots_max_length'), 'slots', type_='check')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('ix_slots_status_starts_ends')
        batch_op.create_index('ix_slots_status_starts', ['status', 'starts_at'], unique=False)
