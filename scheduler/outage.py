"""Telling a database outage (server down or restarting, connection lost, pool exhausted,
a lock wait given up) from a bug, for errors.py: an outage is a 503 the client may retry;
anything else stays a 500.

The pool recovers by itself: a connection the server closed is replaced at its next
checkout (engine.configure_engine_events), one lost in use is invalidated by SQLAlchemy (or by
DirectStatement), and a new connection is tried on the next request.
"""

import sqlalchemy as sa
from flask import g

try:  # the PostgreSQL driver, where installed
    import psycopg
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    psycopg = None

# The errors errors.py hands to `is_outage` (the others reach its catch-all handler).
ERROR_TYPES = (sa.exc.DBAPIError, sa.exc.TimeoutError, sa.exc.DisconnectionError) + (
    (psycopg.OperationalError,) if psycopg else ()
)

# SQLite's OperationalError is also its error for bad SQL or a missing table (bugs): only
# these say the database itself could not be used.
_SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error")


def is_outage(exc):
    """True when `exc` says the database could not be reached or used, not that the
    request or the code was wrong."""
    if isinstance(exc, sa.exc.TimeoutError | sa.exc.DisconnectionError):
        return True
    if psycopg is not None and isinstance(exc, psycopg.OperationalError):
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if psycopg is not None and isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    if isinstance(exc, sa.exc.OperationalError) and type(orig).__module__.startswith("sqlite3"):
        return any(text in str(orig).lower() for text in _SQLITE_OUTAGES)
    return False


def describe(exc):
    """The driver's own first line (e.g. "connection refused"), never the statement or its
    parameters."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first[:200]}"


def forget_user():
    """Render the outage page as for a visitor: the signed-in user's row cannot be read."""
    from scheduler.extensions import login_manager

    g._login_user = login_manager.anonymous_user()
