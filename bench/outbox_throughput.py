"""Outbox throughput: messages per second from `pending` to `sent` with the log channel.

Creates a private database (PostgreSQL: a new database next to the one in DATABASE_URL,
dropped afterwards; SQLite: a temporary file), queues N messages, starts W worker
processes that each run the worker's delivery loop (`deliver_due`, the job behind
`flask jobs run`) and times them from a common start until the outbox is empty. Checks
that every message was sent exactly once.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/outbox_throughput.py --messages 20000 --workers 2
"""

import argparse
import logging
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _config(url, batch_size):
    return {
        "SCHEDULER_ENV": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "NIK_ENCRYPTION_KEY": "bench",
        "NIK_HASH_KEY": "bench",
        "PUBLIC_BASE_URL": "https://antre.example.go.id",
        "OUTBOX_BATCH_SIZE": batch_size,
        "WHATSAPP_API_URL": None,
        "SMS_API_URL": None,
        "SMTP_HOST": None,
    }


def _quiet_logs(path):
    # The log channel still formats and writes every message, to a file, not the terminal.
    logging.getLogger().handlers.clear()
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("scheduler.notifications.delivery").setLevel(logging.INFO)


def _worker(url, batch_size, ready, go, results, log_path):
    from scheduler import create_app
    from scheduler.notifications import services

    app = create_app(_config(url, batch_size))
    _quiet_logs(log_path)
    with app.app_context():
        from scheduler.extensions import db

        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
        ready.release()
        go.wait()
        counts = services.deliver_due()
        results.put((os.getpid(), counts, time.perf_counter()))


def _queue(app, n):
    from scheduler import clock
    from scheduler.extensions import db
    from scheduler.notifications.models import OutboxMessage

    now = clock.now()
    rows = [
        {
            "event": "booking_confirmed",
            "reference": f"B{i:07d}",
            "nik_masked": "3319**********01",
            "recipient_name": "Warga",
            "phone": f"+628120{i:07d}",
            "email": None,
            "locale": "id" if i % 3 else "en",
            "context": {
                "code": f"B{i:07d}",
                "site": "Kantor Kecamatan Kota Kudus",
                "address": "Jl. Jenderal Sudirman 1",
                "starts_at": "2026-12-08T10:00:00+07:00",
                "link": f"https://antre.example/janji/B{i:07d}?s=AbCdEfGhIjKlMnOpQrStUvWxYz0",
            },
            "route": "phone",
            "status": "pending",
            "idempotency_key": uuid.uuid4().hex,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for i in range(n)
    ]
    with app.app_context():
        for start in range(0, n, 5000):
            db.session.execute(sa.insert(OutboxMessage), rows[start : start + 5000])
        db.session.commit()


def _database(base_url):
    """A private database URL and a function that removes it."""
    if not base_url or base_url.startswith("sqlite"):
        path = os.path.join(tempfile.mkdtemp(prefix="outbox-bench-"), "bench.db")
        return "sqlite:///" + path, lambda: None
    url = sa.engine.make_url(base_url)
    name = f"bench_outbox_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def run(messages, workers, batch_size, base_url):
    from scheduler import create_app
    from scheduler.extensions import db

    url, drop = _database(base_url)
    try:
        app = create_app(_config(url, batch_size))
        with app.app_context():
            db.create_all()
        _queue(app, messages)
        ctx = mp.get_context("spawn")
        ready, go, results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
        log_path = os.path.join(tempfile.mkdtemp(prefix="outbox-bench-log-"), "worker.log")
        procs = [
            ctx.Process(target=_worker, args=(url, batch_size, ready, go, results, log_path))
            for _ in range(workers)
        ]
        for p in procs:
            p.start()
        for _ in procs:
            ready.acquire()
        started = time.perf_counter()
        go.set()
        finished = [results.get(timeout=600) for _ in procs]
        for p in procs:
            p.join()
        elapsed = max(t for _, _, t in finished) - started
        with app.app_context():
            from scheduler.notifications.models import OutboxMessage

            t = OutboxMessage.__table__
            sent = db.session.scalar(sa.select(sa.func.count()).where(t.c.status == "sent"))
            senders = db.session.scalar(sa.select(sa.func.count(sa.distinct(t.c.claimed_by))))
            db.session.remove()
            db.engine.dispose()
        per_worker = [c["sent"] for _, c, _ in finished]
        with open(log_path) as log_file:
            logged = sum(1 for line in log_file if " outbox " in line)
        assert sent == messages == sum(per_worker) == logged, (sent, per_worker, logged)
        return {
            "database": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
            "messages": messages,
            "workers": workers,
            "batch_size": batch_size,
            "seconds": round(elapsed, 2),
            "per_second": round(messages / elapsed),
            "per_worker": per_worker,
            "senders": senders,
        }
    finally:
        drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL server (a private database is created on it); SQLite when unset",
    )
    args = parser.parse_args()
    result = run(args.messages, args.workers, args.batch_size, args.database_url)
    print(
        f"{result['database']}: {result['messages']} messages, {result['workers']} worker(s), "
        f"batch {result['batch_size']}: {result['seconds']} s, "
        f"{result['per_second']} messages/s (per worker: {result['per_worker']}; "
        f"{result['senders']} distinct senders; every message sent exactly once)"
    )


if __name__ == "__main__":
    main()
