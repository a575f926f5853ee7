"""Shapes of the outbox API. A message carries no personal data beyond the masked NIK:
no name, phone number, email address or message text."""

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduler.db import MAX_ID
from scheduler.notifications.models import (
    CHANNELS,
    OUTBOX_STATUSES,
    PROVIDER_STATUSES,
    ROUTES,
)

Status = Literal[OUTBOX_STATUSES]


class OutboxQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    status: Status | None = Field(
        default=None,
        description="pending, sent, failed (will be retried) or dead (retries exhausted)",
    )
    limit: int = Field(default=100, ge=1, le=500, description="At most this many, newest first")
    before_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only messages older than this id (paging)"
    )


class MessageOut(BaseModel):
    id: int
    event: str = Field(description="booking_confirmed, appointment_reminder, card_ready, ...")
    reference: str | None = Field(description="The booking code (or another reference)")
    nik_masked: str | None = Field(description="Masked NIK, e.g. 3319**********01")
    route: Literal[ROUTES] = Field(
        description="phone: WhatsApp with SMS as fallback; email; log: no address given"
    )
    channel: Literal[CHANNELS] | None = Field(
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
    provider_status: Literal[PROVIDER_STATUSES] | None = Field(
        default=None,
        description="What WhatsApp reported after accepting it (status webhooks): sent, "
        "delivered (on the phone), read, or failed (then sent by SMS, or dead)",
    )
    provider_status_at: datetime | None = Field(
        default=None, description="When the provider reported it"
    )


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
        "next_attempt_at": _local(m.next_attempt_at) if m.is_unsent else None,
        "sent_at": _local(m.sent_at),
        "last_error": m.last_error,
        "provider_status": m.provider_status,
        "provider_status_at": _local(m.provider_status_at),
    }


# ----------------------------------------------------------- WhatsApp Cloud API webhooks
# Only what is used is read; everything else in Meta's payload is ignored.


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class WebhookError(_Lenient):
    code: int | None = None
    title: str | None = Field(default=None, max_length=500)
    details: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _details(cls, obj):
        # Meta puts the explanation in error_data.details.
        if isinstance(obj, dict) and "details" not in obj:
            data = obj.get("error_data")
            if isinstance(data, dict) and isinstance(data.get("details"), str):
                obj = {**obj, "details": data["details"]}
        return obj


class WebhookStatus(_Lenient):
    id: str = Field(max_length=120, description="The provider's message id (wamid)")
    status: Literal[PROVIDER_STATUSES]
    timestamp: str | int | None = None
    biz_opaque_callback_data: str | None = Field(default=None, max_length=512)
    errors: list[WebhookError] = Field(default_factory=list, max_length=20)


class WebhookMessage(_Lenient):
    from_: str = Field(alias="from", pattern=r"^\+?\d{6,15}$", description="The sender's number")
    timestamp: str | int | None = None


class WebhookValue(_Lenient):
    statuses: list[WebhookStatus] = Field(default_factory=list)
    messages: list[WebhookMessage] = Field(default_factory=list)


class WebhookChange(_Lenient):
    field: str | None = None
    value: WebhookValue = Field(default_factory=WebhookValue)


class WebhookEntry(_Lenient):
    id: str | None = None
    changes: list[WebhookChange] = Field(default_factory=list)


class WhatsAppWebhook(_Lenient):
    object: str | None = Field(default=None, description="whatsapp_business_account")
    entry: list[WebhookEntry] = Field(default_factory=list)


class WebhookVerifyQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    mode: str | None = Field(default=None, alias="hub.mode", max_length=40)
    verify_token: str | None = Field(default=None, alias="hub.verify_token", max_length=200)
    challenge: str | None = Field(default=None, alias="hub.challenge", max_length=200)


class WebhookReceived(BaseModel):
    statuses: int = Field(description="Outbox messages whose status changed")
    messages: int = Field(description="Residents' messages noted (their 24-hour window)")
