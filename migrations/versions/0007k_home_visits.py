"""Home visits: requests for a recording at home, the rounds a team makes on a day with a
kit (outreach_kits now belong to a session or to a round), and appointments made on a
home visit.

Revision ID: 0007k
Revises: 0005j
Create Date: 2026-12-02 05:15:00

"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0007k"
down_revision = "0005j"
branch_labels = None
depends_on = None

HOLDING = sa.text("status IN ('booked','checked_in','recorded')")
OPEN = sa.text("status IN ('requested','planned')")
CHANNELS = "'web','api','walk_in','roster'"


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
    op.create_table(
        "home_visit_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("team_key", sa.String(length=60), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_home_visit_rounds_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_visit_rounds")),
        sa.UniqueConstraint("held_on", "team_key", name=op.f("uq_home_visit_rounds_held_on")),
    )
    op.create_table(
        "home_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("reason_note", sa.String(length=300), nullable=False),
        sa.Column("nik_hash", sa.String(length=64), nullable=False),
        sa.Column("nik_encrypted", sa.Text(), nullable=False),
        sa.Column("nik_masked", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("married", sa.Boolean(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("kecamatan", sa.String(length=60), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=10), nullable=False),
        sa.Column("desa", sa.String(length=60), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("window_starts_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("window_ends_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("outcome_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("decline_reason", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "status IN ('requested','planned','done','declined')",
            name=op.f("ck_home_visits_status"),
        ),
        sa.CheckConstraint(
            "reason IN ('elderly','bedridden','disabled')", name=op.f("ck_home_visits_reason")
        ),
        sa.CheckConstraint(
            "status NOT IN ('planned','done') OR (round_id IS NOT NULL AND appointment_id "
            "IS NOT NULL AND window_starts_at IS NOT NULL AND window_ends_at IS NOT NULL)",
            name=op.f("ck_home_visits_planned"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('recorded','failed')",
            name=op.f("ck_home_visits_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_home_visits_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_home_visits_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["home_visit_rounds.id"], name=op.f("fk_home_visits_round_id_home_visit_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_visits")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_home_visits_appointment_id")),
    )
    op.create_index(op.f("ix_home_visits_round_id"), "home_visits", ["round_id"], unique=False)
    op.create_index(
        "uq_home_visits_open_nik",
        "home_visits",
        ["nik_hash"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    with op.batch_alter_table("outreach_kits", schema=None) as batch_op:
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outreach_kits_round_id_home_visit_rounds"),
            "home_visit_rounds",
            ["round_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_outreach_kits_round_id"), ["round_id"], unique=False)
        batch_op.create_check_constraint(
            "one_holder", "(session_id IS NULL) <> (round_id IS NULL)"
        )
    _holding_index(False)
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_appointments_channel"), type_="check")
        batch_op.create_check_constraint("channel", f"channel IN ({CHANNELS},'home_visit')")
    _holding_index(True)


def downgrade():
    _holding_index(False)
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_appointments_channel"), type_="check")
        batch_op.create_check_constraint("channel", f"channel IN ({CHANNELS})")
    _holding_index(True)
    with op.batch_alter_table("outreach_kits", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outreach_kits_one_holder"), type_="check")
        batch_op.drop_index(batch_op.f("ix_outreach_kits_round_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_outreach_kits_round_id_home_visit_rounds"), type_="foreignkey"
        )
        batch_op.drop_column("round_id")
        batch_op.alter_column("session_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("uq_home_visits_open_nik", table_name="home_visits")
    op.drop_index(op.f("ix_home_visits_round_id"), table_name="home_visits")
    op.drop_table("home_visits")
    op.drop_table("home_visit_rounds")
