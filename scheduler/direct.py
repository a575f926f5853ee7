"""The direct path of the hottest statements: one Core statement sent on the DBAPI
connection itself (`DirectStatement`), the PostgreSQL connections it keeps parked out of
the pool between statements, and the ORM objects an answer is built from without loading
them (`adopt`, `detached`).

The interface: `DirectStatement(build).first(params)` and `DirectStatement.alone()`,
`adopt`, `detached`, `watch_engine` (create_app), `release_parked_connections` (tests).
"""

import os
import weakref

import sqlalchemy as sa
from sqlalchemy.orm import attributes, make_transient_to_detached

from scheduler.db import current_session
from scheduler.engine import has_input


def watch_engine(engine):
    """Drop the parked connections when the engine disposes of its pool."""
    if engine.dialect.name == "postgresql":
        sa.event.listen(engine, "engine_disposed", _close_parked_connections)


def adopt(cls, values):
    """The persistent instance for a row written or read with Core, without SQL: the one
    the session already holds, else one built from `values` (every column, the primary
    key as "id"). Hot paths use it to answer with ORM objects they never loaded."""
    session = current_session()
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
        if driver is not None and not driver.closed and not has_input(driver.fileno()):
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
            row = current_session().execute(self.statement, params).first()
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
