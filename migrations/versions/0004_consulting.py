"""consulting: consultant profiles and expertise, availability rules, slots, bookings
(one active booking per slot: partial unique index), follow-up actions

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('availability_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=False),
    sa.Column('end_time', sa.String(length=5), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultant_id'], ['users.id'], name=op.f('fk_availability_rules_consultant_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_availability_rules_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_rules'))
    )
    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_rules_consultant_id'), ['consultant_id'], unique=False)

    op.create_table('consultant_expertise',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('commitment', sa.Integer(), nullable=False),
    sa.CheckConstraint('commitment BETWEEN 1 AND 10', name=op.f('ck_consultant_expertise_commitment_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consultant_expertise_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'commitment', name=op.f('pk_consultant_expertise'))
    )
    op.create_table('consultant_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consultant_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_consultant_profiles'))
    )
    op.create_table('slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('availability_rule_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'booked', 'removed')", name=op.f('ck_slots_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_slots_ends_after_start')),
    sa.ForeignKeyConstraint(['availability_rule_id'], ['availability_rules.id'], name=op.f('fk_slots_availability_rule_id_availability_rules'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultant_id'], ['users.id'], name=op.f('fk_slots_consultant_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slots'))
    )
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.create_index('ix_slots_consultant_starts', ['consultant_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_slots_status_starts', ['status', 'starts_at'], unique=False)
        batch_op.create_index('uq_slots_consultant_start_live', ['consultant_id', 'starts_at'], unique=True, sqlite_where=sa.text("status <> 'removed'"), postgresql_where=sa.text("status <> 'removed'"))

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('milestone_key', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('notes_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('booked', 'held', 'no_show', 'cancelled')", name=op.f('ck_bookings_status')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_bookings_booked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_bookings_cancelled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_bookings_city_id_cities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_bookings_slot_id_slots'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_booked_by_id'), ['booked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_city_id'), ['city_id'], unique=False)
        batch_op.create_index('ix_bookings_slot_id', ['slot_id'], unique=False)
        batch_op.create_index('ix_bookings_status_reminder', ['status', 'reminded_at'], unique=False)
        batch_op.create_index('uq_bookings_active_slot', ['slot_id'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))

    op.create_table('booking_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('milestone_key', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_follow_ups_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_follow_ups'))
    )
    with op.batch_alter_table('booking_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_follow_ups_booking_id'), ['booking_id'], unique=False)



def downgrade():
    with op.batch_alter_table('booking_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_follow_ups_booking_id'))

    op.drop_table('booking_follow_ups')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_active_slot', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index('ix_bookings_status_reminder')
        batch_op.drop_index('ix_bookings_slot_id')
        batch_op.drop_index(batch_op.f('ix_bookings_city_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_booked_by_id'))

    op.drop_table('bookings')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('uq_slots_consultant_start_live', sqlite_where=sa.text("status <> 'removed'"), postgresql_where=sa.text("status <> 'removed'"))
        batch_op.drop_index('ix_slots_status_starts')
        batch_op.drop_index('ix_slots_consultant_starts')

    op.drop_table('slots')
    op.drop_table('consultant_profiles')
    op.drop_table('consultant_expertise')
    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_rules_consultant_id'))

    op.drop_table('availability_rules')
