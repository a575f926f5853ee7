"""Prometheus metrics (prometheus_client), served at /metrics.

Counters and the request-duration histogram are counted by the process that saw the
event. Under gunicorn, PROMETHEUS_MULTIPROC_DIR names a folder where every worker keeps
them (prometheus_client's multiprocess mode) and a scrape, answered by any worker, adds
them up. Gauges are read from the database at scrape time by functions the features
register with @gauge, so every worker and every app server reports the same values.
"""

import functools
import logging
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from scheduler.errors import DomainError

# This process's counters; in multiprocess mode their values live in the shared folder.
REGISTRY = CollectorRegistry(auto_describe=True)
BOOKINGS = Counter(
    "antre_bookings",
    "Booking attempts by result: booked, replayed (same Idempotency-Key), or the "
    "refusal's error code (slot_full, duplicate_booking, validation_error, ...).",
    ["result"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "antre_http_request_duration_seconds",
    "Time the app took to answer, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SCRAPE_SECONDS = "antre_metrics_scrape_seconds"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = logging.getLogger(__name__)
_request_children = {}
_booking_children = {}
_gauges = {}


def observe_request(method, route, status, seconds):
    """One answered request (called by the request log's after-request hook)."""
    key = (method, route, status)
    child = _request_children.get(key)
    if child is None:
        # Unknown methods share one label: a scanner cannot grow the label set.
        label = method if method in METHODS else "OTHER"
        child = _request_children[key] = REQUEST_SECONDS.labels(label, route, str(status))
    child.observe(seconds)


def count_booking(result):
    child = _booking_children.get(result)
    if child is None:
        child = _booking_children[result] = BOOKINGS.labels(result)
    child.inc()


def counts_bookings(book):
    """Count a booking service's outcomes once it has committed or refused:
    `(appointment, created)` is booked or replayed, a DomainError its code."""

    @functools.wraps(book)
    def wrapper(*args, **kwargs):
        try:
            appointment, created = book(*args, **kwargs)
        except DomainError as exc:
            count_booking(exc.code)
            raise
        except Exception:
            count_booking("error")
            raise
        count_booking("booked" if created else "replayed")
        return appointment, created

    return wrapper


def gauge(name, documentation, labels=()):
    """Register fn() as a gauge read at scrape time: it returns a number (or None for no
    sample) or, with labels, a dict of label-value tuples to numbers."""

    def register(fn):
        _gauges[name] = (documentation, tuple(labels), fn)
        return fn

    return register


class _Gauges:
    def collect(self):
        started = time.perf_counter()
        for name, (documentation, labels, read) in sorted(_gauges.items()):
            try:
                values = read()
            except Exception:
                # One gauge's failure (its table locked, the database gone) leaves the
                # counters and the other gauges in the scrape.
                log.exception("gauge %s could not be read", name)
                continue
            if labels:
                family = GaugeMetricFamily(name, documentation, labels=labels)
                for label_values, value in sorted(values.items()):
                    family.add_metric([str(v) for v in label_values], value)
                yield family
            elif values is not None:
                yield GaugeMetricFamily(name, documentation, value=values)
        yield GaugeMetricFamily(
            SCRAPE_SECONDS,
            "Time spent reading the gauges from the database for this scrape.",
            value=time.perf_counter() - started,
        )


class _ThisProcess:
    def collect(self):
        return REGISTRY.collect()


def render():
    """The text exposition of every metric: the workers' counters added up (or this
    process's alone) and the gauges read now. Returns (body, content type)."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_Gauges())
    return generate_latest(registry), CONTENT_TYPE_LATEST
