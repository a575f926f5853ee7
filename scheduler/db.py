"""Declarative base, column types and the transaction boundary."""

import contextlib
import functools
import re
from datetime import UTC

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest id an INTEGER primary key holds (PostgreSQL's integer; SQLite's is wider).
MAX_ID = 2**31 - 1


def is_row_id(value):
    """True for an int an INTEGER primary key can hold: any other id is simply unknown (a
    NotFound or a field error, never a database overflow)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def one_of(column, values, *, nullable=False, negate=False):
    """The SQL condition `column IN ('a','b')` for a CHECK or a partial index's WHERE,
    spelt the one way the migrations wrote it (no spaces, single quotes): `NOT IN` with
    `negate`, and `column IS NULL OR ...` with `nullable`. Models build their conditions
    from their tuples of codes with it, so a set of codes is written once and its
    constraints, indexes and queries follow that tuple.

    Values are code constants, never input; a quote in one is doubled all the same, and a
    column that is not a plain lower-case name is refused."""
    if not _NAME.fullmatch(column):
        raise ValueError(f"not a column name: {column!r}")
    if not values or not all(isinstance(value, str) for value in values):
        raise ValueError(f"a condition needs one or more strings: {values!r}")
    listed = ",".join("'" + value.replace("'", "''") + "'" for value in values)
    condition = f"{column} {'NOT IN' if negate else 'IN'} ({listed})"
    return f"{column} IS NULL OR {condition}" if nullable else condition


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


@contextlib.contextmanager
def transaction(keep_loaded=False):
    """One unit of work: the outermost `with transaction()` commits once when its block
    ends and rolls back on any exception (a browser leaving a streamed answer included);
    an inner one joins it. The only place that commits: @transactional services, the
    roster import's stream and the worker's batches all use it.

    `keep_loaded=True` keeps the objects the block loaded or wrote as they were at the
    commit instead of expiring them, so a view rendering the result does not load them
    again (a new transaction and a round trip per object). Use it only where every value
    the answer shows was written or read in this transaction: attributes expired on
    purpose (e.g. a counter changed by a raw UPDATE) still load again on access.
    """
    depth = enter_transactional()
    try:
        yield
        if depth == 0:
            # A block that wrote only through DirectStatement (committed by itself) has no
            # session, or one that began no transaction: nothing to commit.
            session = _existing_session()
            if session is not None and session.in_transaction():
                if keep_loaded:
                    _commit_keeping_loaded(session)
                else:
                    session.commit()
    except BaseException:
        if depth == 0:
            session = _existing_session()
            if session is not None:
                session.rollback()
        raise
    finally:
        leave_transactional(depth)


def transactional(fn=None, *, keep_loaded=False):
    """Run a service in one transaction() (see there; `keep_loaded` likewise)."""
    if fn is None:
        return functools.partial(transactional, keep_loaded=keep_loaded)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with transaction(keep_loaded):
            return fn(*args, **kwargs)

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
