"""Notifications: enqueue() writes to the outbox inside the caller's transaction; the
worker delivers (delivery.py); admins list and retry messages."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound
from scheduler.extensions import db
from scheduler.notifications.models import (
    OUTBOX_STATUSES,
    RESENDABLE_STATUSES,
    UNSENT_STATUSES,
    NotificationMark,
    OutboxMessage,
)


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def enqueue(event, **message):
    """Queue a message for a resident in the current transaction (writes, never commits);
    the keywords are `outbox_rows`'.

    One outbox row per address: "phone" (WhatsApp, SMS as fallback, chosen at send time)
    and "email"; a "log" row when there is neither. Returns the id of the first row (the
    phone's when there is one); `messages_for(reference)` lists them all.
    """
    rows = outbox_rows(event, **message)
    # Core INSERTs, no unit of work: one statement for the usual single address.
    if len(rows) == 1:
        return db.session.execute(_insert_messages(), rows[0]).scalar_one()
    return db.session.execute(_insert_messages(), rows).scalars().all()[0]


OUTBOX_ROW_KEYS = (
    "event",
    "reference",
    "nik_masked",
    "recipient_name",
    "phone",
    "email",
    "locale",
    "context",
    "route",
    "status",
    "idempotency_key",
    "attempts",
    "next_attempt_at",
    "created_at",
)


def outbox_rows(
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
    """The outbox rows `enqueue` writes, as column values (for a caller that writes them
    in a statement of its own, e.g. the one-statement booking): OUTBOX_ROW_KEYS each."""
    now = clock.now()
    routes = [r for r, address in (("phone", phone), ("email", email)) if address] or ["log"]
    payload = _json_safe(dict(context or {}))
    return [
        {
            "event": event,
            "reference": reference,
            "nik_masked": nik_masked,
            "recipient_name": (name or "")[:100],
            "phone": phone if route == "phone" else None,
            "email": email if route == "email" else None,
            "locale": locale if locale in ("id", "en") else "id",
            "context": payload,
            "route": route,
            "status": "pending",
            "idempotency_key": uuid.uuid4().hex,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for route in routes
    ]


@lru_cache(maxsize=1)
def _insert_messages():
    table = OutboxMessage.__table__
    return sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)


def mask_phone(phone):
    """`+6281****890`: enough to recognise a number, never all of it ('' for none)."""
    return f"{phone[:5]}****{phone[-3:]}" if phone and len(phone) > 8 else ("***" if phone else "")


def mask_email(email):
    """`b***@example.test` ('' for none)."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mark_once(key):
    """Remember that something was sent once (a reminder): True the first time for `key`,
    False when it is already marked (a UNIQUE key, so two workers cannot both win).
    Joins the caller's transaction."""
    try:
        with db.session.begin_nested():
            db.session.add(NotificationMark(key=key[:120], created_at=clock.now()))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def messages_for(reference):
    """Every outbox row about a reference (a booking code), oldest first."""
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.reference == reference)
        .order_by(OutboxMessage.id)
    ).all()


def list_messages(status=None, limit=100, before_id=None):
    """Outbox rows, newest first, optionally of one status."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    if before_id:
        query = query.where(OutboxMessage.id < before_id)
    return db.session.scalars(query).all()


def count_by_status():
    """{status: number of rows} for every status (zero included)."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def due_backlog(now):
    """Messages due and unsent (pending or failed, their next attempt passed) and how long
    the oldest has waited, in seconds."""
    due = sa.and_(OutboxMessage.status.in_(UNSENT_STATUSES), OutboxMessage.next_attempt_at <= now)
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMessage.next_attempt_at)).where(due)
    ).one()
    waited = (now - oldest).total_seconds() if oldest is not None else 0.0
    return {"due": count, "oldest_due_seconds": round(max(waited, 0.0), 1)}


def _requeue(query):
    now = clock.now()
    return db.session.execute(
        query.values(
            status="pending",
            attempts=0,
            next_attempt_at=now,
            lease_until=None,
            claimed_by=None,
            # Sent again from scratch: by WhatsApp first, whatever it said last time.
            provider_status=None,
            provider_status_at=None,
        )
    ).rowcount


@transactional
def retry_message(message_id):
    """Send a dead (or failed) message again from scratch; raises NotFound, InvalidState."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound()
    table = OutboxMessage.__table__
    changed = _requeue(
        sa.update(table).where(table.c.id == message_id, table.c.status.in_(RESENDABLE_STATUSES))
    )
    if not changed:
        raise InvalidState()
    db.session.expire(message)
    return message


@transactional
def retry_dead():
    """Send every dead message again; returns how many."""
    table = OutboxMessage.__table__
    return _requeue(sa.update(table).where(table.c.status == "dead"))


@transactional
def purge_sent(days=None):
    """Delete messages sent more than `days` (OUTBOX_RETENTION_DAYS) ago: the outbox holds
    phone numbers and emails, kept no longer than needed. Returns how many."""
    days = int(current_app.config["OUTBOX_RETENTION_DAYS"] if days is None else days)
    table = OutboxMessage.__table__
    cutoff = clock.now() - timedelta(days=days)
    return db.session.execute(
        sa.delete(table).where(table.c.status == "sent", table.c.sent_at < cutoff)
    ).rowcount


def deliver_due(**kwargs):
    """Send what is due now through the configured channels (the worker's job)."""
    from scheduler.notifications import delivery

    return delivery.deliver_due(**kwargs)
