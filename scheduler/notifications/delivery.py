"""The worker's side of the outbox: claim due rows, send them, record what happened.

Claiming sets `claimed_by` and a lease on a batch of due rows in one statement
(PostgreSQL: `FOR UPDATE SKIP LOCKED`, so parallel workers take disjoint rows; SQLite:
the same conditional UPDATE under its single writer lock). A provider's answer is written
right after it comes (log deliveries in bulk, at most FLUSH_SECONDS apart), and the lease
of the rest of the batch is renewed then. A worker killed mid-batch leaves rows claimed; once their lease expires another
worker sends them. A message a provider accepted just before the crash may go out again:
it carries the same idempotency key, so the provider can drop the copy.

Failures retry with exponential backoff and jitter up to OUTBOX_MAX_ATTEMPTS, then the
row is `dead` with the provider's error. WhatsApp failures fall back to SMS at once; a
429 is respected: the provider is left alone until Retry-After.
"""

import logging
import os
import random
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from scheduler import clock
from scheduler.db import transaction
from scheduler.extensions import db
from scheduler.notifications import messages
from scheduler.notifications.channels import Channels, DeliveryError
from scheduler.notifications.models import UNSENT_STATUSES, OutboxMessage

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25
FLUSH_EVERY = 200
MAX_RETRY_AFTER = 24 * 3600
# Set by the worker on SIGTERM/SIGINT: finish the message in hand, hand back the rest.
stopping = threading.Event()

_WORKER_ID = None


def worker_id():
    """This process's name in `claimed_by`: host, pid and a random part."""
    global _WORKER_ID
    if _WORKER_ID is None or not _WORKER_ID.startswith(
        f"{socket.gethostname()[:40]}:{os.getpid()}:"
    ):
        _WORKER_ID = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return _WORKER_ID


@dataclass
class Outcome:
    id: int
    status: str  # sent, failed, dead, deferred
    attempts: int
    channel: str | None = None
    next_attempt_at: object = None
    provider_message_id: str | None = None
    error: str | None = None


def backoff_seconds(attempts, base, cap, rng=random):
    """Exponential backoff with jitter: about base * 2^(attempts-1), between half and all
    of it, capped ("equal jitter", so retries of a burst spread out)."""
    full = min(cap, base * 2 ** max(attempts - 1, 0))
    return full / 2 + rng.uniform(0, full / 2)


def _scrub(text, row):
    """Provider errors may echo the address; keep them out of the outbox and the API."""
    if not text:
        return text
    for value in (row.phone, row.email, row.recipient_name):
        if value and len(value) >= 3:
            text = text.replace(value, "***")
            if value.startswith("+"):
                text = text.replace(value[1:], "***")
    text = re.sub(r"\+?\d{9,15}", "***", text)
    return text[:1000]


_CHANNEL_CACHE_KEYS = (
    "WHATSAPP_API_URL",
    "WHATSAPP_TOKEN",
    "WHATSAPP_TEMPLATES",
    "WHATSAPP_TEMPLATE_LANGUAGES",
    "SMS_API_URL",
    "SMS_TOKEN",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_FROM",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_TLS",
    "OUTBOX_HTTP_TIMEOUT_SECONDS",
)


def channels_for(app):
    """The app's channels (kept per process: HTTP connections and 429 pauses persist)."""
    key = tuple(app.config.get(k) for k in _CHANNEL_CACHE_KEYS)
    cached = app.extensions.get("outbox_channels")
    if cached is None or cached[0] != key:
        cached = (key, Channels(app.config))
        app.extensions["outbox_channels"] = cached
    return cached[1]


# ---------------------------------------------------------------------------- claiming

_T = OutboxMessage.__table__
_COLUMNS = (
    _T.c.id,
    _T.c.event,
    _T.c.reference,
    _T.c.recipient_name,
    _T.c.phone,
    _T.c.email,
    _T.c.locale,
    _T.c.context,
    _T.c.route,
    _T.c.status,
    _T.c.idempotency_key,
    _T.c.attempts,
    _T.c.channel,
    _T.c.provider_status,
    _T.c.last_error,
)


def _due(now):
    return sa.and_(
        _T.c.status.in_(UNSENT_STATUSES),
        _T.c.next_attempt_at <= now,
        sa.or_(_T.c.lease_until.is_(None), _T.c.lease_until < now),
    )


