"""Booking burst and slot listing benchmark (issue A's speed section). See bench/README.md.

1. Creates a private PostgreSQL database (dropped at the end), migrates it, and puts
   `--seats` seats in slots of `--capacity`.
2. Serves Antre with gunicorn (`--workers` sync workers) on a free loopback port and
   fires `--attempts` booking attempts from `--clients` concurrent clients (a share of
   them reuse a NIK for another slot). Reports attempts/s, bookings, latency
   percentiles, and counts overbooked slots and NIKs holding two active bookings.
3. Does the same against bench/bare_app.py (Flask + psycopg, the same transaction)
   and prints the throughput ratio app / bare.
4. Bulk-loads `--rows` appointments with generate_series and times the slot listing
   of one site over 30 days inside the app (the WSGI call, no network), plus the
   query's own execution time from EXPLAIN ANALYZE.
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
WIB = ZoneInfo("Asia/Jakarta")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to CREATE DATABASE (loopback only)",
    )
    p.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="rate-limit storage shared by the workers, as in production; '' for memory://",
    )
    p.add_argument(
        "--booking-limit",
        default="1000000 per minute",
        help="BOOKING_LIMIT_PER_ADDRESS for the burst; 'off' leaves it to a reverse proxy",
    )
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--rounds", type=int, default=1, help="app and bare bursts in turn")
    p.add_argument("--attempts", type=int, default=2400)
    p.add_argument("--seats", type=int, default=400)
    p.add_argument("--capacity", type=int, default=10)
    p.add_argument("--duplicate-share", type=float, default=0.1)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--listing-runs", type=int, default=300)
    p.add_argument("--skip-listing", action="store_true")
    p.add_argument("--skip-burst", action="store_true", help="only the slot listing")
    p.add_argument("--keep", action="store_true", help="keep the database (for profiling)")
    return p.parse_args()


# ------------------------------------------------------------------------------ helpers


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def free_port():
    """A free loopback port: the first free one of BENCH_PORTS ("5140-5149") when set, on
    a host where each user has a range of its own; else any."""
    first, _, last = os.environ.get("BENCH_PORTS", "0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise SystemExit(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def make_nik(born, female, serial):
    day = born.day + (40 if female else 0)
    return f"331902{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


class Server:
    """A gunicorn process on a loopback port, stopped by its own pid."""

    def __init__(self, target, env, workers, chdir=None):
        self.port = free_port()
        cmd = [
            os.path.join(BIN, "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        if chdir:
            cmd += ["--chdir", chdir]
        self.proc = subprocess.Popen(cmd + [target], cwd=ROOT, env=env)

    def wait(self, path):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("gunicorn exited")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", path)
                if conn.getresponse().status < 500:
                    return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer")

    def cpu_seconds(self):
        """User + system CPU time used so far by the workers (Linux /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                children = f.read().split()
        except OSError:
            return None
        for pid in children:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except OSError:
                continue
        return total / ticks

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def host_cpu_seconds(names=("postgres", "redis-server")):
    """User + system CPU time used so far by the processes with these names (Linux
    /proc; the database and Redis on this host): {name: seconds}."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(names, 0.0)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        name = head.split("(", 1)[1]
        if name in totals:
            fields = tail.split()
            totals[name] += (int(fields[11]) + int(fields[12])) / ticks
    return totals


def burst(port, path, bodies, clients):
    """POST every body from `clients` threads; returns ([(status, code, seconds)], wall
    seconds, the client's CPU ms per attempt)."""
    results, lock, cursor = [], threading.Lock(), iter(range(len(bodies)))
    start_gate = threading.Barrier(clients + 1)

    def client():
        start_gate.wait()
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            payload = json.dumps(bodies[i]).encode()
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", path, payload, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
            elapsed = time.perf_counter() - t0
            conn.close()
            code = None
            if resp.status >= 400:
                try:
                    code = json.loads(raw)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = "unparsed"
            with lock:
                results.append((resp.status, code, elapsed))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    # The client's own CPU (its threads share one interpreter): the same for both apps.
    client_cpu_ms = (time.process_time() - c0) * 1000 / max(1, len(bodies))
    return results, wall, client_cpu_ms


def summarise(name, results, wall):
    lat = [r[2] * 1000 for r in results]
    tally, by_answer = {}, {}
    for status, code, seconds in results:
        key = f"{status} {code}" if code else str(status)
        tally[key] = tally.get(key, 0) + 1
        by_answer.setdefault(key, []).append(seconds * 1000)
    out = {
        "name": name,
        "attempts": len(results),
        "seconds": round(wall, 2),
        "attempts_per_s": round(len(results) / wall, 1),
        "bookings": sum(1 for r in results if r[0] == 201),
        "bookings_per_s": round(sum(1 for r in results if r[0] == 201) / wall, 1),
        "p50_ms": round(pct(lat, 50), 1),
        "p95_ms": round(pct(lat, 95), 1),
        "p99_ms": round(pct(lat, 99), 1),
        "max_ms": round(max(lat), 1),
        "mean_ms": round(statistics.fmean(lat), 1),
        "server_errors": sum(1 for r in results if r[0] >= 500),
        "answers": tally,
        # Where the tail comes from: the latency of each kind of answer.
        "p50_p99_ms_by_answer": {
            key: [
                round(pct(by_answer[key], 50), 1),
                round(pct(by_answer[key], 99), 1),
            ]
            for key in sorted(by_answer)
        },
    }
    print(f"\n== {name}")
    for key, value in out.items():
        if key != "name":
            print(f"  {key:15} {value}")
    return out


# ------------------------------------------------------------------------------- set-up


def create_database(admin_url):
    host = psycopg.conninfo.conninfo_to_dict(admin_url).get("host", "127.0.0.1")
    if host not in LOOPBACK:
        raise SystemExit(f"refusing a non-loopback database host: {host}")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    return name, dsn


def drop_database(admin_url, name):
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def app_env(dsn, redis_url="", booking_limit="1000000 per minute"):
    if redis_url and urllib.parse.urlsplit(redis_url).hostname not in LOOPBACK:
        raise SystemExit(f"refusing a non-loopback Redis: {redis_url}")
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    user = info.get("user", "postgres")
    auth = user + (f":{info['password']}" if info.get("password") else "")
    url = f"postgresql+psycopg://{auth}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{info['dbname']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SCHEDULER_ENV": "production",
        "SECRET_KEY": "bench-secret-key",
        "NIK_ENCRYPTION_KEY": "bench-nik-encryption",
        "NIK_HASH_KEY": "bench-nik-hash",
        # The links in the messages (the worker of the outbox benches needs it).
        "PUBLIC_BASE_URL": "https://antre.example.go.id",
        # One address sends the whole burst: lift the per-address booking limit (the
        # check still runs), or leave it to the proxy with --booking-limit off.
        "BOOKING_LIMIT_PER_ADDRESS": booking_limit,
        "REDIS_URL": redis_url,
        "BARE_DSN": dsn,
    }
    env.pop("SCHEDULER_CONFIG", None)
    return env


def seed(dsn, seats, capacity):
    """One office with seats/capacity slots tomorrow and the day after; the bare tables."""
    from bare_app import SCHEMA

    n_slots = seats // capacity
    tomorrow = datetime.now(WIB).date() + timedelta(days=1)
    starts = []
    day, k = tomorrow, 0
    while len(starts) < n_slots:
        if k == 14:
            day, k = day + timedelta(days=1), 0
        local = datetime(day.year, day.month, day.day, 8, tzinfo=WIB) + timedelta(minutes=30 * k)
        starts.append(local.astimezone(UTC).replace(tzinfo=None))
        k += 1
    with psycopg.connect(dsn) as conn:
        site_id = conn.execute(
            "INSERT INTO sites (name, kind, address, kecamatan, kecamatan_code, desa, timezone,"
            " stations, slot_minutes, closes_on_cuti_bersama, active) VALUES ('Kantor Bench',"
            " 'office', 'Jl. Bench', 'Kota Kudus', '33.19.02', 'Kramat', 'Asia/Jakarta', %s,"
            " 30, false, true) RETURNING id",
            (capacity // 2,),
        ).fetchone()[0]
        slot_ids = [
            conn.execute(
                "INSERT INTO slots (site_id, starts_at, ends_at, capacity, booked_count,"
                " session_kind, is_public) VALUES (%s, %s, %s, %s, 0, 'regular', true)"
                " RETURNING id",
                (site_id, s, s + timedelta(minutes=30), capacity),
            ).fetchone()[0]
            for s in starts
        ]
        conn.execute(SCHEMA)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bare_slots (id, capacity) VALUES (%s, %s)",
                [(sid, capacity) for sid in slot_ids],
            )
    return site_id, slot_ids, tomorrow


def attempts(slot_ids, count, duplicate_share, slot_day):
    """Booking bodies: every slot gets the same share; some NIKs try a second slot."""
    rng = random.Random(20261207)
    bodies = []
    for i in range(count):
        slot_id = slot_ids[i % len(slot_ids)]
        if bodies and rng.random() < duplicate_share:
            earlier = rng.choice(bodies)
            others = [s for s in slot_ids if s != earlier["slot_id"]]
            bodies.append({**earlier, "slot_id": rng.choice(others)})
            continue
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
        female = rng.random() < 0.5
        bodies.append(
            {
                "slot_id": slot_id,
                "nik": make_nik(born, female, i % 9999 + 1),
                "name": f"Warga Bench {i}",
                "birth_date": born.isoformat(),
                "phone": f"0812{rng.randrange(10**7, 10**8)}",
                "consent": True,
            }
        )
    rng.shuffle(bodies)
    return bodies


def integrity(dsn, slots_table, appointments_table, active):
    """(overbooked slots, counter mismatches, NIKs with two active bookings)."""
    with psycopg.connect(dsn) as conn:
        over = conn.execute(
            f"SELECT count(*) FROM {slots_table} s WHERE (SELECT count(*) FROM"
            f" {appointments_table} a WHERE a.slot_id = s.id AND a.status IN {active})"
            " > s.capacity"
        ).fetchone()[0]
        mismatch = conn.execute(
            f"SELECT count(*) FROM {slots_table} s WHERE s.booked_count <> (SELECT count(*)"
            f" FROM {appointments_table} a WHERE a.slot_id = s.id AND a.status IN {active})"
        ).fetchone()[0]
        dups = conn.execute(
            f"SELECT count(*) FROM (SELECT nik_hash FROM {appointments_table} WHERE status IN"
            f" {active} GROUP BY nik_hash HAVING count(*) > 1) d"
        ).fetchone()[0]
    return over, mismatch, dups


# ------------------------------------------------------------------------------ listing

BULK = """
INSERT INTO sites (name, kind, address, kecamatan, kecamatan_code, desa, timezone, stations,
                   slot_minutes, closes_on_cuti_bersama, active)
SELECT 'Kecamatan Bench ' || g, 'subdistrict', '', 'Bench', '33.19.99', '', 'Asia/Jakarta',
       2, 30, false, true
FROM generate_series(1, %(sites)s) g;
"""

BULK_SLOTS = """
INSERT INTO slots (site_id, starts_at, ends_at, capacity, booked_count, session_kind, is_public)
SELECT s.id, d + make_interval(mins => 30 * k), d + make_interval(mins => 30 * k + 30),
       4, 0, 'regular', true
FROM sites s,
     generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - interval '700 days' + interval '1 hour',
                     date_trunc('day', now() AT TIME ZONE 'UTC') + interval '31 days',
                     interval '1 day') d,
     generate_series(0, 13) k
WHERE s.name LIKE 'Kecamatan Bench %';
"""

BULK_APPOINTMENTS = """
INSERT INTO appointments (code, slot_id, site_id, status, channel, nik_hash, nik_encrypted,
    nik_masked, name, birth_date, female, married, phone, email, locale, consent_at, booked_at,
    status_changed_at)
SELECT 'Z' || lpad(to_hex(g), 8, '0'), s.id, s.site_id,
       (ARRAY['recorded', 'cancelled', 'no_show', 'recording_failed'])[1 + g %% 4],
       'web', md5(g::text) || md5((g + 7)::text), 'bench', '3319**********01',
       'Warga ' || g, date '1990-01-01', g %% 2 = 0, false, '+6281234567890', NULL, 'id',
       s.starts_at - interval '3 days', s.starts_at - interval '3 days', s.starts_at
FROM generate_series(1, %(rows)s) g
JOIN slots s ON s.id = %(first)s + (g %% %(past)s);
"""


def listing(dsn, env, rows, runs):
    with psycopg.connect(dsn) as conn:
        t0 = time.perf_counter()
        conn.execute(BULK, {"sites": 40})
        conn.execute(BULK_SLOTS)
        first, past = conn.execute(
            "SELECT min(s.id), count(*) FROM slots s JOIN sites t ON t.id = s.site_id"
            " WHERE t.name LIKE 'Kecamatan Bench %%' AND s.starts_at < now() AT TIME ZONE 'UTC'"
        ).fetchone()
        conn.execute(BULK_APPOINTMENTS, {"rows": rows, "first": first, "past": past})
        conn.commit()
        load_s = time.perf_counter() - t0
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        total_appointments = conn.execute("SELECT count(*) FROM appointments").fetchone()[0]
        total_slots = conn.execute("SELECT count(*) FROM slots").fetchone()[0]
        site_id = conn.execute("SELECT id FROM sites WHERE name = 'Kecamatan Bench 1'").fetchone()[
            0
        ]
    print(
        f"\n== slot listing: {total_appointments:,} appointments, {total_slots:,} slots "
        f"(bulk load {load_s:.1f} s)"
    )

    os.environ.update({k: v for k, v in env.items() if k not in ("BARE_DSN",)})
    sys.path.insert(0, ROOT)
    import sqlalchemy as sa

    from scheduler import create_app
    from scheduler.extensions import db

    app = create_app()
    client = app.test_client()
    today = datetime.now(WIB).date()
    path = f"/api/v1/sites/{site_id}/slots?from={today}&to={today + timedelta(days=30)}"
    for _ in range(20):  # warm the pool and the caches
        assert client.get(path).status_code == 200
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        resp = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert resp.status_code == 200
    n_slots = len(resp.get_json()["slots"])

    with app.app_context():
        from scheduler.sites import services

        captured = []

        @sa.event.listens_for(db.engine, "before_cursor_execute")
        def grab(conn, cursor, statement, parameters, context, executemany):
            if "FROM slots" in statement:
                captured.append((statement, parameters))

        services.bookable_slots_json(site_id, today, today + timedelta(days=30))
        statement, params = captured[-1]
        explain_ms = []
        with db.engine.connect() as conn:
            for _ in range(50):
                plan = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params
                ).scalar()
                explain_ms.append(plan[0]["Execution Time"])
            plan_text = "\n".join(
                r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params).fetchall()
            )
        db.engine.dispose()
    out = {
        "slots_listed": n_slots,
        "request_p50_ms": round(pct(times, 50), 2),
        "request_p95_ms": round(pct(times, 95), 2),
        "request_p99_ms": round(pct(times, 99), 2),
        # CPU time of the request in the app: what a host with a free core would take,
        # whatever else the machine is doing.
        "request_cpu_p50_ms": round(pct(cpu, 50), 2),
        "request_cpu_p99_ms": round(pct(cpu, 99), 2),
        "query_execution_p50_ms": round(pct(explain_ms, 50), 3),
        "query_execution_max_ms": round(max(explain_ms), 3),
        "appointments": total_appointments,
        "slots": total_slots,
        "bulk_load_s": round(load_s, 1),
    }
    for key, value in out.items():
        print(f"  {key:24} {value}")
    print("  plan:\n    " + plan_text.replace("\n", "\n    "))
    return out


