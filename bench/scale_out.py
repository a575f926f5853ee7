"""Scale-out run: two app servers behind nginx, two outbox workers, one PostgreSQL.
See bench/README.md.

    .venv/bin/python bench/scale_out.py [--rounds 3] [--attempts 2400] [--seats 400]

On its own PostgreSQL (initdb + pg_ctl, --pg-port 5435) it serves Antre with two
gunicorn servers (`--workers` each, ports --port+1 and --port+2) behind Debian's nginx
(a config of its own in a temporary directory, round robin, keep-alive upstream, on
--port), sends the booking burst of bench/booking_burst.py through nginx, then lets two
outbox workers (`flask jobs run`) send every booking confirmation to a local provider
stand-in. It checks the guarantees: no slot overbooked, no NIK booked twice, seat
counters right, every message sent exactly once (no key delivered twice), and both
servers and both workers did part of the work. For comparison each round also sends the
same burst to one server alone (`--workers` x 2, no nginx). CPU per attempt: the app
servers, PostgreSQL (this cluster's processes only) and nginx, from /proc.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import booking_burst as bb  # noqa: E402
from faults import Server, prepare  # noqa: E402
from faults_outbox import stop, worker  # noqa: E402
from instances import OwnPostgres  # noqa: E402

from tests.notifications.fakes import FakeProvider  # noqa: E402

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream antre {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://antre;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def proc_cpu(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [pid, *map(int, f.read().split())]
    except OSError:
        return [pid]


class Nginx:
    def __init__(self, port, upstreams):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.dir = tempfile.mkdtemp(prefix="antre-nginx-")
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=self.dir, port=port, a=upstreams[0], b=upstreams[1]))
        self.port = port
        self.proc = subprocess.Popen([self.binary, "-p", self.dir, "-c", conf])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def measure(port, bodies, clients, dsn, pid_groups):
    """One burst through `port`; the summary with CPU ms per attempt per group."""
    bb._reset(dsn, True)
    before = {name: proc_cpu(pids()) for name, pids in pid_groups.items()}
    results, wall, client_cpu = bb.burst(port, "/api/v1/appointments", bodies, clients)
    out = bb.summarise(f"burst via {port}", results, wall)
    for name, pids in pid_groups.items():
        spent = proc_cpu(pids()) - before[name]
        out[f"{name}_cpu_ms_per_attempt"] = round(spent * 1000 / len(results), 3)
    out["client_cpu_ms_per_attempt"] = round(client_cpu, 2)
    out["overbooked"], out["counter_mismatch"], out["duplicates"] = bb.integrity(
        dsn, "slots", "appointments", "('booked', 'checked_in')"
    )
    return out


def drain(dsn, env, provider, timeout=300):
    """Two workers send the outbox; (seconds, report)."""
    with psycopg.connect(dsn) as conn:
        total = conn.execute("SELECT count(*) FROM outbox_messages").fetchone()[0]
    t0 = time.monotonic()
    procs = [worker(env), worker(env)]
    try:
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            with psycopg.connect(dsn) as conn:
                left = conn.execute(
                    "SELECT count(*) FROM outbox_messages WHERE status <> 'sent'"
                ).fetchone()[0]
            if not left:
                break
            time.sleep(0.2)
        seconds = time.monotonic() - t0
    finally:
        for proc in procs:
            stop(proc)
    with psycopg.connect(dsn) as conn:
        by_worker = dict(
            conn.execute(
                "SELECT split_part(claimed_by, ':', 2), count(*) FROM outbox_messages GROUP BY 1"
            ).fetchall()
        )
        unsent = conn.execute(
            "SELECT count(*) FROM outbox_messages WHERE status <> 'sent'"
        ).fetchone()[0]
    delivered = provider.delivered()
    keys = [r["headers"]["Idempotency-Key"] for r in delivered]
    return {
        "messages": total,
        "seconds": round(seconds, 1),
        "unsent": unsent,
        "delivered": len(delivered),
        "keys_delivered_twice": len(keys) - len(set(keys)),
        "offered_again_same_key": len(provider.replays()),
        "sent_by_worker_pid": by_worker,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pg-port", type=int, default=5435)
    p.add_argument("--port", type=int, default=5170)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--attempts", type=int, default=2400)
    p.add_argument("--seats", type=int, default=400)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()

    pg = OwnPostgres(args.pg_port, {"max_connections": "200"}).start()
    provider = FakeProvider("wamid", port=args.port + 9)
    servers, nginx = [], None
    try:
        dsn, env, slot_ids, day = prepare(pg, seats=args.seats)
        env["WHATSAPP_API_URL"] = provider.url
        bodies = bb.attempts(slot_ids, args.attempts, 0.1, day)
        a, b, alone = args.port + 1, args.port + 2, args.port + 3
        servers = [Server("wsgi:app", env, args.workers, port) for port in (a, b)]
        single = Server("wsgi:app", env, args.workers * 2, alone)
        servers.append(single)
        for server in servers:
            server.wait("/healthz")
        nginx = Nginx(args.port, (a, b))
        time.sleep(1)
        groups_out = {
            "app": lambda: [pid for s in servers[:2] for pid in children(s.proc.pid)],
            "postgres": pg.pids,
            "nginx": lambda: children(nginx.proc.pid),
        }
        groups_single = {"app": lambda: children(single.proc.pid), "postgres": pg.pids}
        warm = bodies[: min(400, len(bodies))]
        bb.burst(args.port, "/api/v1/appointments", warm, args.clients)
        bb.burst(alone, "/api/v1/appointments", warm, args.clients)
        rounds = []
        for _ in range(args.rounds):
            scaled = measure(args.port, bodies, args.clients, dsn, groups_out)
            one = measure(alone, bodies, args.clients, dsn, groups_single)
            rounds.append({"two_servers_nginx": scaled, "one_server": one})
        # The last burst's outbox came from the single server: redo one through nginx
        # and let the two workers send it.
        final = measure(args.port, bodies, args.clients, dsn, groups_out)
        outbox = drain(dsn, env, provider)
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": os.getloadavg(),
            "args": vars(args),
            "rounds": rounds,
            "final_burst": final,
            "outbox": outbox,
        }
        for key in ("two_servers_nginx", "one_server"):
            runs = [r[key] for r in rounds]
            report[f"median_{key}"] = {
                field: statistics.median(r[field] for r in runs)
                for field in (
                    "attempts_per_s",
                    "p50_ms",
                    "p99_ms",
                    "app_cpu_ms_per_attempt",
                    "postgres_cpu_ms_per_attempt",
                )
            }
        every = [r[k] for r in rounds for k in r] + [final]
        report["ok"] = (
            all(r["overbooked"] == 0 and r["duplicates"] == 0 for r in every)
            and all(r["counter_mismatch"] == 0 and r["server_errors"] == 0 for r in every)
            and all(r["bookings"] == args.seats for r in every)
            and outbox["unsent"] == 0
            and outbox["keys_delivered_twice"] == 0
            and outbox["delivered"] == outbox["messages"]
            and len(outbox["sent_by_worker_pid"]) == 2
        )
    finally:
        if nginx:
            nginx.stop()
        for server in servers:
            server.stop()
        provider.close()
        pg.destroy()
    print(json.dumps({k: v for k, v in report.items() if k != "rounds"}, indent=2))
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(HERE, "out", f"scale_out-{stamp}.json"), "w") as f:
        json.dump(report, f, indent=2)
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
