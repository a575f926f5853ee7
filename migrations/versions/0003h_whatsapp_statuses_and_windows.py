"""WhatsApp: the provider's delivery status of each outbox message (looked up by the
provider's message id), and when a resident last wrote (a keyed hash of the number), for
the 24-hour window in which free text may be sent.

Revision ID: 0003h
Revises: 0003m
Create Date: 2026-12-01 23:40:00

"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0003h"
down_revision = "0003m"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "whatsapp_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("last_inbound_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_windows")),
        sa.UniqueConstraint("phone_hash", name=op.f("uq_whatsapp_windows_phone_hash")),
    )
    op.create_index(
        op.f("ix_whatsapp_windows_last_inbound_at"),
        "whatsapp_windows",
        ["last_inbound_at"],
        unique=False,
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_status", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("provider_status_at", scheduler.db.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_provider_message_id"),
            ["provider_message_id"],
            unique=False,
        )
        batch_op.create_check_constraint(
            "provider_status",
            "provider_status IS NULL OR provider_status IN ('sent','delivered','read','failed')",
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_provider_status"), type_="check")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_provider_message_id"))
        batch_op.drop_column("provider_status_at")
        batch_op.drop_column("provider_status")
    op.drop_index(op.f("ix_whatsapp_windows_last_inbound_at"), table_name="whatsapp_windows")
    op.drop_table("whatsapp_windows")
