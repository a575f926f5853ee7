from scheduler.appointments import services
from scheduler.worker import Job


def purge_idempotency_keys():
    """Forget Idempotency-Keys older than 24 hours."""
    return services.purge_idempotency_keys()


JOBS = [Job("purge_idempotency_keys", purge_idempotency_keys, "interval", {"hours": 1})]
