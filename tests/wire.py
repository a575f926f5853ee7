"""What a piece of code really sends to the database, read on the wire.

SQLAlchemy's cursor events miss what the driver sends by itself (psycopg's BEGIN, a
COMMIT) and anything run on the DBAPI connection directly (direct.DirectStatement), so
round-trip tests read the driver's own trace instead: libpq's protocol trace on PostgreSQL, the
statement trace callback on SQLite. Each statement is named by its first word.
"""

import contextlib
import re
import tempfile
import time

import sqlalchemy as sa

from scheduler.direct import release_parked_connections

# libpq trace lines from the client: a simple query, or the Parse of an extended one.
# (A message's SQL may span lines: the trace writes it as it is.)
_SIMPLE = re.compile(r'^F\t\d+\tQuery\t "((\w+).*)"$', re.DOTALL)
_PARSE = re.compile(r'^F\t\d+\tParse\t "[^"]*" "((\w+).*)" \d+', re.DOTALL)


@contextlib.contextmanager
def statements(engine, full=False):
    """Yields a list that fills, as the block runs, with the first word (upper case) of
    every statement the engine's connections send, BEGIN and COMMIT included (`full`:
    the whole text, as sent). Only
    connections checked out inside the block are traced: use it with real commits
    (`committed_db`), not inside a test's outer transaction."""
    seen = []
    traces = []
    postgres = engine.dialect.name == "postgresql"
    # DirectStatement's parked connections were checked out before the block.
    release_parked_connections(engine)

    def on_checkout(dbapi_connection, _record, _proxy):
        if postgres:
            from psycopg import pq

            # Statements the connection prepared earlier would be sent without their text.
            dbapi_connection.prepare_threshold = None
            out = tempfile.TemporaryFile()  # noqa: SIM115 (closed in _read_trace)
            dbapi_connection.pgconn.trace(out.fileno())
            dbapi_connection.pgconn.set_trace_flags(
                pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
            )
            traces.append((dbapi_connection, out))
        else:
            dbapi_connection.set_trace_callback(
                lambda sql: seen.append(" ".join(sql.split()) if full else sql.split()[0].upper())
            )

    def on_checkin(dbapi_connection, _record):
        if dbapi_connection is None:
            return
        if postgres:
            for connection, out in list(traces):
                if connection is dbapi_connection:
                    _read_trace(connection, out, seen, full)
                    traces.remove((connection, out))
        else:
            dbapi_connection.set_trace_callback(None)

    sa.event.listen(engine, "checkout", on_checkout)
    sa.event.listen(engine, "checkin", on_checkin)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "checkout", on_checkout)
        sa.event.remove(engine, "checkin", on_checkin)
        for connection, out in traces:  # still checked out (a session kept it)
            _read_trace(connection, out, seen, full)


def _read_trace(connection, out, seen, full=False):
    if not connection.closed:
        connection.pgconn.untrace()
        connection.prepare_threshold = 5  # psycopg's default
    out.seek(0)
    messages = []
    for line in out.read().decode(errors="replace").splitlines():
        if line.startswith(("F\t", "B\t")) or not messages:
            messages.append(line)
        else:
            messages[-1] += "\n" + line
    for message in messages:
        match = _SIMPLE.match(message) or _PARSE.match(message)
        if match:
            seen.append(" ".join(match.group(1).split()) if full else match.group(2).upper())
    out.close()


def backend_gone(pid, terminate=False):
    """True once PostgreSQL's backend `pid` has ended (within 2 s); `terminate`: end it
    first, as a server restart or an idle timeout would."""
    from scheduler.extensions import db

    admin_engine = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as admin:
            if terminate:
                assert admin.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar()
            for _ in range(100):
                if not admin.exec_driver_sql(
                    f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"
                ).scalar():
                    return True
                time.sleep(0.02)
            return False
    finally:
        admin_engine.dispose()
