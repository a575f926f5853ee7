from scheduler.notifications import services, webhooks
from scheduler.worker import Job


def deliver_outbox():
    """Send every outbox message that is due (drains the queue; safe to run in parallel)."""
    return services.deliver_due()


def purge_sent_messages():
    """Delete sent messages older than OUTBOX_RETENTION_DAYS (personal data, kept briefly)."""
    return services.purge_sent()


def purge_whatsapp_windows():
    """Forget when residents last wrote on WhatsApp once their 24-hour window has closed."""
    return webhooks.purge_closed_windows()


JOBS = [
    Job(
        "deliver_outbox",
        deliver_outbox,
        "interval",
        lambda config: {"seconds": int(config["OUTBOX_POLL_SECONDS"])},
    ),
    Job("purge_sent_messages", purge_sent_messages, "cron", {"hour": 2, "minute": 15}),
    Job("purge_whatsapp_windows", purge_whatsapp_windows, "cron", {"minute": 40}),
]
