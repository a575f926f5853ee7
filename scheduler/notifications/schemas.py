"""Shapes of the outbox API. A message carries no personal data beyond the masked NIK:
no name, phone number, email address or message text."""

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field

Status = Literal["pending", "sent", "failed", "dead"]


class OutboxQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    status: Status | None = Field(
        default=None,
        description="pending, sent, failed (will be retried) or dead (retries exhausted)",
    )
    limit: int = Field(default=100, ge=1, le=500, description="At most this many, newest first")
    before_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Only messages older than this id (paging)"
    )


class MessageOut(BaseModel):
    id: int
    event: str = Field(description="booking_confirmed, appointment_reminder, card_ready, ...")
    reference: str | None = Field(description="The booking code (or another reference)")
    nik_masked: str | None = Field(description="Masked NIK, e.g. 3319**********01")
    route: Literal["phone", "email", "log"] = Field(
        description="phone: WhatsApp with SMS as fallback; email; log: no address given"
    )
    channel: Literal["whatsapp", "sms", "email", "log"] | None = Field(
        description="The channel that delivered it, or the one tried last"
    )
    status: Status
    attempts: int
    locale: Literal["id", "en"]
    idempotency_key: str = Field(description="Sent to the provider with the message")
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When pending or failed: next try")
    sent_at: datetime | None
    last_error: str | None = Field(description="The provider's error, addresses removed")


class OutboxOut(BaseModel):
    messages: list[MessageOut]


class MessageEnvelope(BaseModel):
    message: MessageOut


def _local(moment):
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["REGENCY_TIMEZONE"])).isoformat()


def message_json(m):
    """A message of GET /api/v1/outbox (times in the regency's zone)."""
    return {
        "id": m.id,
        "event": m.event,
        "reference": m.reference,
        "nik_masked": m.nik_masked,
        "route": m.route,
        "channel": m.channel,
        "status": m.status,
        "attempts": m.attempts,
        "locale": m.locale,
        "idempotency_key": m.idempotency_key,
        "created_at": _local(m.created_at),
        "next_attempt_at": _local(m.next_attempt_at) if m.status in ("pending", "failed") else None,
        "sent_at": _local(m.sent_at),
        "last_error": m.last_error,
    }
