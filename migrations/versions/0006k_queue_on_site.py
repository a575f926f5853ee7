"""The queue on site: numbers per site, day and line (recording, pickup), the counter that
hands them out, and one called ticket per station.

Revision ID: 0006k
Revises: 0005k
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0006k"
down_revision = "0005k"
branch_labels = None
depends_on = None

CALLED = sa.text("status = 'called'")


def upgrade():
    op.create_table(
        "queue_counters",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("line", sa.String(length=10), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_number > 0", name=op.f("ck_queue_counters_last_number")),
        sa.CheckConstraint("line IN ('recording','pickup')", name=op.f("ck_queue_counters_line")),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_queue_counters_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "served_on", "line", name=op.f("pk_queue_counters")),
    )
    op.create_table(
        "queue_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("line", sa.String(length=10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("station", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("called_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("finished_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint("line IN ('recording','pickup')", name=op.f("ck_queue_tickets_line")),
        sa.CheckConstraint(
            "status IN ('waiting','called','done','skipped')", name=op.f("ck_queue_tickets_status")
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_queue_tickets_number")),
        sa.CheckConstraint(
            "status = 'waiting' OR (station IS NOT NULL AND called_at IS NOT NULL)",
            name=op.f("ck_queue_tickets_called"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_queue_tickets_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_queue_tickets_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_tickets")),
        sa.UniqueConstraint(
            "site_id", "served_on", "line", "number", name=op.f("uq_queue_tickets_site_id")
        ),
        sa.UniqueConstraint(
            "appointment_id", "line", name=op.f("uq_queue_tickets_appointment_id")
        ),
    )
    op.create_index(
        "ix_queue_tickets_waiting",
        "queue_tickets",
        ["site_id", "served_on", "line", "status"],
        unique=False,
    )
    op.create_index(
        "uq_queue_tickets_station_called",
        "queue_tickets",
        ["site_id", "served_on", "line", "station"],
        unique=True,
        sqlite_where=CALLED,
        postgresql_where=CALLED,
    )


def downgrade():
    op.drop_index("uq_queue_tickets_station_called", table_name="queue_tickets")
    op.drop_index("ix_queue_tickets_waiting", table_name="queue_tickets")
    op.drop_table("queue_tickets")
    op.drop_table("queue_counters")
