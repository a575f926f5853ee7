"""The database edge: the one transaction() (scheduler/db.py), conflict-free inserts and
the refusals declared on constraints (scheduler/constraints.py), pooled connections
without a ping (scheduler/engine.py)."""

from datetime import date

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.constraints import insert_unless_conflict
from scheduler.db import transaction
from scheduler.extensions import db
from scheduler.sites.models import Site
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


# ---------------------------------------------------------------------- transaction()


def _sites_named(name):
    return db.session.scalar(sa.select(sa.func.count()).where(Site.name == name))


def _add_site(name):
    db.session.add(Site(name=name, kind="office", timezone="Asia/Jakarta"))
    db.session.flush()


def test_an_inner_transaction_joins_the_outer_one_which_commits_once(committed_db):
    with transaction():
        _add_site("Kantor Pusat")
        with transaction():
            _add_site("Kecamatan Jati")
        assert db.session().in_transaction()  # the inner block did not commit
    db.session.remove()
    assert _sites_named("Kantor Pusat") == 1 and _sites_named("Kecamatan Jati") == 1


def test_a_failure_inside_rolls_back_everything_the_outer_block_wrote(committed_db):
    with pytest.raises(RuntimeError), transaction():
        _add_site("Kantor Pusat")
        with transaction():
            _add_site("Kecamatan Jati")
            raise RuntimeError("boom")
    db.session.remove()
    assert _sites_named("Kantor Pusat") == 0 and _sites_named("Kecamatan Jati") == 0


def test_a_generator_left_early_rolls_back(committed_db):
    def stream():
        with transaction():
            _add_site("Kantor Pusat")
            yield "progress"
            _add_site("Kecamatan Jati")
            yield "done"

    steps = stream()
    assert next(steps) == "progress"
    steps.close()  # the browser left: GeneratorExit inside the block
    db.session.remove()
    assert _sites_named("Kantor Pusat") == 0


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


# ------------------------------------------------------------ pooled connections, no ping


def test_a_connection_the_server_closed_is_replaced_without_an_error(committed_db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL closes connections; SQLite has none to close")
    assert "pool_pre_ping" not in committed_db.config["SQLALCHEMY_ENGINE_OPTIONS"]
    with db.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    # The pooled connection is idle; the server ends it (a restart does the same).
    assert wire.backend_gone(pid, terminate=True)
    client = committed_db.test_client()
    resp = client.get("/api/v1/sites")
    assert resp.status_code == 200
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


# ------------------------------------------------------- refusals declared on constraints


def test_every_declared_refusal_names_a_constraint_of_the_schema(app):
    from scheduler.constraints import _declared_refusals
    from scheduler.db import Base

    names = {
        item.name
        for table in Base.metadata.tables.values()
        for item in (*table.constraints, *table.indexes)
    }
    declared = dict(_declared_refusals())
    assert (
        {
            "ck_slots_capacity",
            "fk_appointments_slot_id_slots",
            "uq_card_requests_open_nik",
            "uq_home_visits_open_nik",
            "uq_queue_tickets_station_called",
        }
        <= set(declared)
        <= names
    )


def test_a_broken_check_answers_the_refusal_declared_on_it(ctx):
    from scheduler.constraints import raise_refusal, refusal
    from scheduler.errors import SlotFull
    from scheduler.sites.models import Slot

    slot = make_slot(capacity=1)
    db.session.flush()
    full = sa.update(Slot).where(Slot.id == slot.id).values(booked_count=2)
    with pytest.raises(sa.exc.IntegrityError) as info, db.session.begin_nested():
        db.session.execute(full)
    assert refusal(info.value) is SlotFull
    with pytest.raises(SlotFull):
        raise_refusal(info.value)


def test_a_constraint_without_a_declared_refusal_is_raised_as_it_was(ctx):
    from scheduler.constraints import raise_refusal, refusal

    slot = make_slot(capacity=2)
    db.session.flush()
    table = Appointment.__table__
    insert_unless_conflict(table, _appointment_values(slot), table.c.id)
    # The same code again: uq_appointments_code, which declares no refusal.
    twice = sa.insert(table).values(_appointment_values(slot, nik_hash="k" * 64))
    with pytest.raises(sa.exc.IntegrityError) as info, db.session.begin_nested():
        db.session.execute(twice)
    assert refusal(info.value) is None
    with pytest.raises(sa.exc.IntegrityError):
        raise_refusal(info.value)
