"""the digital ID (IKD) activated at recording or at pickup

Revision ID: 0004l
Revises: 0004j
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa
import scheduler.db


# revision identifiers, used by Alembic.
revision = '0004l'
down_revision = '0004j'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ikd_activated_at', scheduler.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('card_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ikd_activated_at', scheduler.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('card_requests', schema=None) as batch_op:
        batch_op.drop_column('ikd_activated_at')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('ikd_activated_at')
