from flask import current_app

from scheduler.privacy import services
from scheduler.worker import Job


def purge_personal_data():
    """Remove the personal data that has passed its retention period (batches, each
    committed; safe to run twice or in two workers). Returns the counts."""
    return services.purge(current_app.config)


JOBS = [Job("purge_personal_data", purge_personal_data, "interval", {"hours": 6})]