def claim(worker, limit, lease_seconds):
    """Claim up to `limit` due rows for `worker` (commits); returns them."""
    now = clock.now()
    due = sa.select(_T.c.id).where(_due(now)).order_by(_T.c.next_attempt_at, _T.c.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # A materialised CTE: PostgreSQL may run an `IN (subquery LIMIT n)` more than once
    # and so claim more than n rows; the CTE picks (and locks) the rows exactly once.
    picked = due.cte("picked").prefix_with("MATERIALIZED")
    statement = (
        sa.update(_T)
        .where(_T.c.id == picked.c.id, _due(now))
        .values(
            claimed_by=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=_T.c.attempts + 1,
        )
        .returning(*_COLUMNS)
    )
    with transaction():
        rows = db.session.execute(statement).all()
    return sorted(rows, key=lambda r: r.id)


def _renew(worker, ids, lease_seconds):
    """Extend the lease on rows still held; returns the ids this worker still holds."""
    if not ids:
        return set()
    now = clock.now()
    held = db.session.execute(
        sa.update(_T)
        .where(_T.c.id.in_(ids), _T.c.claimed_by == worker, _T.c.lease_until.is_not(None))
        .values(lease_until=now + timedelta(seconds=lease_seconds))
        .returning(_T.c.id)
    ).scalars()
    return set(held)


def _release(worker, ids):
    """Hand rows back unsent (stopping): they are due again at once, the claim undone."""
    if not ids:
        return
    db.session.execute(
        sa.update(_T)
        .where(_T.c.id.in_(ids), _T.c.claimed_by == worker, _T.c.lease_until.is_not(None))
        .values(lease_until=None, attempts=_T.c.attempts - 1)
    )


def _record(worker, outcomes):
    """Write outcomes (only for rows this worker still holds)."""
    now = clock.now()
    held = (_T.c.claimed_by == worker, _T.c.lease_until.is_not(None))
    sent = [o for o in outcomes if o.status == "sent"]
    # The common case (no provider id, no note) is one UPDATE per channel.
    plain = {}
    for o in sent:
        if o.provider_message_id is None and o.error is None:
            plain.setdefault(o.channel, []).append(o.id)
    for channel, ids in plain.items():
        values = dict(
            status="sent", sent_at=now, lease_until=None, channel=channel, last_error=None
        )
        if channel != "whatsapp":
            # WhatsApp's statuses (of an earlier, failed try) do not describe this delivery.
            values.update(provider_status=None, provider_status_at=None)
        db.session.execute(sa.update(_T).where(_T.c.id.in_(ids), *held).values(**values))
    detailed = [o for o in sent if o.provider_message_id is not None or o.error is not None]
    if detailed:
        db.session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("o_id"), *held)
            .values(
                status="sent",
                sent_at=now,
                lease_until=None,
                channel=sa.bindparam("o_channel"),
                provider_message_id=sa.bindparam("o_provider"),
                last_error=sa.bindparam("o_error"),
                provider_status=sa.case(
                    (sa.bindparam("o_channel") == "whatsapp", _T.c.provider_status), else_=None
                ),
                provider_status_at=sa.case(
                    (sa.bindparam("o_channel") == "whatsapp", _T.c.provider_status_at),
                    else_=None,
                ),
            ),
            [
                {
                    "o_id": o.id,
                    "o_channel": o.channel,
                    "o_provider": o.provider_message_id,
                    "o_error": o.error,
                }
                for o in detailed
            ],
        )
    others = [o for o in outcomes if o.status != "sent"]
    for o in others:
        values = {"lease_until": None, "attempts": o.attempts}
        if o.status == "deferred":
            values["next_attempt_at"] = o.next_attempt_at
        else:
            values.update(status=o.status, channel=o.channel, last_error=o.error)
            if o.status == "failed":
                values["next_attempt_at"] = o.next_attempt_at
        db.session.execute(sa.update(_T).where(_T.c.id == o.id, *held).values(**values))


# ----------------------------------------------------------------------------- sending


def send_one(row, channels, config):
    """Render and send one claimed row; returns its Outcome (never raises)."""
    now = clock.now()
    max_attempts = int(config["OUTBOX_MAX_ATTEMPTS"])
    if row.attempts > max_attempts:
        return Outcome(
            row.id,
            "dead",
            row.attempts - 1,
            error=f"gave up after {max_attempts} attempts (a worker stopped while sending)",
        )
    try:
        rendered = messages.render(row.event, row.context, row.locale, row.recipient_name)
    except messages.MissingContext as exc:
        return Outcome(row.id, "dead", row.attempts, error=f"template needs context: {exc}")
    except Exception as exc:  # a template bug must not stop the batch
        log.exception("outbox %s: cannot render %s", row.id, row.event)
        return Outcome(row.id, "dead", row.attempts, error=f"template error: {exc!r}"[:500])
    attempt = _Attempt()
    sent = _send_on_route(row, rendered, channels, now, attempt)
    if sent is not None:
        return sent
    return _unsent(row, attempt, config, now, max_attempts)


@dataclass
class _Attempt:
    """What trying a row's channels left behind when none took it: their errors, a
    provider's Retry-After, whether every failure was permanent, the last channel tried
    and when the earliest failing channel is tried again."""

    errors: list = field(default_factory=list)
    retry_at: object = None
    permanent_only: bool = True
    last: str | None = None
    cooling: object = None


