"""NIK key rotation: card requests keep the NIK encrypted, rotation progress

Revision ID: 0005j
Revises: 0004i
Create Date: 2026-12-02 04:25:06

"""
from alembic import op
import sqlalchemy as sa
import scheduler.db


# revision identifiers, used by Alembic.
revision = '0005j'
down_revision = '0004i'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nik_key_rotations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('started_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', scheduler.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint('rows_done >= 0', name=op.f('ck_nik_key_rotations_rows_done')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nik_key_rotations')),
    sa.UniqueConstraint('target', 'table_name', name=op.f('uq_nik_key_rotations_target'))
    )
    with op.batch_alter_table('card_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nik_encrypted', sa.Text(), nullable=True))
    # A recording's card takes its NIK from the recording; a replacement made before this
    # revision has none stored, and its hash is re-keyed only once it is closed.
    op.execute(
        "UPDATE card_requests SET nik_encrypted = (SELECT a.nik_encrypted FROM appointments a"
        " WHERE a.id = card_requests.appointment_id AND a.nik_encrypted <> '')"
        " WHERE appointment_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('card_requests', schema=None) as batch_op:
        batch_op.drop_column('nik_encrypted')

    op.drop_table('nik_key_rotations')
