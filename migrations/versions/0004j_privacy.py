"""privacy: erased bookings, the bookings a page view showed

Revision ID: 0004j
Revises: 0006k
Create Date: 2026-12-02 04:12:03

"""
from alembic import op
import sqlalchemy as sa
import scheduler.db


# revision identifiers, used by Alembic.
revision = '0004j'
down_revision = '0006k'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entry_appointments',
    sa.Column('audit_entry_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_audit_entry_appointments_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['audit_entry_id'], ['audit_entries.id'], name=op.f('fk_audit_entry_appointments_audit_entry_id_audit_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('audit_entry_id', 'appointment_id', name=op.f('pk_audit_entry_appointments'))
    )
    with op.batch_alter_table('audit_entry_appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_appointments_appointment_id'), ['appointment_id'], unique=False)

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', scheduler.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_how', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            'erased_how', sa.text("erased_how IS NULL OR erased_how IN ('resident','retention')")
        )
        batch_op.create_check_constraint(
            'nik_or_erased',
            sa.text("nik_encrypted <> '' OR (nik_hash = '' AND erased_at IS NOT NULL)"),
        )



def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_appointments_nik_or_erased'), type_='check')
        batch_op.drop_constraint(op.f('ck_appointments_erased_how'), type_='check')
        batch_op.drop_column('erased_how')
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('audit_entry_appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_appointments_appointment_id'))

    op.drop_table('audit_entry_appointments')
