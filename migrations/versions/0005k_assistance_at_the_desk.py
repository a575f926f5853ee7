"""Priority at the desk: the help a resident asked for when booking (elderly, pregnant,
disabled, ill), so the desk serves them first.

Revision ID: 0005k
Revises: 0004k
Create Date: 2026-12-02 04:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005k"
down_revision = "0004k"
branch_labels = None
depends_on = None

HOLDING = sa.text("status IN ('booked','checked_in','recorded')")


def _holding_index(create):
    # SQLite's batch copy of the table would not keep the index's WHERE: by hand.
    if create:
        op.create_index(
            "uq_appointments_holding_nik",
            "appointments",
            ["nik_hash"],
            unique=True,
            sqlite_where=HOLDING,
            postgresql_where=HOLDING,
        )
    else:
        op.drop_index("uq_appointments_holding_nik", table_name="appointments")


def upgrade():
    _holding_index(False)
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assistance", sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            "assistance",
            "assistance IS NULL OR assistance IN ('elderly','pregnant','disabled','ill')",
        )
    _holding_index(True)


def downgrade():
    _holding_index(False)
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_appointments_assistance"), type_="check")
        batch_op.drop_column("assistance")
    _holding_index(True)