# --------------------------------------------------------------------------------- main


def _reset(dsn, antre):
    with psycopg.connect(dsn) as conn:  # start from empty seats
        if antre:
            conn.execute("DELETE FROM outbox_messages")
            conn.execute("DELETE FROM idempotency_keys")
            conn.execute("DELETE FROM appointments")
            conn.execute("UPDATE slots SET booked_count = 0")
        else:
            conn.execute("DELETE FROM bare_appointments")
            conn.execute("UPDATE bare_slots SET booked_count = 0")


def _one_burst(server, path, bodies, clients, dsn, antre, name):
    _reset(dsn, antre)
    cpu0, host0 = server.cpu_seconds(), host_cpu_seconds()
    results, wall, client_cpu_ms = burst(server.port, path, bodies, clients)
    cpu, host1 = server.cpu_seconds() - cpu0, host_cpu_seconds()
    out = summarise(name, results, wall)
    out["worker_cpu_ms_per_attempt"] = round(cpu * 1000 / len(results), 2)
    out["client_cpu_ms_per_attempt"] = round(client_cpu_ms, 2)
    # The rest of the host's work for the burst: PostgreSQL's processes (backends, WAL
    # writer, checkpointer) and Redis.
    out["postgres_cpu_ms_per_attempt"] = round(
        (host1["postgres"] - host0["postgres"]) * 1000 / len(results), 2
    )
    out["redis_cpu_ms_per_attempt"] = round(
        (host1["redis-server"] - host0["redis-server"]) * 1000 / len(results), 2
    )
    for key in ("worker", "client", "postgres", "redis"):
        print(f"  {key}_cpu_ms_per_attempt {out[f'{key}_cpu_ms_per_attempt']}")
    tables = ("slots", "appointments") if antre else ("bare_slots", "bare_appointments")
    out["overbooked"], out["counter_mismatch"], out["duplicates"] = integrity(
        dsn, *tables, "('booked', 'checked_in')"
    )
    print(
        f"  overbooked      {out['overbooked']}\n  counter_mismatch {out['counter_mismatch']}"
        f"\n  duplicates      {out['duplicates']}"
    )
    return out


