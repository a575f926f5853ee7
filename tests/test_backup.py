"""deploy/backup.sh and deploy/restore.sh on PostgreSQL: a database with bookings and
blank-stock ledger rows is dumped, dropped, created empty and restored, and every row of
every table comes back as it was."""

import os
import shutil
import subprocess
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from scheduler import clock, create_app
from scheduler.extensions import db
from tests.conftest import base_config
from tests.factories import booking_body, make_site, make_slot

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOKINGS = 24


@pytest.fixture
def private_database():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("needs pg_dump, pg_restore and psql")
    url = sa.engine.make_url(base)
    name = f"backup_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))

    def create():
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    create()
    try:
        yield url.set(database=name).render_as_string(hide_password=False), drop, create
    finally:
        drop()
        admin.dispose()


def _snapshot(url):
    """Every row of every table (the schema's and Alembic's), in a stable order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            meta = sa.MetaData()
            meta.reflect(conn)
            return {
                name: sorted((tuple(r) for r in conn.execute(sa.select(table))), key=repr)
                for name, table in meta.tables.items()
            }
    finally:
        engine.dispose()


def _seed(app):
    """Bookings through the API, blank-stock ledger entries through the staff API."""
    runner = app.test_cli_runner()
    email = "backup-admin@example.test"
    password = "p4ssw0rd-long!"
    with app.app_context():
        made = runner.invoke(
            args=["users", "create", "--email", email, "--password", password, "--role", "admin"]
        )
        assert made.exit_code == 0, made.output
        token = runner.invoke(args=["users", "token", "--email", email]).output.split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        site = make_site()
        slots = [make_slot(site, capacity=10, days_ahead=d) for d in (1, 2, 3)]
        db.session.commit()
        slot_ids = [s.id for s in slots]
    client = app.test_client()
    for n in range(BOOKINGS):
        with app.app_context():
            slot = db.session.get(type(slots[0]), slot_ids[n % 3])
            birth = clock.now().date().replace(year=1990) - timedelta(days=n)
            body = booking_body(slot, birth_date=birth, name=f"Warga {n}")
        assert client.post("/api/v1/appointments", json=body).status_code == 201
    received = {"quantity": 120, "received_on": clock.now().date().isoformat(), "reference": "BA-7"}
    assert client.post("/api/v1/stock/deliveries", json=received, headers=auth).status_code in (
        200,
        201,
    )
    spoiled = {"quantity": 3, "reason": "printer jam"}
    assert client.post("/api/v1/stock/spoilage", json=spoiled, headers=auth).status_code in (
        200,
        201,
    )


def test_a_dump_restores_every_booking_and_ledger_row(private_database, tmp_path):
    url, drop, create = private_database
    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
    _seed(app)
    with app.app_context():
        db.engine.dispose()
    before = _snapshot(url)
    assert len(before["appointments"]) == BOOKINGS
    assert len(before["stock_entries"]) >= 2 and before["outbox_messages"]

    env = {**os.environ, "DATABASE_URL": url, "BACKUP_DIR": str(tmp_path / "dumps")}
    dumped = subprocess.run(
        [os.path.join(ROOT, "deploy", "backup.sh")], env=env, capture_output=True, text=True
    )
    assert dumped.returncode == 0, dumped.stderr
    dump = dumped.stdout.strip().splitlines()[-1]
    assert os.path.getsize(dump) > 0 and oct(os.stat(dump).st_mode)[-3:] == "600"

    drop()
    create()
    restore = [os.path.join(ROOT, "deploy", "restore.sh"), dump]
    restored = subprocess.run(restore, env=env, capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr
    assert _snapshot(url) == before

    # A second restore onto the restored database is refused without --clean ...
    again = subprocess.run(restore, env=env, capture_output=True, text=True)
    assert again.returncode != 0 and "--clean" in again.stderr
    # ... and with it replaces what is there, still row for row.
    restore.insert(1, "--clean")
    replaced = subprocess.run(restore, env=env, capture_output=True, text=True)
    assert replaced.returncode == 0, replaced.stderr
    assert _snapshot(url) == before
