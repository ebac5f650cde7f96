"""webinars domain tables

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('confirmed', 'waitlisted')")


def upgrade():
    op.create_table('webinars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('join_url', sa.String(length=500), nullable=True),
    sa.Column('recording_url', sa.String(length=500), nullable=True),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('course_module_keys', sa.JSON(), nullable=False),
    sa.Column('milestone_keys', sa.JSON(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')", name=op.f('ck_webinars_webinar_status')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_webinars_webinar_capacity')),
    sa.CheckConstraint('duration_minutes >= 1', name=op.f('ck_webinars_webinar_duration')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webinars_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinars'))
    )
    with op.batch_alter_table('webinars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webinars_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webinars_starts_at'), ['starts_at'], unique=False)

    op.create_table('webinar_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webinar_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('waitlist_position', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('attended_marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name=op.f('ck_webinar_registrations_registration_waitlist_position')),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_webinar_registrations_registration_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_webinar_registrations_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['webinar_id'], ['webinars.id'], name=op.f('fk_webinar_registrations_webinar_id_webinars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinar_registrations'))
    )
    with op.batch_alter_table('webinar_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webinar_registrations_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_webinar_registrations_webinar_status', ['webinar_id', 'status'], unique=False)
        # One active registration per webinar and user.
        batch_op.create_index('uq_webinar_registrations_active', ['webinar_id', 'user_id'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        # Waitlist positions never collide (NULL unless waitlisted).
        batch_op.create_index('uq_webinar_registrations_waitlist', ['webinar_id', 'waitlist_position'], unique=True)


def downgrade():
    with op.batch_alter_table('webinar_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_webinar_registrations_waitlist')
        batch_op.drop_index('uq_webinar_registrations_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_index('ix_webinar_registrations_webinar_status')
        batch_op.drop_index(batch_op.f('ix_webinar_registrations_user_id'))
    op.drop_table('webinar_registrations')
    with op.batch_alter_table('webinars', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webinars_starts_at'))
        batch_op.drop_index(batch_op.f('ix_webinars_ends_at'))
    op.drop_table('webinars')
