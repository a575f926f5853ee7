"""Outbox: one row per route (phone/email/log), channel used, worker claims with a lease,
the provider's message id; notification_marks for messages sent once (reminders).

Revision ID: 0002c
Revises: 0002b
Create Date: 2026-11-22 22:22:17.006304

"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0002c"
down_revision = "0002b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("created_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_marks")),
        sa.UniqueConstraint("key", name=op.f("uq_notification_marks_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("route", sa.String(length=10), server_default="phone", nullable=False)
        )
        batch_op.add_column(sa.Column("channel", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("lease_until", scheduler.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("provider_message_id", sa.String(length=120), nullable=True))
    # Rows written before routes existed: an email-only row goes by email, none by log.
    op.execute(
        "UPDATE outbox_messages SET route = 'email' WHERE phone IS NULL AND email IS NOT NULL"
    )
    op.execute("UPDATE outbox_messages SET route = 'log' WHERE phone IS NULL AND email IS NULL")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_check_constraint("route", "route IN ('phone','email','log')")
        batch_op.create_check_constraint(
            "channel", "channel IS NULL OR channel IN ('whatsapp','sms','email','log')"
        )
        batch_op.create_check_constraint("attempts", "attempts >= 0")


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_attempts"), type_="check")
        batch_op.drop_constraint(op.f("ck_outbox_messages_channel"), type_="check")
        batch_op.drop_constraint(op.f("ck_outbox_messages_route"), type_="check")
        batch_op.drop_column("provider_message_id")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("channel")
        batch_op.drop_column("route")
    op.drop_table("notification_marks")
