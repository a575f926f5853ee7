"""The engine's connection settings: SQLite's pragmas and BEGIN IMMEDIATE, PostgreSQL's
check of pooled connections without a round trip."""

import select

import sqlalchemy as sa


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
