"""Profile booking attempts in one process (bench/README.md, "What was profiled and fixed").

Creates a private PostgreSQL database like booking_burst.py (dropped at the end),
seeds the same slots, and sends booking attempts through `app.test_client()`:

    .venv/bin/python bench/booking_profile.py                 # CPU ms per attempt
    .venv/bin/python bench/booking_profile.py --profile       # + cProfile, CPU clock
    .venv/bin/python bench/booking_profile.py --statements    # the SQL of a refusal and a booking
    .venv/bin/python bench/booking_profile.py --big-slots     # every attempt books

By default the attempts are the burst's mix (400 seats in slots of 10, a tenth of the
attempts reuse a NIK), so most of them are refused; `--big-slots` gives slots of 5,000.
"""

import argparse
import collections
import cProfile
import os
import pstats
import subprocess
import sys
import time
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import booking_burst as bb  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    p.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="rate-limit storage, as in the burst; '' for memory://",
    )
    p.add_argument("--attempts", type=int, default=2200)
    p.add_argument("--warm-up", type=int, default=200)
    p.add_argument("--big-slots", action="store_true")
    p.add_argument("--profile", action="store_true", help="print cProfile (thread time)")
    p.add_argument(
        "--statements",
        action="store_true",
        help="print the SQL of a refusal and of a booking, as sent",
    )
    p.add_argument("--dump", help="write the cProfile stats to this file")
    args = p.parse_args()

    name, dsn = bb.create_database(args.admin_url)
    try:
        env = bb.app_env(dsn, args.redis_url)
        subprocess.run(
            [os.path.join(bb.BIN, "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=bb.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        total = args.attempts + args.warm_up
        if args.big_slots:
            _, slot_ids, day = bb.seed(dsn, 100_000, 5_000)
            bodies = bb.attempts(slot_ids, total, 0.0, day)
        else:
            _, slot_ids, day = bb.seed(dsn, 400, 10)
            bodies = bb.attempts(slot_ids, total, 0.1, day)
        os.environ.update({k: v for k, v in env.items() if k != "BARE_DSN"})
        sys.path.insert(0, bb.ROOT)
        from scheduler import create_app

        app = create_app()
        client = app.test_client()
        answers = collections.Counter()
        for body in bodies[: args.warm_up]:
            answers[client.post("/api/v1/appointments", json=body).status_code] += 1
        rest = bodies[args.warm_up :]

        if args.statements:
            _print_statements(app, client, rest[0])
            return 0

        profiler = cProfile.Profile(time.thread_time) if (args.profile or args.dump) else None
        cpu = []
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        for body in rest:
            c0 = time.thread_time()
            resp = client.post("/api/v1/appointments", json=body)
            cpu.append((time.thread_time() - c0) * 1000)
            answers[resp.status_code] += 1
        wall = time.perf_counter() - t0
        if profiler:
            profiler.disable()
            if args.dump:
                profiler.dump_stats(args.dump)
            if args.profile:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        cpu.sort()
        print(
            f"{len(cpu)} attempts: CPU ms per attempt mean {sum(cpu) / len(cpu):.2f}, "
            f"p50 {cpu[len(cpu) // 2]:.2f}; wall ms per attempt {wall * 1000 / len(cpu):.2f}"
            f"{' (under the profiler)' if profiler else ''}; answers {dict(answers)}; "
            f"load average {os.getloadavg()}"
        )
        return 0
    finally:
        bb.drop_database(args.admin_url, name)


def _print_statements(app, client, body):
    """One attempt's statements as the database received them (libpq's trace: BEGIN and
    COMMIT included, and what runs on the DBAPI connection directly)."""
    from scheduler.extensions import db
    from tests import wire

    with app.app_context():
        engine = db.engine
    for label, attempt in (("a refusal", body), ("a booking", None)):
        if attempt is None:
            attempt = _fresh_booking(app, body)
        with wire.statements(engine, full=True) as seen:
            resp = client.post("/api/v1/appointments", json=attempt)
        answer = resp.get_json().get("error", {}).get("code", "")
        print(f"{label}: {resp.status_code} {answer}")
        for statement in seen:
            print("  " + statement[:160])


def _fresh_booking(app, body):
    """The same body for a slot with free seats and a NIK that holds nothing."""
    import sqlalchemy as sa

    from scheduler.extensions import db

    with app.app_context():
        slot_id = db.session.scalar(
            sa.text("SELECT id FROM slots WHERE booked_count < capacity ORDER BY id LIMIT 1")
        )
        db.session.remove()
    born = date(1980, 2, 3)
    return {
        **body,
        "slot_id": slot_id,
        "nik": bb.make_nik(born, False, 4242),
        "birth_date": born.isoformat(),
    }


if __name__ == "__main__":
    sys.exit(main())
