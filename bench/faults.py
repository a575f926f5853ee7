"""Fault runs: what residents and the outbox see when a server fails. See bench/README.md.

    .venv/bin/python bench/faults.py pg-restart      # PostgreSQL stopped mid-burst, started again
    .venv/bin/python bench/faults.py redis-down      # Redis killed mid-burst, started again
    .venv/bin/python bench/faults.py worker-kill     # kill -9 outbox workers mid-batch, repeatedly
    .venv/bin/python bench/faults.py provider-down   # WhatsApp hangs or answers 500 for a while

Each run starts its own PostgreSQL (initdb + pg_ctl on --pg-port, default 5433) and, for
redis-down, its own redis-server (--redis-port, 6380); app servers listen on --port
(5160). Nothing shared is stopped. Every run checks the guarantees at the end (every
acknowledged booking in the database, no overbooking, every message sent once) and
exits non-zero when one fails; its figures go to bench/out/faults-<run>-<UTC>.json.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import booking_burst as bb  # noqa: E402
from instances import OwnPostgres, OwnRedis  # noqa: E402

ROOT = bb.ROOT
ACTIVE = "('booked', 'checked_in')"


class Server(bb.Server):
    """gunicorn on a given loopback port (the run's own range)."""

    def __init__(self, target, env, workers, port, timeout=30):
        self.port = port
        cmd = [
            os.path.join(bb.BIN, "gunicorn"),
            "-w", str(workers),
            "-b", f"127.0.0.1:{port}",
            "--timeout", str(timeout),
            "--graceful-timeout", "5",
            "--log-level", "warning",
        ]  # fmt: skip
        self.proc = subprocess.Popen([*cmd, target], cwd=ROOT, env=env)

    def wait(self, path, timeout=180):
        """Until it answers (a busy host may take a while to start the workers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status < 500:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")


def prepare(pg, seats=4000, capacity=10, **env_extra):
    """A private database on the run's PostgreSQL, migrated and seeded; (dsn, env, slot ids,
    slot day)."""
    name, dsn = bb.create_database(pg.admin_url)
    env = bb.app_env(dsn, env_extra.pop("redis_url", ""))
    env.update({k: str(v) for k, v in env_extra.items()})
    subprocess.run(
        [os.path.join(bb.BIN, "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    _, slot_ids, day = bb.seed(dsn, seats, capacity)
    return dsn, env, slot_ids, day


class Load:
    """Client threads sending bookings (unique NIKs) and, optionally, look-ups, recording
    (moment, kind, status, error code, booking code) for each answer."""

    def __init__(self, port, bodies, clients=16, lookups=False, timeout=10):
        self.port, self.bodies, self.clients = port, bodies, clients
        self.lookups, self.timeout = lookups, timeout
        self.results, self.lock = [], threading.Lock()
        self.cursor = iter(range(len(bodies)))
        self.stop = threading.Event()
        self.t0 = None

    def _request(self, method, path, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, json.dumps(body), {"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, raw, resp.getheader("Retry-After")
        except OSError as exc:
            return 0, type(exc).__name__.encode(), None
        finally:
            conn.close()

    def _client(self, n):
        booked = []
        while not self.stop.is_set():
            if self.lookups and booked and n % 2:
                code, nik = booked[-1]
                kind, answer = (
                    "lookup",
                    self._request("POST", f"/api/v1/appointments/{code}/lookup", {"nik": nik}),
                )
            else:
                with self.lock:
                    i = next(self.cursor, None)
                if i is None:
                    return
                kind, answer = (
                    "booking",
                    self._request("POST", "/api/v1/appointments", self.bodies[i]),
                )
            status, raw, retry_after = answer
            code = error = None
            try:
                data = json.loads(raw)
                if status == 201:
                    code = data["appointment"]["code"]
                    booked.append((code, self.bodies[i]["nik"]))
                elif status >= 400:
                    error = data["error"]["code"]
            except (ValueError, KeyError, TypeError):
                error = raw[:40].decode(errors="replace") if status != 201 else "unparsed"
            with self.lock:
                self.results.append(
                    (time.monotonic() - self.t0, kind, status, error, code, retry_after)
                )

    def start(self):
        self.t0 = time.monotonic()
        self.threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for t in self.threads:
            t.start()
        return self

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(60)
        return self.results


def tally(results, start=None, end=None, kind=None):
    out = {}
    for at, k, status, error, _, _ in results:
        if (start is None or at >= start) and (end is None or at < end) and kind in (None, k):
            key = f"{k} {status}" + (f" {error}" if error else "")
            out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def first_success_after(results, moment, kind="booking"):
    later = [
        at for at, k, status, *_ in results if k == kind and status in (200, 201) and at >= moment
    ]
    return round(min(later) - moment, 2) if later else None


def check_bookings(dsn, results):
    """Every acknowledged booking is in the database; no slot overbooked; no NIK twice."""
    acknowledged = {r[4] for r in results if r[2] == 201}
    with psycopg.connect(dsn) as conn:
        stored = {
            row[0]
            for row in conn.execute(f"SELECT code FROM appointments WHERE status IN {ACTIVE}")
        }
    over, mismatch, dups = bb.integrity(dsn, "slots", "appointments", ACTIVE)
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_missing": len(acknowledged - stored),
        "stored_not_acknowledged": len(stored - acknowledged),
        "overbooked": over,
        "counter_mismatch": mismatch,
        "duplicates": dups,
    }


def bodies_for(slot_ids, day, count):
    return bb.attempts(slot_ids, count, 0.0, day)


# ----------------------------------------------------------------------------- runs


def run_pg_restart(args):
    """Bookings flow; PostgreSQL stops (every connection cut) for --outage seconds and
    starts again. Expect 503 meanwhile, 201s again within seconds, nothing lost."""
    pg = OwnPostgres(args.pg_port).start()
    server = None
    try:
        dsn, env, slot_ids, day = prepare(pg)
        server = Server("wsgi:app", env, args.workers, args.port)
        server.wait("/healthz")
        load = Load(args.port, bodies_for(slot_ids, day, 40000), clients=args.clients).start()
        time.sleep(args.before)
        pg.stop("fast")
        down = time.monotonic() - load.t0
        time.sleep(args.outage)
        pg.start()
        up = time.monotonic() - load.t0
        time.sleep(args.after)
        results = load.finish()
        report = {
            "run": "pg-restart",
            "workers": args.workers,
            "clients": args.clients,
            "down_at_s": round(down, 2),
            "up_at_s": round(up, 2),
            "before": tally(results, 0, down),
            "during": tally(results, down, up),
            "after": tally(results, up),
            "first_201_after_up_s": first_success_after(results, up),
            **check_bookings(dsn, results),
        }
        report["ok"] = (
            report["acknowledged_missing"] == 0
            and report["overbooked"] == 0
            and report["duplicates"] == 0
            and report["first_201_after_up_s"] is not None
            and report["first_201_after_up_s"] < 10
            and not any(" 500" in k for k in report["during"] | report["after"])
        )
        return report
    finally:
        if server:
            server.stop()
        pg.destroy()


def run_redis_down(args):
    """Bookings and look-ups flow with the limits in Redis; Redis is killed for
    --outage seconds and started again. Expect bookings to go on, look-ups 503, and
    look-ups back once Redis is."""
    pg = OwnPostgres(args.pg_port).start()
    redis = OwnRedis(args.redis_port).start()
    server = None
    try:
        dsn, env, slot_ids, day = prepare(pg, redis_url=redis.url)
        server = Server("wsgi:app", env, args.workers, args.port)
        server.wait("/healthz")
        load = Load(
            args.port, bodies_for(slot_ids, day, 40000), clients=args.clients, lookups=True
        ).start()
        time.sleep(args.before)
        redis.kill()
        down = time.monotonic() - load.t0
        time.sleep(args.outage)
        redis.start()
        up = time.monotonic() - load.t0
        time.sleep(args.after)
        results = load.finish()
        during = tally(results, down, up)
        report = {
            "run": "redis-down",
            "down_at_s": round(down, 2),
            "up_at_s": round(up, 2),
            "before": tally(results, 0, down),
            "during": during,
            "after": tally(results, up),
            "first_lookup_200_after_up_s": first_success_after(results, up, "lookup"),
            **check_bookings(dsn, results),
        }
        report["ok"] = (
            report["acknowledged_missing"] == 0
            and report["overbooked"] == 0
            and any(k.startswith("booking 201") for k in during)
            and not any(" 500" in k for k in during | report["after"])
            and report["first_lookup_200_after_up_s"] is not None
        )
        return report
    finally:
        if server:
            server.stop()
        redis.destroy()
        pg.destroy()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("run", choices=["pg-restart", "redis-down", "worker-kill", "provider-down"])
    p.add_argument("--pg-port", type=int, default=5433)
    p.add_argument("--redis-port", type=int, default=6380)
    p.add_argument("--port", type=int, default=5160)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--before", type=float, default=2.0, help="seconds of load before the fault")
    p.add_argument("--outage", type=float, default=3.0, help="seconds the server stays down")
    p.add_argument("--after", type=float, default=6.0, help="seconds of load after it is back")
    p.add_argument("--messages", type=int, default=1000, help="worker-kill: messages queued")
    p.add_argument("--kills", type=int, default=4, help="worker-kill: kill -9 this many times")
    p.add_argument("--minutes", type=float, default=2.0, help="provider-down: how long")
    args = p.parse_args()
    if args.run in ("worker-kill", "provider-down"):
        import faults_outbox

        report = getattr(faults_outbox, "run_" + args.run.replace("-", "_"))(args)
    else:
        report = globals()["run_" + args.run.replace("-", "_")](args)
    print(json.dumps(report, indent=2))
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(HERE, "out", f"faults-{args.run}-{stamp}.json"), "w") as f:
        json.dump(report, f, indent=2)
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
