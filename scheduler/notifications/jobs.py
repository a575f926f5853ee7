from scheduler.notifications import services
from scheduler.worker import Job


def deliver_outbox():
    """Send every outbox message that is due (drains the queue; safe to run in parallel)."""
    return services.deliver_due()


def purge_sent_messages():
    """Delete sent messages older than OUTBOX_RETENTION_DAYS (personal data, kept briefly)."""
    return services.purge_sent()


JOBS = [
    Job(
        "deliver_outbox",
        deliver_outbox,
        "interval",
        lambda config: {"seconds": int(config["OUTBOX_POLL_SECONDS"])},
    ),
    Job("purge_sent_messages", purge_sent_messages, "cron", {"hour": 2, "minute": 15}),
]
