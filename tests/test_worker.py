"""The worker as residents depend on it: through the real CLI, in real processes."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from scheduler import clock
from scheduler.extensions import db
from scheduler.notifications import delivery, services
from scheduler.notifications.models import OutboxMessage
from tests.factories import booking_body, make_slot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_booking_reaches_whatsapp_and_email_after_run_once(
    client, monkeypatch, whatsapp, smtp_server
):
    monkeypatch.setitem(client.application.config, "WHATSAPP_API_URL", whatsapp.url)
    monkeypatch.setitem(client.application.config, "WHATSAPP_TOKEN", "secret-token")
    monkeypatch.setitem(client.application.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(client.application.config, "SMTP_PORT", smtp_server.port)
    slot = make_slot(days_ahead=2)
    body = booking_body(slot, email="budi@example.com")
    resp = client.post("/api/v1/appointments", json=body, headers={"Accept-Language": "en"})
    assert resp.status_code == 201
    code = resp.get_json()["appointment"]["code"]
    assert whatsapp.requests == [] and smtp_server.messages == []  # nothing before the worker

    result = client.application.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert result.exit_code == 0, result.output
    assert "deliver_outbox: {'sent': 2" in result.output

    (wa,) = whatsapp.delivered()
    assert wa["headers"]["Authorization"] == "Bearer secret-token"
    assert wa["json"]["to"] == "6281234567890"
    # The resident never wrote to the office: the approved template, in English.
    template = wa["json"]["template"]
    assert (template["name"], template["language"]["code"]) == ("antre_booking_confirmed", "en")
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert code in values
    (mail,) = smtp_server.messages
    assert mail["To"] == "budi@example.com" and code in mail["Subject"]
    assert body["nik"] not in " ".join(values) + mail.get_content()
    # Run again: nothing is sent twice.
    client.application.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert len(whatsapp.requests) == 1 and len(smtp_server.messages) == 1


def test_run_once_names_unknown_jobs(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "--job", "nope"])
    assert result.exit_code != 0 and "deliver_outbox" in result.output


# ------------------------------------------------------------------ real processes


def _env(app, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SCHEDULER_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "NIK_ENCRYPTION_KEY": "test-nik-encryption",
        "NIK_HASH_KEY": "test-nik-hash",
        "OUTBOX_HTTP_TIMEOUT_SECONDS": "5",
        "PUBLIC_BASE_URL": "https://antre.example.go.id",
    }
    for key in ("SCHEDULER_CONFIG", "REDIS_URL", "SMTP_HOST", "SMS_API_URL"):
        env.pop(key, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _flask(*args):
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _queue(n):
    for i in range(n):
        services.enqueue(
            "booking_confirmed",
            name="Warga",
            phone=f"+62812000{i:05d}",
            reference=f"CODE{i:04d}",
            context={
                "code": f"CODE{i:04d}",
                "site": "Disdukcapil Kudus",
                "starts_at": "2026-12-08T10:00:00+07:00",
                "link": "https://antre.example.go.id/janji/X?s=y",
            },
        )
    db.session.commit()
    return {r.idempotency_key for r in _rows()}


def _rows():
    """The outbox as plain rows, the transaction ended (on SQLite a reader that stays in
    its transaction would hold the write lock the workers need)."""
    try:
        return db.session.execute(sa.select(OutboxMessage.__table__)).all()
    finally:
        db.session.rollback()


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_killed_worker_loses_nothing(committed_db, whatsapp, monkeypatch):
    clock.freeze(None)  # the subprocesses use the real clock
    keys = _queue(30)
    whatsapp.default = (200, {}, 0.05)
    env = _env(
        committed_db,
        WHATSAPP_API_URL=whatsapp.url,
        OUTBOX_BATCH_SIZE=30,
        OUTBOX_LEASE_SECONDS=600,
    )
    worker = subprocess.Popen(
        _flask("jobs", "run"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert _wait_for(lambda: len(whatsapp.requests) >= 5), "the worker never sent"
        worker.send_signal(signal.SIGKILL)  # mid-batch, no chance to clean up
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    rows = _rows()
    stranded = [r for r in rows if r.status != "sent"]
    assert stranded and all(r.lease_until is not None for r in stranded)

    # While the lease holds, no other worker touches them ...
    assert delivery.claim("another-worker", 100, lease_seconds=60) == []
    db.session.rollback()
    # ... once it expires (moved into the past rather than waited for), they go out.
    table = OutboxMessage.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.lease_until.is_not(None))
        .values(lease_until=clock.now() - timedelta(seconds=1))
    )
    db.session.commit()
    monkeypatch.setitem(committed_db.config, "WHATSAPP_API_URL", whatsapp.url)
    assert services.deliver_due()["sent"] == len(stranded)  # any worker will do
    assert {r.status for r in _rows()} == {"sent"}
    assert set(whatsapp.keys()) == keys  # nothing lost
    assert len(whatsapp.delivered()) == 30  # nothing delivered twice
    # At most the message in hand when it died was offered again (same key, dropped).
    assert len(whatsapp.replays()) <= 1


def test_sigterm_stops_the_worker_cleanly(committed_db, whatsapp):
    clock.freeze(None)
    _queue(20)
    whatsapp.default = (200, {}, 0.05)
    env = _env(committed_db, WHATSAPP_API_URL=whatsapp.url, OUTBOX_BATCH_SIZE=20)
    worker = subprocess.Popen(
        _flask("jobs", "run"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert _wait_for(lambda: len(whatsapp.requests) >= 3)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    rows = _rows()
    assert all(r.lease_until is None for r in rows)  # the rest was handed back
    sent = [r for r in rows if r.status == "sent"]
    assert 3 <= len(sent) < 20 and len(whatsapp.delivered()) == len(sent)
    assert all(r.status == "pending" and r.attempts == 0 for r in rows if r.status != "sent")


def test_two_workers_never_send_twice(committed_db, whatsapp):
    clock.freeze(None)
    keys = _queue(120)
    # 50 ms a message: one worker alone needs 6 s, longer than the second takes to start
    # on a busy machine (with 3 ms the first often sent all 120 before the second began).
    whatsapp.default = (200, {}, 0.05)
    env = _env(committed_db, WHATSAPP_API_URL=whatsapp.url, OUTBOX_BATCH_SIZE=10)
    command = _flask("jobs", "run-once", "--job", "deliver_outbox")
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
    assert len(whatsapp.requests) == 120  # every message offered exactly once
    assert sorted(whatsapp.keys()) == sorted(keys)
    assert {r.status for r in _rows()} == {"sent"}
    if db.engine.dialect.name == "postgresql":
        # SQLite's transactions begin IMMEDIATE (db.py), so a worker reading between two
        # sends holds the write lock and the other may not get a turn: sharing the work is
        # PostgreSQL's (SKIP LOCKED), where several workers are run.
        senders = {r.claimed_by for r in _rows()}
        assert len(senders) == 2, "both workers should have sent a share"


def test_the_web_app_never_starts_the_scheduler(app):
    code = (
        "import sys, threading, wsgi\n"
        "c = wsgi.app.test_client()\n"
        "assert c.get('/healthz').status_code in (200, 503)\n"
        "assert 'apscheduler' not in sys.modules, 'APScheduler imported by the web app'\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(app), check=True)
