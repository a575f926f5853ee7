"""Test harness.

- SQLite by default (a file, so threads share it); with DATABASE_URL pointing at
  PostgreSQL, a private database is created for this run and dropped afterwards, so
  parallel runs never collide.
- Each test runs inside an outer transaction, services' commits become savepoints, and
  everything is rolled back afterwards. A service that fails rolls back to the last
  commit, so tests call db.session.commit() after building data and before calling a
  service directly (the `client` fixture does it before every request). Tests that need real commits (concurrency,
  subprocesses) use the `committed_db` fixture, which empties the tables afterwards.
- The clock is frozen at Monday 2026-12-07 08:00 WIB unless a test moves it.
"""

import os
import uuid
from datetime import UTC, datetime

import flask_babel
import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import orm

from scheduler import clock, create_app
from scheduler.booking_limit import booking_counts
from scheduler.extensions import db, limiter

# Local stand-ins for the notification providers (fixtures: whatsapp, sms, smtp_server).
pytest_plugins = ["tests.notifications.fakes"]

FROZEN_NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB


def _postgres_url():
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if _postgres_url() else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = _postgres_url()
    if base is None:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    url = sa.engine.make_url(base)
    name = f"test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def base_config(database_url, **overrides):
    """The settings of the suite's app; a test that builds an app of its own adds its own."""
    return {
        "SCHEDULER_ENV": "testing",
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "NIK_ENCRYPTION_KEY": "test-nik-encryption",
        "NIK_HASH_KEY": "test-nik-hash",
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "https://antre.example.go.id",
        "SERVER_NAME": None,
        **overrides,
    }


@pytest.fixture(scope="session")
def app(database_url):
    os.environ.pop("SCHEDULER_CONFIG", None)
    app = create_app(base_config(database_url))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(FROZEN_NOW)
    yield FROZEN_NOW
    clock.freeze(None)


@pytest.fixture(autouse=True)
def _reset_limits(app):
    limiter.reset()
    booking_counts.reset()
    yield


def _scoped(bind, **extra):
    from flask_sqlalchemy.session import _app_ctx_id

    factory = orm.sessionmaker(bind=bind, **extra)
    return orm.scoped_session(factory, scopefunc=_app_ctx_id)


@pytest.fixture
def ctx(app):
    """An app context whose database work is rolled back after the test."""
    with app.app_context():
        original = db.session
        connection = db.engine.connect()
        outer = connection.begin()
        db.session = _scoped(connection, join_transaction_mode="create_savepoint")
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original
            if outer.is_active:
                outer.rollback()
            connection.close()


@pytest.fixture
def committed_db(app):
    """Real commits (threads, subprocesses); every table is emptied afterwards."""
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


class CommittingClient(FlaskClient):
    """Commits (to the test's savepoint) what the test built before each request, so a
    service's rollback inside the request cannot undo the test's own setup.

    Requests share the test's app context, so what Flask-Babel, Flask-Login and views keep
    on `g` (the locale, the loaded user, g.form_page) is forgotten before each request, as
    it would be between a browser's requests."""

    def open(self, *args, **kwargs):
        db.session.commit()
        flask_babel.refresh()
        for name in list(g):
            g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(ctx):
    ctx.test_client_class = CommittingClient
    try:
        yield ctx.test_client()
    finally:
        ctx.test_client_class = None


@pytest.fixture
def is_postgres(app):
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def use_regency(app, monkeypatch):
    """Serve another regency for one test: use_regency("36.03") sets REGENCY_CODE (and
    the name and zone the region data gives it, or the overrides) as create_app would."""
    from scheduler import regions
    from scheduler.config import apply_regency

    def use(code, **overrides):
        settings = {"REGENCY_CODE": code, "REGENCY_NAME": None, "REGENCY_TIMEZONE": None}
        settings.update(overrides)
        apply_regency(settings)
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        return regions.current()

    return use
