"""Fault runs of bench/faults.py, short: a private PostgreSQL stopped in the middle of a
booking burst and a private Redis killed in the middle of one, against gunicorn. The
outbox's faults (a worker killed mid-batch, a provider that hangs) are in
tests/test_worker.py and tests/notifications/test_delivery.py; the long versions and
their figures in bench/README.md."""

import argparse
import os
import shutil
import sys

import pytest

from bench.instances import postgres_available, redis_available

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


def _skip_reason(*checks):
    for reason in checks:
        if reason:
            return reason
    if not os.path.exists(GUNICORN):
        return "gunicorn is not installed in this environment (make install-dev)"
    return None


def _args(**extra):
    values = dict(
        pg_port=5434,
        redis_port=6381,
        port=5165,
        workers=2,
        clients=8,
        before=1.5,
        outage=2.0,
        after=5.0,
    )
    values.update(extra)
    return argparse.Namespace(**values)


@pytest.fixture(scope="module")
def faults():
    reason = _skip_reason(postgres_available())
    if reason:
        pytest.skip(reason)
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from bench import faults

    return faults


@pytest.fixture(scope="module")
def pg_restart(faults):
    return faults.run_pg_restart(_args())


def test_a_postgresql_restart_loses_no_acknowledged_booking(pg_restart):
    report = pg_restart
    assert report["acknowledged"] > 0
    assert report["acknowledged_missing"] == 0, report
    assert report["overbooked"] == 0 and report["duplicates"] == 0
    assert report["counter_mismatch"] == 0


def test_bookings_come_back_by_themselves_within_seconds(pg_restart):
    assert pg_restart["first_201_after_up_s"] is not None, pg_restart
    assert pg_restart["first_201_after_up_s"] < 10
    # Once the server is back, nothing fails any more.
    assert all(" 5" not in key for key in pg_restart["after"]), pg_restart["after"]


def test_during_the_outage_the_answer_is_503_unavailable(pg_restart):
    # "during" runs from pg_ctl stop's return to pg_ctl start's: a booking sent in the
    # moment before start returned may already find the server up and be booked.
    during = pg_restart["during"]
    refused = sum(n for key, n in during.items() if key.startswith("booking 503 unavailable"))
    booked = sum(n for key, n in during.items() if key.startswith("booking 201"))
    sent = sum(n for key, n in during.items() if key.startswith("booking"))
    assert refused > 0 and refused + booked == sent, during
    assert booked < refused, during


def test_redis_killed_mid_burst(faults):
    reason = redis_available() or (None if shutil.which("redis-server") else "no redis")
    if reason:
        pytest.skip(reason)
    report = faults.run_redis_down(_args())
    during = report["during"]
    # Bookings go on without their flood limit; look-ups, whose limits stop guessing, wait.
    assert any(key.startswith("booking 201") for key in during), report
    assert not any(" 500" in key for key in during), during
    assert all(key.split()[1] in ("200", "503") for key in during if key.startswith("lookup"))
    assert report["first_lookup_200_after_up_s"] is not None, report
    assert report["acknowledged_missing"] == 0 and report["overbooked"] == 0
