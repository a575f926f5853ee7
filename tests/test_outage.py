"""A database outage answers 503 `unavailable` with Retry-After (never a 500), logs one
line without the statement's parameters, and the app recovers by itself.

Against a closed port (any run), and on PostgreSQL against a private database whose
connections are cut and refused, then allowed again (the shared server is never
restarted).
"""

import logging
import os
import uuid

import pytest
import sqlalchemy as sa

from scheduler import create_app, outage
from scheduler.extensions import db
from tests.factories import booking_body, make_site, make_slot

CLOSED_PORT = 5119  # nothing listens there


def _app(url):
    return create_app(
        {
            "SCHEDULER_ENV": "testing",
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "NIK_ENCRYPTION_KEY": "test-nik-encryption",
            "NIK_HASH_KEY": "test-nik-hash",
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _assert_unavailable(resp, json=True):
    assert resp.status_code == 503, resp.get_data(as_text=True)[:300]
    assert resp.headers["Retry-After"] == "30"
    if json:
        assert resp.get_json()["error"]["code"] == "unavailable"
    else:
        assert resp.mimetype == "text/html"
        assert "coba lagi" in resp.get_data(as_text=True)


@pytest.fixture
def down_app():
    pytest.importorskip("psycopg")
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{CLOSED_PORT}/nothing")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_unreachable_database_is_503_everywhere(down_app, caplog):
    client = down_app.test_client()
    nik = "3319021705000001"
    body = {
        "slot_id": 1,
        "nik": nik,
        "name": "Budi Santoso",
        "birth_date": "2000-05-17",
        "phone": "081234567890",
        "consent": True,
    }
    with caplog.at_level(logging.ERROR):
        _assert_unavailable(client.post("/api/v1/appointments", json=body))
        _assert_unavailable(client.get("/api/v1/sites"))
        _assert_unavailable(client.get("/api/v1/sites/1/slots"))
        _assert_unavailable(client.get("/"), json=False)
        _assert_unavailable(client.post("/cek", data={"code": "ACDEFGHJ", "nik": nik}), json=False)
    lines = [r for r in caplog.records if r.name == "scheduler.errors"]
    assert len(lines) == 5
    assert all(r.exc_info is None and "database unavailable" in r.getMessage() for r in lines)
    assert nik not in caplog.text and "Budi" not in caplog.text


def test_the_openapi_document_says_what_a_503_means(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            unavailable = op["responses"]["503"]
            if unavailable["description"] == "Not ready":  # /readyz's own answer
                continue
            assert "database" in unavailable["description"], (path, method)
            assert "Redis" in unavailable["description"]
            assert "Retry-After" in unavailable["headers"]
    assert "413" in doc["paths"]["/api/v1/appointments"]["post"]["responses"]


def test_other_database_errors_stay_bugs(ctx):
    integrity = sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert not outage.is_outage(integrity)
    import sqlite3

    assert not outage.is_outage(
        sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    )
    assert outage.is_outage(
        sa.exc.OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    )
    lost = sa.exc.DBAPIError("SELECT", {}, Exception("gone"), connection_invalidated=True)
    assert outage.is_outage(lost)
    assert outage.is_outage(sa.exc.TimeoutError("QueuePool limit reached"))


# --------------------------------------------------------------- a real outage, healed


@pytest.fixture
def private_database(app):
    """A database of its own on the PostgreSQL server, for an app whose connections we
    cut: the test run's own database (and its outer transactions) is not touched."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    name = f"outage_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(sa.engine.make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield admin, name, url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _cut(admin, name, allow):
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}'))
        if not allow:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )


def test_postgresql_going_away_is_503_and_the_app_heals(private_database):
    admin, name, url = private_database
    app = _app(url)
    with app.app_context():
        db.create_all()
        slot = make_slot(make_site(hours=False), capacity=5)
        bodies = [booking_body(slot) for _ in range(3)]
        site_id = slot.site_id
        db.session.commit()
    client = app.test_client()
    try:
        # Connections in the pool and parked by the booking writer, then the server ends
        # them and refuses new ones.
        assert client.post("/api/v1/appointments", json=bodies[0]).status_code == 201
        assert client.get(f"/api/v1/sites/{site_id}/slots").status_code == 200
        _cut(admin, name, allow=False)
        _assert_unavailable(client.post("/api/v1/appointments", json=bodies[1]))
        _assert_unavailable(client.get(f"/api/v1/sites/{site_id}/slots"))
        _assert_unavailable(client.get(f"/lokasi/{site_id}"), json=False)
        # Back: the next requests work, without a restart of the app.
        _cut(admin, name, allow=True)
        assert client.post("/api/v1/appointments", json=bodies[1]).status_code == 201
        slots = client.get(f"/api/v1/sites/{site_id}/slots").get_json()["slots"]
        assert slots[0]["available"] == 3
        assert client.get(f"/lokasi/{site_id}").status_code == 200
        # Nothing was half-written while it was away.
        with app.app_context():
            count = db.session.scalar(sa.text("SELECT count(*) FROM appointments"))
        assert count == 2
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
