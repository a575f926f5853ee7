"""The outbox's fault runs (bench/faults.py worker-kill | provider-down): real worker
processes (`flask jobs run`) on a private PostgreSQL, against the local provider
stand-ins of the test suite (tests/notifications/fakes.py) on the run's own ports."""

import os
import signal
import subprocess
import time

import booking_burst as bb
import psycopg
from faults import prepare
from instances import OwnPostgres

from tests.notifications.fakes import FakeProvider, Mailbox

CONTEXT = (
    '{"code": "CODE%s", "site": "Disdukcapil Kudus", "starts_at": "2026-12-08T10:00:00+07:00",'
    ' "link": "http://127.0.0.1:5000/janji/X?s=y"}'
)


def queue(dsn, n, route="phone", offset=0):
    """n booking_confirmed rows, written as enqueue() writes them."""
    rows = [
        (
            f"CODE{offset + i:05d}",
            f"+62812{offset + i:07d}" if route == "phone" else None,
            f"warga{offset + i}@example.test" if route == "email" else None,
            CONTEXT % f"{offset + i:05d}",
            route,
            os.urandom(16).hex(),
        )
        for i in range(n)
    ]
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO outbox_messages (event, reference, recipient_name, phone, email,"
            " locale, context, route, status, idempotency_key, attempts, next_attempt_at,"
            " created_at) VALUES ('booking_confirmed', %s, 'Warga', %s, %s, 'id', %s, %s,"
            " 'pending', %s, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')",
            rows,
        )
    return {r[5] for r in rows}


def statuses(dsn):
    with psycopg.connect(dsn) as conn:
        return dict(
            conn.execute(
                "SELECT route || ' ' || status, count(*) FROM outbox_messages GROUP BY 1"
            ).fetchall()
        )


def worker(env):
    return subprocess.Popen(
        [os.path.join(bb.BIN, "flask"), "--app", "wsgi", "jobs", "run"],
        cwd=bb.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(bb.ROOT, "bench", "out", "worker.log"), "a"),
    )  # fmt: skip


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_worker_kill(args):
    """Two workers drain --messages; one of them is killed with SIGKILL (and replaced)
    --kills times mid-batch. Expect every message delivered, none twice to a resident,
    at most one offered again per kill (the one in flight, with the same key)."""
    pg = OwnPostgres(args.pg_port).start()
    provider = FakeProvider("wamid", delay=0.004, port=args.port + 1)
    procs = []
    try:
        dsn, env, _, _ = prepare(pg, seats=10)
        env.update(
            WHATSAPP_API_URL=provider.url,
            OUTBOX_LEASE_SECONDS="3",
            OUTBOX_POLL_SECONDS="1",
            OUTBOX_BATCH_SIZE="100",
        )
        keys = queue(dsn, args.messages)
        t0 = time.monotonic()
        procs = [worker(env), worker(env)]
        kills = 0
        while kills < args.kills:
            time.sleep(1.2)
            if len(provider.requests) >= args.messages:
                break
            victim = procs[kills % 2]
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            procs[kills % 2] = worker(env)
            kills += 1
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and statuses(dsn).get("phone sent", 0) < args.messages:
            time.sleep(0.2)
        seconds = time.monotonic() - t0
        delivered = provider.delivered()
        report = {
            "run": "worker-kill",
            "messages": args.messages,
            "kills": kills,
            "seconds": round(seconds, 1),
            "outbox": statuses(dsn),
            "delivered_to_residents": len(delivered),
            "distinct_keys_delivered": len({r["headers"]["Idempotency-Key"] for r in delivered}),
            "offered_again_same_key": len(provider.replays()),
            "not_delivered": len(keys - set(provider.keys())),
        }
        report["ok"] = (
            report["not_delivered"] == 0
            and report["delivered_to_residents"] == args.messages
            and report["offered_again_same_key"] <= kills
        )
        return report
    finally:
        for proc in procs:
            stop(proc)
        provider.close()
        pg.destroy()


def run_provider_down(args):
    """WhatsApp hangs (longer than the timeout) for the first half of --minutes, then
    answers 500 for the second half, then recovers; email keeps working. Expect the
    emails to go out meanwhile, the phone messages retried with growing delays (not in a
    tight loop), and all of them sent once WhatsApp is back."""
    from aiosmtpd.controller import Controller

    pg = OwnPostgres(args.pg_port).start()
    whatsapp = FakeProvider("wamid", port=args.port + 1)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=args.port + 2)
    smtp.start()
    proc = None
    phones, emails = 100, 100
    try:
        dsn, env, _, _ = prepare(pg, seats=10)
        env.update(
            WHATSAPP_API_URL=whatsapp.url,
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(args.port + 2),
            OUTBOX_HTTP_TIMEOUT_SECONDS="0.5",
            OUTBOX_BACKOFF_SECONDS="2",
            OUTBOX_BACKOFF_MAX_SECONDS="30",
            OUTBOX_MAX_ATTEMPTS="100",
            OUTBOX_POLL_SECONDS="1",
        )
        down_for = args.minutes * 60
        whatsapp.default = (200, {}, 2.0)  # hangs: 2 s against a 0.5 s timeout
        queue(dsn, phones, "phone")
        queue(dsn, emails, "email", offset=phones)
        t0 = time.monotonic()
        proc = worker(env)
        emails_done = first_email = None
        timeline = []
        while time.monotonic() - t0 < down_for:
            elapsed = time.monotonic() - t0
            if elapsed > down_for / 2 and whatsapp.default[0] == 200:
                whatsapp.default = (500, {}, 0.0)
            if first_email is None and mailbox.messages:
                first_email = round(elapsed, 1)
            if emails_done is None and len(mailbox.messages) >= emails:
                emails_done = round(elapsed, 1)
            timeline.append((round(elapsed), len(whatsapp.requests), len(mailbox.messages)))
            time.sleep(1)
        tried_while_down = len(whatsapp.requests)
        whatsapp.default = (200, {}, 0.0)
        back = time.monotonic()
        while time.monotonic() - back < 120 and len(whatsapp.delivered()) < phones:
            time.sleep(0.5)
        recovered = round(time.monotonic() - back, 1)
        per_minute = {}
        for second, requests, _ in timeline:
            per_minute[second // 60] = requests
        report = {
            "run": "provider-down",
            "down_seconds": down_for,
            "phone_messages": phones,
            "emails": emails,
            "first_email_after_s": first_email,
            "emails_all_sent_after_s": emails_done,
            "whatsapp_attempts_while_down": tried_while_down,
            "attempts_per_phone_message_while_down": round(tried_while_down / phones, 1),
            "whatsapp_requests_by_minute_cumulative": per_minute,
            "phone_all_delivered_after_recovery_s": recovered,
            "delivered": len(whatsapp.delivered()),
            "outbox": statuses(dsn),
        }
        report["ok"] = (
            emails_done is not None
            and len(whatsapp.delivered()) == phones
            and len({r["headers"]["Idempotency-Key"] for r in whatsapp.delivered()}) == phones
        )
        return report
    finally:
        if proc:
            stop(proc)
        smtp.stop()
        whatsapp.close()
        pg.destroy()
