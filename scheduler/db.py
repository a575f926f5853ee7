"""Declarative base, column types, mixins and the transaction boundary."""

import functools
import os
import select
import weakref
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    attributes,
    make_transient_to_detached,
    mapped_column,
)

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


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


def _session():
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
    scoped = _session()
    return scoped() if scoped.registry.has() else None


def _commit_keeping_loaded(session):
    saved = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = saved


def adopt(cls, values):
    """The persistent instance for a row written or read with Core, without SQL: the one
    the session already holds, else one built from `values` (every column, the primary
    key as "id"). Hot paths use it to answer with ORM objects they never loaded."""
    session = _session()
    held = session.identity_map.get(session.identity_key(cls, values["id"]))
    if held is not None:
        return held
    instance = detached(cls, values)
    session.add(instance)
    return instance


def detached(cls, values):
    """A detached instance for a row written or read with Core, every column loaded:
    filled in like a loaded row (no attribute events, no history), which costs a third of
    the declarative constructor. For an answer built after the work is committed; reading
    anything it was not given raises DetachedInstanceError rather than loading."""
    instance = attributes.manager_of_class(cls).new_instance()
    attributes.instance_dict(instance).update(values)
    make_transient_to_detached(instance)
    return instance


def insert_unless_conflict(table, values, returning):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING `returning` (PostgreSQL and SQLite):
    the returned value, or None when a UNIQUE constraint or index already held the row.
    Nothing fails, so the caller's transaction stays usable without a savepoint."""
    session = _session()
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
        sa.event.listen(engine, "engine_disposed", _close_parked_connections)
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
        if dbapi_connection.closed or _has_input(dbapi_connection.fileno()):
            raise sa.exc.DisconnectionError("the server closed this pooled connection")


def _has_input(fd):
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


# PostgreSQL connections DirectStatement keeps checked out of the engine's pool between
# its statements, in autocommit: taking one is a list pop, where a pool checkout, its
# return (a rollback) and switching autocommit on and off cost a booking more than the
# statement's own round trip. Per engine and process (a forked worker never uses its
# parent's); a connection the server closed meanwhile is replaced, as at a checkout.
_PARKED = weakref.WeakKeyDictionary()  # engine -> (pid, [pooled connections])
_MAX_PARKED = 2  # per engine and process: one per thread that runs statements at once


def _parked(engine):
    entry = _PARKED.get(engine)
    if entry is None or entry[0] != os.getpid():
        entry = _PARKED[engine] = (os.getpid(), [])
    return entry[1]


def _take_connection(engine):
    parked = _parked(engine)
    while parked:
        try:
            raw = parked.pop()
        except IndexError:  # another thread took the last one
            break
        driver = raw.driver_connection
        if driver is not None and not driver.closed and not _has_input(driver.fileno()):
            return raw
        raw.invalidate()  # the server ended it while it was parked
        raw.close()
    raw = engine.raw_connection()
    raw.driver_connection.autocommit = True
    return raw


def _park_connection(engine, raw):
    parked = _parked(engine)
    if raw.is_valid and len(parked) < _MAX_PARKED:
        parked.append(raw)
        return
    _return_to_pool(raw)


def _return_to_pool(raw):
    driver = raw.driver_connection
    if raw.is_valid and driver is not None and not driver.closed:
        driver.autocommit = False  # as the pool's other users expect it
    raw.close()


def release_parked_connections(engine):
    """Give DirectStatement's parked connections back to the engine's pool (for tests that
    trace the connections checked out from then on)."""
    parked = _parked(engine)
    while parked:
        _return_to_pool(parked.pop())


def _close_parked_connections(engine):
    # The engine has a new pool: the parked connections belong to the one it disposed of.
    parked = _parked(engine)
    while parked:
        raw = parked.pop()
        raw.invalidate()
        raw.close()


