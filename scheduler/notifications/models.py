"""The outbox: every message is written here in the transaction that causes it."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import UTCDateTime
from scheduler.extensions import db

OUTBOX_STATUSES = ("pending", "sent", "failed", "dead")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(sa.text("status IN ('pending','sent','failed','dead')"), name="status"),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What happened (booking_confirmed, appointment_cancelled, ...): picks the template.
    event: Mapped[str] = mapped_column(sa.String(40))
    # A reference for people (the booking code); never the NIK.
    reference: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    nik_masked: Mapped[str | None] = mapped_column(sa.String(16))
    recipient_name: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5), default="id")
    context: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
