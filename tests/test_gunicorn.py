"""gunicorn with three workers on one SQLite file, with deploy/gunicorn.conf.py: a booking
burst neither fails nor overbooks (WAL, busy timeout and BEGIN IMMEDIATE make the writers
wait for each other), and /metrics, whichever worker answers, adds up every worker's
counters (prometheus_client's multiprocess mode)."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_nik

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
CAPACITY = 5
ATTEMPTS = 200
THREADS = 4


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _metrics(base):
    with urllib.request.urlopen(base + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _request(url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw.decode(errors="replace")}


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "burst.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "SCHEDULER_ENV": "development",
        "SECRET_KEY": "gunicorn-test-secret",
        "NIK_ENCRYPTION_KEY": "gunicorn-test-enc",
        "NIK_HASH_KEY": "gunicorn-test-hash",
        "REDIS_URL": "",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    env.pop("SCHEDULER_CONFIG", None)
    # A file left by an earlier run: gunicorn's on_starting hook must clear it away.
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_1.db").write_bytes(b"left over")
    flask = [os.path.join(BIN, "flask"), "--app", "wsgi"]
    for args in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run(
            flask + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
    gunicorn = os.path.join(BIN, "gunicorn")
    if not os.path.exists(gunicorn):
        pytest.skip("gunicorn is not installed in this environment")
    port = _free_port()
    proc = subprocess.Popen(
        [gunicorn, "-c", os.path.join(ROOT, "deploy", "gunicorn.conf.py")]
        + ["-w", "3", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.skip(f"gunicorn could not start: {proc.stderr.read()[-500:]}")
            try:
                if _request(base + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.skip("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.2)
        yield base, path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_booking_burst_under_gunicorn(server):
    base, path = server
    status, body = _request(base + "/api/v1/sites?kind=office")
    assert status == 200 and body["sites"]
    site = body["sites"][0]
    status, body = _request(f"{base}/api/v1/sites/{site['id']}/slots")
    assert status == 200 and body["slots"], "seed-demo made bookable slots"
    slot = body["slots"][len(body["slots"]) // 2]
    with sqlite3.connect(path) as conn:  # one small slot, so the burst overflows it
        conn.execute("UPDATE slots SET capacity = ? WHERE id = ?", (CAPACITY, slot["id"]))
    slot_day = date.fromisoformat(slot["starts_at"][:10])

    results = []
    lock = threading.Lock()

    def worker(n):
        for i in range(ATTEMPTS // THREADS):
            born = slot_day.replace(year=1980) - timedelta(days=n * 100 + i)
            payload = {
                "slot_id": slot["id"],
                "nik": make_nik(born, female=bool(i % 2), serial=n * 1000 + i + 1),
                "name": f"Warga {n}-{i}",
                "birth_date": born.isoformat(),
                "phone": "081234567890",
                "consent": True,
            }
            outcome = _request(base + "/api/v1/appointments", payload)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    tally = Counter(
        (status, None if status < 400 else (body.get("error") or {}).get("code"))
        for status, body in results
    )
    assert len(results) == ATTEMPTS
    assert not [r for r in results if r[0] >= 500], tally
    assert tally == {(201, None): CAPACITY, (409, "slot_full"): ATTEMPTS - CAPACITY}, tally
    with sqlite3.connect(path) as conn:
        booked, capacity = conn.execute(
            "SELECT booked_count, capacity FROM slots WHERE id = ?", (slot["id"],)
        ).fetchone()
        holders = conn.execute(
            "SELECT count(*) FROM appointments WHERE slot_id = ? AND status = 'booked'",
            (slot["id"],),
        ).fetchone()[0]
    assert booked == holders == capacity == CAPACITY

    with sqlite3.connect(path) as conn:
        pending = conn.execute(
            "SELECT count(*) FROM outbox_messages WHERE status = 'pending'"
        ).fetchone()[0]
    assert pending >= CAPACITY  # the confirmations, beside what seed-demo queued
    # Each scrape is answered by one worker; every one sees all three workers' counts.
    for _ in range(6):
        samples = _metrics(base)
        bookings = {
            labels[0][1]: value
            for (name, labels), value in samples.items()
            if name == "antre_bookings_total"
        }
        assert bookings == {"booked": CAPACITY, "slot_full": ATTEMPTS - CAPACITY}, bookings
        key = (
            "antre_http_request_duration_seconds_count",
            (("method", "POST"), ("route", "/api/v1/appointments"), ("status", "201")),
        )
        assert samples[key] == CAPACITY
        assert samples[("antre_outbox_messages", (("status", "pending"),))] == pending
