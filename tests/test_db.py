"""The transaction helpers the booking's hot path stands on (scheduler/db.py)."""

import time
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.db import DirectStatement, adopt, insert_unless_conflict
from scheduler.extensions import db
from scheduler.sites.models import Site, Slot
from tests import wire
from tests.factories import make_slot


def _appointment_values(slot, nik_hash="h" * 64, code="ACDE3467"):
    now = clock.now()
    return {
        "code": code,
        "slot_id": slot.id,
        "site_id": slot.site_id,
        "status": "booked",
        "channel": "api",
        "nik_hash": nik_hash,
        "nik_encrypted": "x",
        "nik_masked": "3319**********01",
        "name": "Warga Uji",
        "birth_date": date(2000, 5, 17),
        "female": False,
        "married": False,
        "phone": "+6281234567890",
        "email": None,
        "locale": "id",
        "consent_at": now,
        "booked_at": now,
        "status_changed_at": now,
        "checked_in_at": None,
        "recorded_at": None,
        "cancelled_at": None,
        "outcome_reason": None,
        "birth_date_override_reason": None,
    }


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


# ---------------------------------------------------------------- insert_unless_conflict


def test_insert_unless_conflict_returns_the_new_id_then_none_on_a_unique_clash(ctx):
    slot = make_slot(capacity=3)
    db.session.flush()
    table = Appointment.__table__
    first = insert_unless_conflict(table, _appointment_values(slot), table.c.id)
    assert isinstance(first, int)
    # The same NIK holding a booking (the partial unique index), then the same code.
    assert (
        insert_unless_conflict(table, _appointment_values(slot, code="CDEF4679"), table.c.id)
        is None
    )
    assert (
        insert_unless_conflict(table, _appointment_values(slot, nik_hash="k" * 64), table.c.id)
        is None
    )
    # Nothing failed, so the transaction goes on without a savepoint.
    other = insert_unless_conflict(
        table, _appointment_values(slot, nik_hash="k" * 64, code="CDEF4679"), table.c.id
    )
    assert other is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 2


def test_insert_unless_conflict_still_enforces_checks(ctx):
    slot = make_slot()
    db.session.flush()
    table = Appointment.__table__
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        insert_unless_conflict(table, {**_appointment_values(slot), "status": "lost"}, table.c.id)


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


# ------------------------------------------------------------ pooled connections, no ping


def _backend_gone(pid, terminate=False):
    """True once PostgreSQL's backend `pid` has ended (within 2 s); `terminate`: end it
    first, as a server restart or an idle timeout would."""
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


def test_a_connection_the_server_closed_is_replaced_without_an_error(committed_db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL closes connections; SQLite has none to close")
    assert "pool_pre_ping" not in committed_db.config["SQLALCHEMY_ENGINE_OPTIONS"]
    with db.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    # The pooled connection is idle; the server ends it (a restart does the same).
    assert _backend_gone(pid, terminate=True)
    client = committed_db.test_client()
    resp = client.get("/api/v1/sites")
    assert resp.status_code == 200
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


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
    assert _backend_gone(parked, terminate=True)
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
    assert _backend_gone(parked), "the parked connection is still open"
    assert _BACKEND_PID.first({})[0] != parked
