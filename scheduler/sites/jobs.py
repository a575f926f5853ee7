from scheduler.sites import services
from scheduler.worker import Job


def generate_slots():
    """Keep the rolling window of slots filled (daily)."""
    report = services.generate_slots()
    return {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}


JOBS = [Job("generate_slots", generate_slots, "cron", {"hour": 1, "minute": 5})]
