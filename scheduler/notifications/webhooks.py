"""WhatsApp Cloud API webhooks: the subscription handshake, the signature, delivery
statuses and residents' messages.

A status (sent, delivered, read, failed) is written on the outbox row the provider's
message id names, and only forward (read after delivered; a late "delivered" does not undo
"read"). A failure of a message WhatsApp had accepted sends it by SMS when SMS is
configured (the row is due again; the worker skips WhatsApp for it), else the row is dead
with WhatsApp's reason, for an admin to see and resend. A resident's message opens the
24-hour window for free text: only the moment and a keyed hash of the number are kept,
never the message, and the row goes once the window has closed.
"""

import hashlib
import hmac
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from scheduler import clock
from scheduler.db import transactional
from scheduler.errors import Forbidden, NotFound
from scheduler.extensions import db
from scheduler.notifications.models import PROVIDER_STATUSES, OutboxMessage, WhatsAppWindow
from scheduler.notifications.whatsapp import WINDOW, phone_hash

_T = OutboxMessage.__table__
_W = WhatsAppWindow.__table__
# A status replaces only those before it; "failed" replaces any but itself.
_EARLIER = {
    "sent": (),
    "delivered": ("sent",),
    "read": ("sent", "delivered"),
    "failed": ("sent", "delivered", "read"),
}
assert set(_EARLIER) == set(PROVIDER_STATUSES)


def _secret():
    secret = current_app.config.get("WHATSAPP_APP_SECRET")
    if not secret:
        raise NotFound()  # the webhook is off
    return secret


def verify_subscription(mode, token, challenge):
    """The GET handshake: the challenge to echo; Forbidden unless the token matches."""
    _secret()
    expected = current_app.config.get("WHATSAPP_VERIFY_TOKEN") or ""
    if (
        mode != "subscribe"
        or not expected
        or not challenge
        or not hmac.compare_digest(str(token or "").encode(), expected.encode())
    ):
        raise Forbidden()
    return challenge


def check_signature(body, header):
    """Raises Forbidden unless `header` is X-Hub-Signature-256 of `body` (raw bytes):
    'sha256=' and the HMAC-SHA256 of the body with the app secret, in hex."""
    digest = hmac.new(_secret().encode(), body, hashlib.sha256).hexdigest()
    if not header or not hmac.compare_digest(str(header).strip().lower(), f"sha256={digest}"):
        raise Forbidden()


def _moment(timestamp):
    """A webhook's epoch seconds as a UTC moment, never later than now."""
    now = clock.now()
    try:
        moment = datetime.fromtimestamp(int(timestamp), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return min(moment, now)


def _error_text(status):
    parts = [
        " ".join(str(p) for p in (f"#{e.code}" if e.code else None, e.title, e.details) if p)
        for e in status.errors
    ]
    return "whatsapp: reported failed" + (f" ({'; '.join(parts)})" if parts else "")


def _apply_status(status, sms_configured):
    at = _moment(status.timestamp)
    match = _T.c.provider_message_id == status.id
    if status.biz_opaque_callback_data:
        match = sa.or_(match, _T.c.idempotency_key == status.biz_opaque_callback_data)
    forward = sa.or_(
        _T.c.provider_status.is_(None), _T.c.provider_status.in_(_EARLIER[status.status])
    )
    values = {"provider_status": status.status, "provider_status_at": at}
    if status.status == "failed":
        delivered_by_whatsapp = sa.and_(_T.c.status == "sent", _T.c.channel == "whatsapp")
        text = _error_text(status)[:1000]
        if sms_configured:
            fallback = {"status": "pending", "next_attempt_at": clock.now(), "lease_until": None}
        else:
            fallback = {"status": "dead"}
        values.update(
            {
                "last_error": sa.case((delivered_by_whatsapp, text), else_=_T.c.last_error),
                **{
                    key: sa.case((delivered_by_whatsapp, value), else_=_T.c[key])
                    for key, value in fallback.items()
                },
            }
        )
    statement = sa.update(_T).where(match, _T.c.channel == "whatsapp", forward).values(**values)
    return db.session.execute(statement).rowcount


def _note_inbound(message):
    at = _moment(message.timestamp)
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_W)
    later = sa.case(
        (insert.excluded.last_inbound_at > _W.c.last_inbound_at, insert.excluded.last_inbound_at),
        else_=_W.c.last_inbound_at,
    )
    db.session.execute(
        insert.values(
            phone_hash=phone_hash(message.from_), last_inbound_at=at
        ).on_conflict_do_update(index_elements=[_W.c.phone_hash], set_={"last_inbound_at": later})
    )


@transactional
def apply_whatsapp_webhook(payload):
    """Write what a (signature-checked) webhook says: statuses on the outbox, residents'
    messages as open windows. Returns {"statuses": n applied, "messages": n noted}."""
    sms_configured = bool(current_app.config.get("SMS_API_URL"))
    counts = {"statuses": 0, "messages": 0}
    for entry in payload.entry:
        for change in entry.changes:
            value = change.value
            for status in value.statuses:
                counts["statuses"] += _apply_status(status, sms_configured)
            for message in value.messages:
                _note_inbound(message)
                counts["messages"] += 1
    return counts


@transactional
def purge_closed_windows():
    """Delete the record of residents' messages once their 24-hour window has closed
    (nothing is kept longer than it serves). Returns how many."""
    cutoff = clock.now() - WINDOW
    return db.session.execute(sa.delete(_W).where(_W.c.last_inbound_at < cutoff)).rowcount
