"""The background worker: APScheduler in its own process (`flask jobs run`).

Each feature's jobs.py declares JOBS = [Job(...)]; every job is safe to run twice and
safe to run in several worker processes at once. Never started inside web workers:
create_app does not import this module's scheduler.
"""

import logging
import signal
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    func: object
    trigger: str = "interval"  # APScheduler trigger name
    # The trigger's arguments, or a function of the app's config returning them.
    trigger_args: object = field(default_factory=lambda: {"minutes": 5})

    def arguments(self, config):
        return self.trigger_args(config) if callable(self.trigger_args) else dict(self.trigger_args)


def collect_jobs():
    from scheduler import FEATURES, feature_module

    jobs = []
    for feature in FEATURES:
        module = feature_module(feature, "jobs")
        if module is not None:
            jobs.extend(module.JOBS)
    return jobs


def _run(app, job):
    from scheduler.extensions import db

    with app.app_context():
        try:
            return job.func()
        except Exception:
            log.exception("job %s failed", job.name)
            db.session.rollback()
            return "failed"
        finally:
            db.session.remove()


def run_once(app, names=None):
    """Run every job (or the named ones) once; yields (name, result)."""
    for job in collect_jobs():
        if names and job.name not in names:
            continue
        yield job.name, _run(app, job)


def run_forever(app):
    """Start APScheduler with every job and block until SIGTERM or SIGINT."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from scheduler import clock
    from scheduler.notifications import delivery

    # APScheduler logs every run, and every job it adds, at INFO (the outbox runs every
    # few seconds); the worker and its jobs log what they do themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = BlockingScheduler(timezone=app.config["REGENCY_TIMEZONE"])
    for job in collect_jobs():
        extra = {}
        if job.trigger == "interval":
            extra["next_run_time"] = clock.now()  # start at once, not one interval later
        scheduler.add_job(
            _run,
            job.trigger,
            args=(app, job),
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            **job.arguments(app.config),
            **extra,
        )

    def stop(signum, _frame):
        log.info("worker stopping (signal %s): finishing the messages in hand", signum)
        delivery.stopping.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with app.app_context():
        channels = delivery.channels_for(app).names()
    log.info(
        "worker %s started with %d jobs; channels: %s",
        delivery.worker_id(),
        len(scheduler.get_jobs()),
        ", ".join(channels),
    )
    scheduler.start()
    log.info("worker stopped")