class DirectStatement:
    """One Core statement for the hottest paths, sent on the DBAPI connection itself when
    the session has begun no transaction: compiled once per dialect, its parameters put
    through the columns' bind processors, its one row through their result processors.
    It does what executing it through the session would, without SQLAlchemy's execution
    machinery (a Connection, its execution context, the isolation level set and reset),
    which costs a booking attempt more than the round trip. Inside a transaction the
    statement joins it, so that a read sees what the transaction wrote.

    Outside one it runs on its own: on PostgreSQL on a connection in autocommit, parked out
    of the pool between statements (no BEGIN, no COMMIT or ROLLBACK: a statement is atomic
    by itself, so a write of several rows through data-modifying CTEs is whole or not at
    all); SQLite's pooled connections always are until we emit BEGIN ourselves. A driver
    error is raised as SQLAlchemy's DBAPIError (with `.orig`), and a lost connection is
    invalidated, as the pool would. The engine's execution events do not see it (SQL
    echo, cursor-event instrumentation); the pool's see a parked connection's checkout
    once, and tests/wire.py's traces see every statement (they give the parked
    connections back to the pool first)."""

    def __init__(self, build):
        self._build = build
        self._statement = None
        self._plans = {}

    @property
    def statement(self):
        if self._statement is None:
            self._statement = self._build()
        return self._statement

    @staticmethod
    def alone():
        """The engine a statement would run on by itself, or None: None inside a
        transaction, and when the session is bound to a connection (a test's outer
        transaction) rather than to the app's engine. Makes no session."""
        from scheduler.extensions import db

        scoped = db.session
        if scoped.registry.has():
            session = scoped()
            if session.bind is not None or session.in_transaction():
                return None
        elif scoped.session_factory.kw.get("bind") is not None:
            return None
        return db.engine

    def first(self, params):
        """The first row as a tuple of the selected columns, or None."""
        bind = self.alone()
        if bind is None:
            row = _session().execute(self.statement, params).first()
            return None if row is None else tuple(row)
        dialect = bind.dialect
        sql, order, binds, processors = self._plan(dialect)
        defaults, bind_processors = binds
        values = {**defaults, **params} if defaults else dict(params)
        for name, process in bind_processors:
            values[name] = process(values[name])
        arguments = values if order is None else [values[name] for name in order]
        postgres = dialect.name == "postgresql"
        raw = _take_connection(bind) if postgres else bind.raw_connection()
        driver = raw.driver_connection
        try:
            cursor = self._cursor(raw, sql)
            cursor.execute(sql, arguments)
            row = cursor.fetchone()
        except dialect.loaded_dbapi.Error as exc:
            lost = dialect.is_disconnect(exc, driver, None)
            if lost:
                raw.invalidate(exc)
            raise sa.exc.DBAPIError.instance(
                sql, arguments, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost
            ) from exc
        finally:
            if postgres:
                _park_connection(bind, raw)
            else:
                raw.close()
        if row is None or not processors:
            return row
        row = list(row)
        for index, process in processors:
            row[index] = process(row[index])
        return tuple(row)

    @staticmethod
    def _cursor(raw, sql):
        # One cursor per connection and statement, kept with the pooled connection: a
        # cursor that runs the same query again keeps its adapters (psycopg looks up a
        # dumper per parameter and a loader per column otherwise, every time).
        cursors = raw.info.setdefault("direct_cursors", {})
        cursor = cursors.get(sql)
        if cursor is None:
            cursor = cursors[sql] = raw.driver_connection.cursor()
        return cursor

    def _plan(self, dialect):
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect)
            defaults = {k: v for k, v in compiled.params.items() if v is not None}
            bind_processors = []
            for name, bind in compiled.binds.items():
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    bind_processors.append((name, process))
            # (index, processor) of the columns that have one: most have none.
            processors = tuple(
                (index, process)
                for index, c in enumerate(self.statement.selected_columns)
                if (process := c.type.dialect_impl(dialect).result_processor(dialect, None))
                is not None
            )
            order = compiled.positiontup if compiled.positional else None
            plan = (compiled.string, order, (defaults, bind_processors), processors)
            self._plans[dialect.name] = plan
        return plan
