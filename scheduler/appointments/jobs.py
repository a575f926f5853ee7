from scheduler.appointments import services
from scheduler.worker import Job


def purge_idempotency_keys():
    """Forget Idempotency-Keys older than 24 hours."""
    return services.purge_idempotency_keys()


def mark_no_shows():
    """Bookings nobody came for are no-shows once their site has closed (safe to repeat)."""
    return len(services.mark_no_shows_after_close())


JOBS = [
    Job("purge_idempotency_keys", purge_idempotency_keys, "interval", {"hours": 1}),
    Job("mark_no_shows", mark_no_shows, "interval", {"minutes": 15}),
]
