"""Benchmark: allocating print dates for a whole regency's queue (100,000 waiting cards).

    .venv/bin/python bench/allocation.py                 # planner + SQLite (temp file)
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/allocation.py             # planner + that database (emptied!)

It measures (1) the pure planner (scheduler/cards/allocation.py) on 100,000 requests, fresh
and again on its own output (the steady state of the scheduled job), and (2) the whole
service allocate_cards() against a database holding 100,000 unprinted card requests: the
first run (every card gets a date or stays waiting; rows written, residents told), a
steady-state run (nothing changed), and a run after a delivery of 1,000 blanks.
"""

import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

N = 100_000
HORIZON = 365


def timed(label, fn):
    """Wall-clock and CPU time (the CPU figure is steadier on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<56} {elapsed * 1000:7.0f} ms wall {cpu * 1000:7.0f} ms CPU")
    return result, elapsed


def bench_planner():
    from scheduler.cards.allocation import Request, plan

    rng = random.Random(17)
    base = 1_780_000_000.0
    requests = []
    for i in range(N):
        eligible = rng.choice([0] * 19 + [rng.randint(1, 300)])  # 5 % are 16 years old
        requests.append(
            Request(i + 1, 2 if i % 500 == 0 else 0, base + i * 30, eligible, 1 + i % 2)
        )
    working = [0 if d % 7 in (5, 6) else 1 for d in range(HORIZON)]
    capacity = {1: [240 * w for w in working], 2: [60 * w for w in working]}
    kw = {
        "on_hand": 20_000,
        "deliveries": [(30, 15_000), (75, 15_000), (140, 10_000)],
        "capacity": capacity,
        "horizon": HORIZON,
    }
    result, fresh = timed(f"planner, {N:,} requests, fresh", lambda: plan(requests, **kw))
    again = [
        Request(r.id, r.priority, r.queued_key, r.eligible, r.print_site, result.days[r.id])
        for r in requests
    ]
    second, steady = timed(f"planner, {N:,} requests, on its own output", lambda: plan(again, **kw))
    assert second.days == result.days and not second.revoked
    dated = sum(1 for d in result.days.values() if d is not None)
    print(f"  {dated:,} dated, {N - dated:,} awaiting stock")
    return fresh, steady


def bench_database(url):
    from scheduler import clock, create_app
    from scheduler.cards import ledger, services, stock
    from scheduler.cards.models import CardRequest, PrintSite
    from scheduler.extensions import db
    from scheduler.sites.models import Site, WeeklyHours

    app = create_app({"DATABASE_URL": url, "SCHEDULER_ENV": "testing", "SECRET_KEY": "bench"})
    clock.freeze(datetime(2026, 12, 7, 1, tzinfo=UTC))
    with app.app_context():
        db.drop_all()
        db.create_all()
        office = Site(name="Kantor", kind="office", kecamatan_code="33.19.02", stations=4)
        for wd in range(5):
            office.hours.append(
                WeeklyHours(
                    weekday=wd,
                    opens_at=datetime.min.time().replace(hour=8),
                    closes_at=datetime.min.time().replace(hour=15),
                )
            )
        db.session.add(office)
        db.session.flush()
        db.session.add(
            PrintSite(
                site_id=office.id,
                office_id=ledger.office_id_or_default(None),  # the one printing office
                printers=2,
                operators=2,
                cards_per_printer=120,
                updated_at=clock.now(),
            )
        )
        rng = random.Random(17)
        start = clock.now() - timedelta(days=200)
        rows = []
        for i in range(N):
            turns = date(2027, 1, 1) + timedelta(days=rng.randint(0, 300))
            rows.append(
                {
                    "code": f"B{i:07d}",
                    "kind": "new",
                    "status": "awaiting_stock",
                    "priority": 0,
                    "priority_reason": "",
                    "name": f"Penduduk {i}",
                    "nik_hash": f"{i:064d}",
                    "nik_masked": "3319**********00",
                    "phone": "+6281200000000",
                    "locale": "id",
                    "eligible_on": turns if i % 20 == 0 else None,
                    "recorded_site_id": office.id,
                    "pickup_site_id": office.id,
                    "queued_at": start + timedelta(seconds=150 * i),
                    "reminders_sent": 0,
                    "created_at": start,
                }
            )
        db.session.execute(CardRequest.__table__.insert(), rows)
        db.session.commit()
        print(f"database: {db.engine.dialect.name}")

        def first_delivery():
            stock.receive_delivery(3_000, date(2026, 12, 7), reference="bench 1")
            db.session.commit()

        _, t_first = timed("receive 3,000 blanks + allocate 100,000 (first run)", first_delivery)
        _, t_steady = timed(
            "allocate_cards, steady state (nothing changed)", services.allocate_cards
        )
        db.session.commit()

        def delivery():
            stock.receive_delivery(1_000, date(2026, 12, 7), reference="bench 2")
            db.session.commit()

        _, t_delivery = timed("receive 1,000 blanks + allocate (1,000 dated, told)", delivery)
        summary = stock.stock_summary()
        print(
            f"  on hand {summary['on_hand']}, scheduled {summary['scheduled']}, "
            f"awaiting {summary['awaiting']}"
        )
        db.session.remove()
        db.drop_all()
    return t_first, t_steady, t_delivery


if __name__ == "__main__":
    bench_planner()
    url = os.environ.get("BENCH_DATABASE_URL")
    if url is None:
        tmp = tempfile.mkdtemp()
        url = f"sqlite:///{tmp}/bench.db"
    bench_database(url)