def _send_on_route(row, rendered, channels, now, attempt):
    """Try the row's channels in turn: the Outcome once one takes it (or a paused
    provider defers it), None when none did (what happened is in `attempt`)."""
    # WhatsApp said (by webhook) that it could not deliver: SMS takes the message.
    whatsapp_failed = row.provider_status == "failed"
    if whatsapp_failed and row.last_error:
        attempt.errors.append(row.last_error.split("; ")[0])
    for channel in channels.for_route(row.route, whatsapp_failed=whatsapp_failed):
        paused = channels.paused_until.get(channel.name)
        if paused is not None and paused > now:
            if attempt.last is None:
                # The provider asked us to wait: wait, without spending an attempt.
                return Outcome(row.id, "deferred", row.attempts - 1, next_attempt_at=paused)
            attempt.retry_at, attempt.permanent_only = paused, False
            break
        failing = channels.failing_until.get(channel.name)
        if failing is not None and failing > now:
            attempt.cooling = min(attempt.cooling or failing, failing)
            continue
        attempt.last = channel.name
        try:
            provider_id = channel.send(row, rendered)
        except DeliveryError as exc:
            attempt.errors.append(str(exc))
            if exc.retry_after is not None:
                attempt.retry_at = now + timedelta(seconds=min(exc.retry_after, MAX_RETRY_AFTER))
                channels.paused_until[channel.name] = attempt.retry_at
                attempt.permanent_only = False
                break
            if not exc.permanent:
                channels.note_failure(channel.name, now)
            attempt.permanent_only = attempt.permanent_only and exc.permanent
            continue
        except Exception as exc:  # a channel bug: keep the message, try the next channel
            log.exception("outbox %s: channel %s failed", row.id, channel.name)
            attempt.errors.append(f"{channel.name}: {exc!r}")
            attempt.permanent_only = False
            continue
        channels.note_success(channel.name)
        note = _scrub("; ".join(attempt.errors), row) if attempt.errors else None
        return Outcome(
            row.id, "sent", row.attempts, attempt.last, provider_message_id=provider_id, error=note
        )
    return None


def _unsent(row, attempt, config, now, max_attempts):
    """The Outcome of a row no channel took: deferred while every channel is failing,
    dead when nothing can help or the attempts are spent, else failed and retried."""
    if attempt.last is None and attempt.cooling is not None:
        # Every channel for it is failing: it waits for them, its attempt not spent.
        return Outcome(row.id, "deferred", row.attempts - 1, next_attempt_at=attempt.cooling)
    error = _scrub("; ".join(attempt.errors), row)
    if attempt.permanent_only or row.attempts >= max_attempts:
        log.warning(
            "outbox %s %s dead after %s attempt(s): %s", row.id, row.event, row.attempts, error
        )
        return Outcome(row.id, "dead", row.attempts, attempt.last, error=error)
    delay = backoff_seconds(
        row.attempts,
        float(config["OUTBOX_BACKOFF_SECONDS"]),
        float(config["OUTBOX_BACKOFF_MAX_SECONDS"]),
    )
    next_at = now + timedelta(seconds=delay)
    if attempt.retry_at is not None and attempt.retry_at > next_at:
        next_at = attempt.retry_at
    return Outcome(
        row.id, "failed", row.attempts, attempt.last, next_attempt_at=next_at, error=error
    )


def deliver_due(*, worker=None, batch_size=None, max_batches=None, stop=None):
    """Claim and send due messages until none is due (or `stop` is set); returns counts
    of sent, failed, dead and deferred messages."""
    app = current_app._get_current_object()
    config = app.config
    worker = worker or worker_id()
    batch_size = int(batch_size or config["OUTBOX_BATCH_SIZE"])
    lease = int(config["OUTBOX_LEASE_SECONDS"])
    stop = stop or stopping
    channels = channels_for(app)
    counts = {"sent": 0, "failed": 0, "dead": 0, "deferred": 0}
    batches = 0
    while not stop.is_set() and (max_batches is None or batches < max_batches):
        rows = claim(worker, batch_size, lease)
        if not rows:
            break
        batches += 1
        _send_batch(worker, rows, channels, config, lease, stop, counts)
    return counts


def _send_batch(worker, rows, channels, config, lease, stop, counts):
    remaining = {r.id for r in rows}
    outcomes = []
    flushed = time.monotonic()

    def flush():
        nonlocal flushed
        with transaction():
            _record(worker, outcomes)
            still = _renew(worker, remaining, lease)
        outcomes.clear()
        flushed = time.monotonic()
        return still

    try:
        for row in rows:
            if stop.is_set():
                break
            if row.id not in remaining:
                continue  # the lease was lost (this worker stalled); another worker has it
            outcome = send_one(row, channels, config)
            remaining.discard(row.id)
            outcomes.append(outcome)
            counts[outcome.status] += 1
            # A provider's acceptance is written at once (a crash then re-sends at most the
            # message in hand); log deliveries are written in bulk.
            if (
                outcome.channel not in (None, "log")
                or len(outcomes) >= FLUSH_EVERY
                or time.monotonic() - flushed >= FLUSH_SECONDS
            ):
                remaining = flush()
    finally:
        if outcomes:
            remaining = flush()
        if remaining:
            with transaction():
                _release(worker, remaining)
