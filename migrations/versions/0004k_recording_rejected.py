"""Re-recording: a recording the national centre rejected (duplicate biometrics, bad
capture, data not accepted) leaves the NIK's holding index, and nothing else does once
recorded.

Revision ID: 0004k
Revises: 0003h
Create Date: 2026-12-02 04:30:00

"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0004k"
down_revision = "0003h"
branch_labels = None
depends_on = None

HOLDING = sa.text("status IN ('booked','checked_in','recorded')")
OLD_STATUSES = "'booked','checked_in','recorded','recording_failed','no_show','cancelled'"


def _drop_holding_index():
    # Recreated by hand: SQLite's batch copy of the table would not keep its WHERE.
    op.drop_index(
        "uq_appointments_holding_nik",
        table_name="appointments",
        sqlite_where=HOLDING,
        postgresql_where=HOLDING,
    )


def _create_holding_index():
    op.create_index(
        "uq_appointments_holding_nik",
        "appointments",
        ["nik_hash"],
        unique=True,
        sqlite_where=HOLDING,
        postgresql_where=HOLDING,
    )


def upgrade():
    _drop_holding_index()
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejected_at", scheduler.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("rejection_kind", sa.String(length=30), nullable=True))
        batch_op.drop_constraint(op.f("ck_appointments_status"), type_="check")
        batch_op.create_check_constraint(
            "status", f"status IN ({OLD_STATUSES},'recording_rejected')"
        )
        batch_op.create_check_constraint(
            "recorded_stays",
            "recorded_at IS NULL OR status IN ('recorded','recording_rejected')",
        )
        batch_op.create_check_constraint(
            "rejected",
            "status <> 'recording_rejected' OR (recorded_at IS NOT NULL AND rejected_at IS "
            "NOT NULL AND rejection_kind IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            "rejection_kind",
            "rejection_kind IS NULL OR rejection_kind IN "
            "('duplicate_biometrics','bad_capture','data_not_accepted')",
        )
    _create_holding_index()


def downgrade():
    _drop_holding_index()
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_appointments_rejection_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_appointments_rejected"), type_="check")
        batch_op.drop_constraint(op.f("ck_appointments_recorded_stays"), type_="check")
        batch_op.drop_constraint(op.f("ck_appointments_status"), type_="check")
        batch_op.create_check_constraint("status", f"status IN ({OLD_STATUSES})")
        batch_op.drop_column("rejection_kind")
        batch_op.drop_column("rejected_at")
    _create_holding_index()
