"""Outbox JSON API for admins (list messages, send a dead one again), and the WhatsApp
Cloud API's webhook."""

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from scheduler import reads
from scheduler.auth import api_roles
from scheduler.notifications import services, webhooks
from scheduler.notifications.schemas import (
    MessageEnvelope,
    OutboxOut,
    OutboxQuery,
    WebhookReceived,
    WebhookVerifyQuery,
    WhatsAppWebhook,
    message_json,
)
from scheduler.openapi import api_doc, parse_body, parse_query

# Meta batches many statuses in one delivery; larger than the API's usual 64 KB.
WEBHOOK_MAX_BYTES = 3 * 1024 * 1024

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1")


@bp.get("/outbox")
@api_roles("admin")
@api_doc(
    "Outbox messages (admin)",
    query=OutboxQuery,
    response=OutboxOut,
    auth=True,
    description="Newest first. No names, phone numbers, emails or texts: the masked NIK and "
    "the booking code identify a message.",
)
def outbox():
    q = parse_query(OutboxQuery)
    rows = services.list_messages(status=q.status, limit=q.limit, before_id=q.before_id)
    reads.record_view(
        current_user, "view_outbox", detail=q.status or "", codes=[m.reference for m in rows]
    )
    return jsonify(messages=[message_json(m) for m in rows])


@bp.post("/outbox/<int:message_id>/retry")
@api_roles("admin")
@api_doc(
    "Send a dead or failed message again (admin)",
    response=MessageEnvelope,
    auth=True,
)
def retry(message_id):
    return jsonify(message=message_json(services.retry_message(message_id)))


@bp.get("/webhooks/whatsapp")
@api_doc(
    "WhatsApp webhook subscription handshake (Meta)",
    query=WebhookVerifyQuery,
    produces="text/plain",
    description="Answers hub.challenge when hub.mode is 'subscribe' and hub.verify_token is "
    "WHATSAPP_VERIFY_TOKEN; 403 otherwise, 404 while WHATSAPP_APP_SECRET is unset.",
)
def whatsapp_verify():
    q = parse_query(WebhookVerifyQuery)
    challenge = webhooks.verify_subscription(q.mode, q.verify_token, q.challenge)
    return Response(challenge, mimetype="text/plain")


@bp.post("/webhooks/whatsapp")
@api_doc(
    "WhatsApp Cloud API webhook: delivery statuses and residents' messages (Meta)",
    body=WhatsAppWebhook,
    response=WebhookReceived,
    description="Signed by Meta: X-Hub-Signature-256 is 'sha256=' and the HMAC-SHA256 of the "
    "raw body with WHATSAPP_APP_SECRET (403 without a matching signature). Statuses sent, "
    "delivered, read and failed are written on the outbox message (a failure goes by SMS); "
    "a resident's message only opens the 24-hour window for free text (nothing of it is "
    "kept but the moment and a keyed hash of the number).",
)
def whatsapp_webhook():
    request.max_content_length = WEBHOOK_MAX_BYTES
    body = request.get_data(cache=True)
    webhooks.check_signature(body, request.headers.get("X-Hub-Signature-256"))
    payload = parse_body(WhatsAppWebhook)
    return jsonify(webhooks.apply_whatsapp_webhook(payload))
