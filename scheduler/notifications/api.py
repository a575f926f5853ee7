"""Outbox JSON API for admins: list messages, send a dead one again."""

from flask import Blueprint, jsonify

from scheduler.auth import api_roles
from scheduler.notifications import services
from scheduler.notifications.schemas import (
    MessageEnvelope,
    OutboxOut,
    OutboxQuery,
    message_json,
)
from scheduler.openapi import api_doc, parse_query

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
