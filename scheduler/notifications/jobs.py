from scheduler.notifications import services
from scheduler.worker import Job


def deliver_outbox():
    """Send every outbox message that is due (drains the queue; safe to run in parallel)."""
    return services.deliver_due()


JOBS = [
    Job(
        "deliver_outbox",
        deliver_outbox,
        "interval",
        lambda config: {"seconds": int(config["OUTBOX_POLL_SECONDS"])},
    )
]
