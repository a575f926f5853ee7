"""The background worker: APScheduler in its own process (`flask jobs run`).

Each feature's jobs.py declares JOBS = [Job(...)]; every job is safe to run twice.
Never started inside web workers.
"""

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    func: object
    trigger: str = "interval"  # APScheduler trigger name
    trigger_args: dict = field(default_factory=lambda: {"minutes": 5})


def collect_jobs():
    from scheduler import FEATURES, feature_module

    jobs = []
    for feature in FEATURES:
        module = feature_module(feature, "jobs")
        if module is not None:
            jobs.extend(module.JOBS)
    return jobs


def _run(app, job):
    with app.app_context():
        try:
            return job.func()
        except Exception:
            log.exception("job %s failed", job.name)
            from scheduler.extensions import db

            db.session.rollback()
            return "failed"
        finally:
            from scheduler.extensions import db

            db.session.remove()


def run_once(app):
    """Run every job once; yields (name, result)."""
    for job in collect_jobs():
        yield job.name, _run(app, job)


def run_forever(app):
    """Start APScheduler with every job and block until stopped."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=app.config["REGENCY_TIMEZONE"])
    for job in collect_jobs():
        scheduler.add_job(
            _run,
            job.trigger,
            args=(app, job),
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            **job.trigger_args,
        )
    log.info("worker started with %d jobs", len(scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("worker stopped")
