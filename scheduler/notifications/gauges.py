"""The outbox's gauges for /metrics."""

from scheduler import clock, metrics
from scheduler.notifications import services


@metrics.gauge(
    "antre_outbox_messages",
    "Messages in the outbox by status: pending, sent (kept OUTBOX_RETENTION_DAYS), "
    "failed (will be retried), dead (retries exhausted or refused).",
    labels=("status",),
)
def outbox_messages():
    return {(status,): n for status, n in services.count_by_status().items()}


@metrics.gauge(
    "antre_outbox_oldest_due_seconds",
    "How long the oldest message due for sending has waited (0 when none is due): grows "
    "when no worker runs or a provider is stuck.",
)
def oldest_due_seconds():
    return services.due_backlog(clock.now())["oldest_due_seconds"]
