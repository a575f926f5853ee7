"""outreach desk's offline events, applied once by their device UUID

Revision ID: 0003m
Revises: 0003l
Create Date: 2026-12-01 23:45:00

"""
from alembic import op
import sqlalchemy as sa
import scheduler.db


# revision identifiers, used by Alembic.
revision = '0003m'
down_revision = '0003l'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outreach_sync_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('happened_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.Column('synced_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.CheckConstraint("action IN ('checkin','recorded','recording_failed','absent')", name=op.f('ck_outreach_sync_events_action')),
    sa.CheckConstraint("result IN ('applied','conflict','rejected')", name=op.f('ck_outreach_sync_events_result')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_outreach_sync_events_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['outreach_sessions.id'], name=op.f('fk_outreach_sync_events_session_id_outreach_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outreach_sync_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_sync_events')),
    sa.UniqueConstraint('client_id', name=op.f('uq_outreach_sync_events_client_id'))
    )
    with op.batch_alter_table('outreach_sync_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_sync_events_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_sync_events_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outreach_sync_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_sync_events_session_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_sync_events_appointment_id'))

    op.drop_table('outreach_sync_events')
