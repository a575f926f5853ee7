"""Declarative base, column types and the transaction boundary."""

import functools
import select
from datetime import UTC

import sqlalchemy as sa
from flask import g
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime stored as naive UTC (the same on SQLite and PostgreSQL)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def result_processor(self, dialect, coltype):
        # Rather than process_result_value: TypeDecorator would wrap it in layers of
        # calls, and a month of slots is hundreds of datetimes per request.
        driver = self.impl_instance.result_processor(dialect, coltype)
        if driver is None:
            return lambda value: None if value is None else value.replace(tzinfo=UTC)

        def process(value):
            value = driver(value)
            return None if value is None else value.replace(tzinfo=UTC)

        return process


def current_session():
    """This app context's scoped session (the extension's `db.session`)."""
    from scheduler.extensions import db

    return db.session


def transactional(fn=None, *, keep_loaded=False):
    """Run a service in one transaction: commit once at the outermost call, roll back on
    any exception. Nested calls join the outer transaction.

    `@transactional(keep_loaded=True)` keeps the objects the service loaded or wrote as
    they were at the commit instead of expiring them, so a view rendering the service's
    result does not load them again (a new transaction and a round trip per object). Use
    it only where every value the answer shows was written or read in this transaction:
    attributes the service expired itself (e.g. a counter changed by a raw UPDATE) still
    load again on access.
    """
    if fn is None:
        return functools.partial(transactional, keep_loaded=keep_loaded)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        depth = enter_transactional()
        try:
            result = fn(*args, **kwargs)
            if depth == 0:
                # A service that wrote only through DirectStatement (committed by itself)
                # has no session, or one that began no transaction: nothing to commit.
                session = _existing_session()
                if session is not None and session.in_transaction():
                    if keep_loaded:
                        _commit_keeping_loaded(session)
                    else:
                        session.commit()
            return result
        except BaseException:
            if depth == 0:
                session = _existing_session()
                if session is not None:
                    session.rollback()
            raise
        finally:
            leave_transactional(depth)

    return wrapper


def enter_transactional():
    """Count one more transactional call in this app context (the session's scope); returns
    the depth before it: 0 for the outermost call, which commits or rolls back."""
    depth = g.get("tx_depth", 0)
    g.tx_depth = depth + 1
    return depth


def leave_transactional(depth):
    g.tx_depth = depth


def _existing_session():
    """This app context's session, or None when nothing has made one (asking makes none)."""
    scoped = current_session()
    return scoped() if scoped.registry.has() else None


def _commit_keeping_loaded(session):
    saved = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = saved


def insert_unless_conflict(table, values, returning):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `returning` (PostgreSQL and SQLite):
    the returned value, or None when a UNIQUE constraint or index already held the row.
    Nothing fails, so the caller's transaction stays usable without a savepoint."""
    session = current_session()
    dialect = session.get_bind().dialect.name
    statement = _conflict_free_insert(table, dialect, returning.name)
    return session.execute(statement, values).scalar()


@functools.lru_cache(maxsize=64)
def _conflict_free_insert(table, dialect, returning):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(table.c[returning])


def is_integrity_error_for(exc, name):
    """True when an IntegrityError was raised by the constraint or index called `name`.

    PostgreSQL names the constraint; SQLite names a CHECK but, for a UNIQUE constraint or
    index, only its columns ("UNIQUE constraint failed: appointments.nik_hash").
    """
    text = str(getattr(exc, "orig", exc))
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name == name
    if name in text:
        return True
    columns = _unique_columns(name)
    return columns is not None and text.strip() == f"UNIQUE constraint failed: {columns}"


def _unique_columns(name):
    """`table.col, table.col` of the unique index or constraint called `name`, as SQLite
    reports them; None when there is none by that name."""
    for table in Base.metadata.tables.values():
        candidates = [i for i in table.indexes if i.unique] + [
            c for c in table.constraints if isinstance(c, sa.UniqueConstraint)
        ]
        for item in candidates:
            if item.name == name:
                return ", ".join(f"{table.name}.{col.name}" for col in item.columns)
    return None


def configure_engine_events(engine):
    """PostgreSQL: check pooled connections on checkout without a round trip. SQLite: WAL,
    foreign keys, a busy timeout, and BEGIN IMMEDIATE so that parallel writers (several
    gunicorn workers) wait for each other instead of failing."""
    if engine.dialect.name == "postgresql":
        _check_idle_connections(engine)
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, _record, _proxy):
        # After an AUTOCOMMIT read (read_first) the pool puts the driver back in its own
        # implicit-transaction mode; we keep emitting BEGIN ourselves.
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _check_idle_connections(engine):
    # Instead of pool_pre_ping's "SELECT 1" (a round trip on every request): an idle
    # connection has nothing to read, so a readable socket means the server has closed it
    # (a restart, pg_terminate_backend, idle_session_timeout) and the pool replaces it.
    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, _record, _proxy):
        if dbapi_connection.closed or has_input(dbapi_connection.fileno()):
            raise sa.exc.DisconnectionError("the server closed this pooled connection")


def has_input(fd):
    """True when a socket has something to read (or is closed): an idle database
    connection that does was closed by the server."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
