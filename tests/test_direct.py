"""The direct path of the booking's hot path: adopted and detached answers, DirectStatement
and its parked connections (scheduler/direct.py)."""

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

from scheduler.direct import DirectStatement, adopt
from scheduler.extensions import db
from scheduler.sites.models import Site, Slot
from tests import wire
from tests.factories import make_slot

# ------------------------------------------------------------------------------- adopt


def test_adopt_makes_a_persistent_object_without_sql(ctx):
    slot = make_slot()
    db.session.commit()
    site_values = {c.key: getattr(slot.site, c.key) for c in Site.__table__.c}
    site_id = slot.site_id
    db.session.expunge_all()
    seen = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    # The test's connection is already checked out: SQLAlchemy's own event sees its SQL.
    sa.event.listen(db.engine, "before_cursor_execute", grab)
    try:
        site = adopt(Site, site_values)
        assert inspect(site).persistent and not db.session.dirty
        assert site.name == site_values["name"] and db.session.get(Site, site_id) is site
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", grab)
    assert seen == []
    site.name = "Kantor Baru"  # a change after adoption is an ordinary UPDATE
    db.session.flush()
    assert db.session.scalar(sa.select(Site.name).where(Site.id == site_id)) == "Kantor Baru"


def test_adopt_returns_the_object_the_session_already_holds(ctx):
    slot = make_slot()
    db.session.flush()
    values = {c.key: getattr(slot, c.key) for c in Slot.__table__.c}
    assert adopt(Slot, {**values, "capacity": 99}) is slot
    assert slot.capacity != 99


# -------------------------------------------------------------------------- DirectStatement


def _slot_read():
    slots = Slot.__table__
    return DirectStatement(
        lambda: (
            sa.select(slots.c.id, slots.c.starts_at, slots.c.is_public, slots.c.capacity)
            .where(slots.c.id == sa.bindparam("slot_id"))
            .limit(1)
        )
    )


def test_direct_read_outside_a_transaction_is_one_select(committed_db):
    slot = make_slot(capacity=3, is_public=True)
    db.session.commit()
    slot_id, starts_at = slot.id, slot.starts_at
    db.session.remove()
    read = _slot_read()
    with wire.statements(db.engine) as seen:
        row = read.first({"slot_id": slot_id})
    # No BEGIN (SQLite's BEGIN IMMEDIATE included), no ROLLBACK: one statement.
    assert seen == ["SELECT"], seen
    # The columns' own result processors ran: an aware UTC datetime, a real bool.
    assert row == (slot_id, starts_at, True, 3)
    assert row[1].tzinfo is not None and row[2] is True
    assert read.first({"slot_id": slot_id + 1000}) is None
    assert not db.session().in_transaction()
    with db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        if db.engine.dialect.name == "postgresql":
            assert driver.autocommit is False  # the pool's connections as they were
        else:
            assert driver.isolation_level is None  # we emit BEGIN IMMEDIATE ourselves


def test_direct_read_inside_a_transaction_sees_its_writes(ctx):
    slot = make_slot(capacity=4)
    db.session.flush()
    db.session.execute(sa.update(Slot.__table__).values(capacity=7))
    assert _slot_read().first({"slot_id": slot.id})[3] == 7


def test_a_failed_direct_read_leaves_a_usable_connection(committed_db):
    postgres = db.engine.dialect.name == "postgresql"
    failing = DirectStatement(
        lambda: sa.select(sa.literal_column("1 / 0" if postgres else "abs(-9223372036854775808)"))
    )
    with pytest.raises(sa.exc.DBAPIError):
        failing.first({})
    assert _slot_read().first({"slot_id": 1}) is None
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_connection_lost_during_a_direct_read_is_replaced(committed_db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL ends connections; SQLite has none to lose")
    dying = DirectStatement(
        lambda: sa.select(sa.func.pg_terminate_backend(sa.func.pg_backend_pid()))
    )
    with pytest.raises(sa.exc.DBAPIError) as lost:
        dying.first({})
    assert lost.value.connection_invalidated
    assert _slot_read().first({"slot_id": 1}) is None  # a new connection, no error


# ------------------------------------------------- DirectStatement's parked connections

_BACKEND_PID = DirectStatement(lambda: sa.select(sa.func.pg_backend_pid()))


def _postgres_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: DirectStatement parks no SQLite connection")


def test_direct_statements_keep_one_connection_out_of_the_pool(committed_db):
    """The statements of a booking (and of the next request) share one connection that
    stays in autocommit between them; the pool's connections stay as the ORM expects."""
    _postgres_only()
    first = _BACKEND_PID.first({})[0]
    assert _BACKEND_PID.first({})[0] == first
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != first
        assert conn.connection.driver_connection.autocommit is False
    with wire.statements(db.engine) as seen:  # gives the parked connection back first
        _BACKEND_PID.first({})
    assert seen == ["SELECT"]


def test_a_parked_connection_the_server_closed_is_replaced_without_an_error(committed_db):
    _postgres_only()
    parked = _BACKEND_PID.first({})[0]
    assert wire.backend_gone(parked, terminate=True)
    assert _BACKEND_PID.first({})[0] != parked


def test_a_forked_process_never_uses_its_parents_parked_connection(committed_db):
    _postgres_only()
    import multiprocessing

    parked = _BACKEND_PID.first({})[0]
    ctx = multiprocessing.get_context("fork")
    answers = ctx.Queue()

    def child():
        with committed_db.app_context():
            db.engine.dispose(close=False)  # as after any fork: the parent's pool stays its own
            answers.put(_BACKEND_PID.first({})[0])

    process = ctx.Process(target=child)
    process.start()
    in_child = answers.get(timeout=30)
    process.join(timeout=10)
    assert in_child != parked
    assert _BACKEND_PID.first({})[0] == parked  # the parent's is untouched


def test_disposing_of_the_engine_closes_the_parked_connections(committed_db):
    _postgres_only()
    parked = _BACKEND_PID.first({})[0]
    db.engine.dispose()
    assert wire.backend_gone(parked), "the parked connection is still open"
    assert _BACKEND_PID.first({})[0] != parked
