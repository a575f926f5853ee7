"""a slot whose day closed after residents booked it takes no new booking

Revision ID: 0004i
Revises: 0005l
Create Date: 2026-12-02 04:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004i"
down_revision = "0005l"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_column("closed")