def bursts(args, dsn, env, report):
    """The booking burst against Antre and against the bare app, `--rounds` times in
    turn (the host's speed drifts: pairs run back to back compare best); fills `report`
    with every round and the medians."""
    site_id, slot_ids, slot_day = seed(dsn, args.seats, args.capacity)
    bodies = attempts(slot_ids, args.attempts, args.duplicate_share, slot_day)

    server = Server("wsgi:app", env, args.workers).wait("/healthz")
    bare_server = Server("bare_app:app", env, args.workers, chdir="bench").wait("/")
    rounds = []
    try:
        # Warm-up, the same for both: every worker's first requests (lazy imports, its
        # pooled connections, prepared statements) are a cold start, not the burst.
        burst(server.port, "/api/v1/appointments", bodies[:400], args.clients)
        burst(bare_server.port, "/book", bodies[:400], args.clients)
        for n in range(1, args.rounds + 1):
            suffix = f", round {n}" if args.rounds > 1 else ""
            app = _one_burst(
                server,
                "/api/v1/appointments",
                bodies,
                args.clients,
                dsn,
                True,
                f"Antre (gunicorn, PostgreSQL){suffix}",
            )
            bare = _one_burst(
                bare_server,
                "/book",
                bodies,
                args.clients,
                dsn,
                False,
                f"bare Flask + psycopg (gunicorn, PostgreSQL){suffix}",
            )
            ratio = app["attempts_per_s"] / bare["attempts_per_s"]
            print(f"\n== ratio app / bare (attempts per second){suffix}: {ratio:.2f}")
            rounds.append({"app": app, "bare": bare, "ratio": round(ratio, 2)})
    finally:
        server.stop()
        bare_server.stop()
    report["loadavg"] = os.getloadavg()
    report["rounds"] = rounds
    median = statistics.median
    report["median"] = {
        "ratio": median(r["ratio"] for r in rounds),
        **{
            f"{who}_{key}": median(r[who][key] for r in rounds)
            for who in ("app", "bare")
            for key in (
                "attempts_per_s",
                "p50_ms",
                "p99_ms",
                "worker_cpu_ms_per_attempt",
                "postgres_cpu_ms_per_attempt",
            )
        },
    }
    if args.rounds > 1:
        print(f"\n== medians over {args.rounds} rounds")
        for key, value in report["median"].items():
            print(f"  {key:32} {value}")
    print(f"   load average at the end: {os.getloadavg()}")
    return any(
        r["app"]["overbooked"] or r["app"]["duplicates"] or r["app"]["server_errors"]
        for r in rounds
    )


def main():
    args = parse_args()
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    name, dsn = create_database(args.admin_url)
    print(f"database {name}; {os.cpu_count()} CPUs; {args.workers} gunicorn workers")
    report = {"cpus": os.cpu_count(), "args": vars(args)}
    try:
        env = app_env(dsn, args.redis_url, args.booking_limit)
        subprocess.run(
            [os.path.join(BIN, "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        failed = False
        if not args.skip_burst:
            failed = bursts(args, dsn, env, report)
        if not args.skip_listing:
            report["listing"] = listing(dsn, env, args.rows, args.listing_runs)
        os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        with open(os.path.join(ROOT, "bench", "out", f"booking_burst-{stamp}.json"), "w") as f:
            json.dump(report, f, indent=2, default=str)
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(args.admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
