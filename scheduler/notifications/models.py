"""The outbox: every message is written here in the transaction that causes it.

One row is one delivery to one address of a resident: `route` "phone" (WhatsApp, falling
back to SMS, chosen at send time from the configured channels), "email", or "log" when
the resident gave neither. A worker claims due rows by setting `claimed_by` and
`lease_until`; a worker that dies leaves its lease to expire and another worker sends.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import UTCDateTime, one_of
from scheduler.extensions import db

OUTBOX_STATUSES = ("pending", "sent", "failed", "dead")
# Not sent yet: a worker sends these once their next attempt is due.
UNSENT_STATUSES = ("pending", "failed")
# Sent again from scratch by hand (the outbox page, the API): a dead or a failed message.
RESENDABLE_STATUSES = ("dead", "failed")
ROUTES = ("phone", "email", "log")
CHANNELS = ("whatsapp", "sms", "email", "log")
# What the provider reported after accepting a message (WhatsApp's status webhooks), in
# the order a message goes through them; "failed" may come after any of the others.
PROVIDER_STATUSES = ("sent", "delivered", "read", "failed")

# What the outbox page shows for each code (tests/notifications/test_labels.py: every
# code has one).
STATUS_LABELS = {
    "pending": _l("Menunggu"),
    "sent": _l("Terkirim"),
    "failed": _l("Gagal, dicoba lagi"),
    "dead": _l("Mati"),
}
ROUTE_LABELS = {
    "phone": _l("Nomor ponsel"),
    "email": _l("Email"),
    "log": _l("Hanya dicatat (tanpa alamat)"),
}
CHANNEL_LABELS = {
    "whatsapp": _l("WhatsApp"),
    "sms": _l("SMS"),
    "email": _l("Email"),
    "log": _l("catatan server"),
}
PROVIDER_STATUS_LABELS = {
    "sent": _l("dikirim"),
    "delivered": _l("sampai di ponsel"),
    "read": _l("dibaca"),
    "failed": _l("gagal sampai"),
}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", OUTBOX_STATUSES), name="status"),
        sa.CheckConstraint(one_of("route", ROUTES), name="route"),
        sa.CheckConstraint(one_of("channel", CHANNELS, nullable=True), name="channel"),
        sa.CheckConstraint(sa.text("attempts >= 0"), name="attempts"),
        sa.CheckConstraint(
            one_of("provider_status", PROVIDER_STATUSES, nullable=True), name="provider_status"
        ),
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
    route: Mapped[str] = mapped_column(sa.String(10), default="phone", server_default="phone")
    # The channel that delivered it (or was tried last): whatsapp, sms, email, log.
    channel: Mapped[str | None] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    # Sent to providers (header / field) so that a resend after a crash is recognised.
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The worker holding the row, until lease_until; kept after sending (who sent it).
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The provider's id for the delivered message, when it gives one.
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    # The provider's last word on it (delivery-status webhooks) and when it came.
    provider_status: Mapped[str | None] = mapped_column(sa.String(10))
    provider_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def is_unsent(self):
        return self.status in UNSENT_STATUSES

    @property
    def can_resend(self):
        return self.status in RESENDABLE_STATUSES


class NotificationMark(db.Model):
    """A message that must go out once only (a reminder): its key is UNIQUE."""

    __tablename__ = "notification_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WhatsAppWindow(db.Model):
    """When a resident last wrote to the office on WhatsApp: free text may be sent to them
    for 24 hours after that (the Cloud API's customer service window); otherwise only an
    approved template. The number is kept as a keyed hash (never in clear, no message
    content), and the row is deleted once the window has closed."""

    __tablename__ = "whatsapp_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_inbound_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
