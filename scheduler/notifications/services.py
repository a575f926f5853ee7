"""Notifications: enqueue() writes to the outbox inside the caller's transaction."""

import uuid

from scheduler import clock
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage


def enqueue(
    event,
    *,
    name="",
    phone=None,
    email=None,
    locale="id",
    reference=None,
    nik_masked=None,
    context=None,
):
    """Queue a message for a resident in the current transaction (flushes, never commits)."""
    now = clock.now()
    message = OutboxMessage(
        event=event,
        reference=reference,
        nik_masked=nik_masked,
        recipient_name=name,
        phone=phone,
        email=email,
        locale=locale if locale in ("id", "en") else "id",
        context=dict(context or {}),
        status="pending",
        idempotency_key=uuid.uuid4().hex,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    return message
