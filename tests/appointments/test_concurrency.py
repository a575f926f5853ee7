"""Races against the real database, with real threads and real commits.

Each thread has its own test client, so each request has its own app context, session
and connection. The guarantees must come from the database (conditional UPDATE under
a CHECK, the partial unique index on the NIK hash, the UNIQUE Idempotency-Key): the
last tests disable the friendly Python checks and write raw SQL to show that.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler import clock, nik
from scheduler.appointments import services
from scheduler.appointments.models import Appointment, IdempotencyKey
from scheduler.appointments.services import writing
from scheduler.constraints import is_integrity_error_for
from scheduler.extensions import db
from scheduler.sites.models import Slot
from tests.factories import booking_body, make_nik, make_site, make_slot


def race(app, calls):
    """Run every (method, path, json, headers) at once, one thread and client each."""
    # The test's own session must not sit in a transaction (on SQLite, BEGIN IMMEDIATE
    # would hold the write lock while the threads wait for it).
    db.session.commit()
    barrier = threading.Barrier(len(calls))

    def one(call):
        method, path, body, headers = call
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.open(path, method=method, json=body, headers=headers or {})
        return resp.status_code, resp.get_json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def codes(results):
    return Counter(
        (status, (body.get("error") or {}).get("code") if status >= 400 else None)
        for status, body in results
    )


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _book_direct(slot, birth_date=date(1990, 1, 1), female=False):
    body = booking_body(slot, birth_date=birth_date, female=female)
    appointment, _ = services.book_appointment(
        slot.id,
        services.Applicant(
            nik=body["nik"],
            name=body["name"],
            birth_date=birth_date,
            phone="+6281234567890",
        ),
    )
    return appointment, body["nik"]


@pytest.fixture
def app_(committed_db):
    committed_db.test_client_class = None
    return committed_db


def test_fifty_five_bookings_for_ten_seats(app_):
    slot = make_slot(capacity=10)
    db.session.commit()
    calls = [
        ("POST", "/api/v1/appointments", booking_body(slot, birth_date=date(1990, 1, 1)), None)
        for _ in range(55)
    ]
    results = race(app_, calls)
    assert codes(results) == {(201, None): 10, (409, "slot_full"): 45}
    assert fresh(Slot, slot.id).booked_count == 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 10
    booked = {body["appointment"]["code"] for status, body in results if status == 201}
    assert len(booked) == 10


def test_one_nik_booking_different_slots_at_once_gets_one(app_):
    site = make_site(hours=False)
    slots = [
        make_slot(site, starts_at=clock.now() + timedelta(days=1, hours=2 + i / 2), capacity=3)
        for i in range(12)
    ]
    db.session.commit()
    body = booking_body(slots[0], birth_date=date(1985, 6, 30), female=True)
    calls = [("POST", "/api/v1/appointments", {**body, "slot_id": s.id}, None) for s in slots]
    results = race(app_, calls)
    assert codes(results) == {(201, None): 1, (409, "duplicate_booking"): 11}
    db.session.expire_all()
    assert sum(fresh(Slot, s.id).booked_count for s in slots) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_same_idempotency_key_at_once_books_once(app_):
    slot = make_slot(capacity=10)
    db.session.commit()
    body = booking_body(slot, birth_date=date(1988, 2, 29))
    calls = [("POST", "/api/v1/appointments", body, {"Idempotency-Key": "phone-42"})] * 20
    results = race(app_, calls)
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: 19}, codes(results)
    assert len({b["appointment"]["code"] for _, b in results}) == 1
    assert fresh(Slot, slot.id).booked_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 1


def test_same_key_with_other_bodies_at_once(app_):
    slot = make_slot(capacity=10)
    db.session.commit()
    calls = [
        (
            "POST",
            "/api/v1/appointments",
            booking_body(slot, birth_date=date(1990, 1, 1)),
            {"Idempotency-Key": "shared"},
        )
        for _ in range(12)
    ]
    results = race(app_, calls)
    assert codes(results) == {(201, None): 1, (409, "idempotency_conflict"): 11}
    assert fresh(Slot, slot.id).booked_count == 1


def test_reschedules_race_for_the_last_seat(app_):
    site = make_site(hours=False)
    target = make_slot(site, capacity=3, days_ahead=2)
    olds = [
        make_slot(site, starts_at=clock.now() + timedelta(days=1, hours=2 + i), capacity=4)
        for i in range(4)
    ]
    db.session.commit()
    # Two seats of the target are already taken: one is left.
    for i in range(2):
        _book_direct(target, birth_date=date(1970, 1, 1 + i))
    movers = []
    for i in range(16):
        appointment, typed = _book_direct(olds[i % 4], birth_date=date(1980, 3, 1 + i))
        movers.append((appointment.code, typed, appointment.slot_id))
    calls = [
        ("POST", f"/api/v1/appointments/{code}/reschedule", {"nik": n, "slot_id": target.id}, None)
        for code, n, _ in movers
    ]
    results = race(app_, calls)
    assert codes(results) == {(200, None): 1, (409, "slot_full"): 15}
    winner = next(b["appointment"]["code"] for s, b in results if s == 200)
    assert fresh(Slot, target.id).booked_count == 3
    won_from = next(old for code, _, old in movers if code == winner)
    for old in olds:
        expected = 4 - (1 if old.id == won_from else 0)
        assert fresh(Slot, old.id).booked_count == expected
    held = Counter(
        db.session.scalars(sa.select(Appointment.slot_id).where(Appointment.status == "booked"))
    )
    for slot_id, count in held.items():
        assert fresh(Slot, slot_id).booked_count == count


def test_crossing_reschedules_do_not_deadlock(app_):
    site = make_site(hours=False)
    a = make_slot(site, capacity=10, days_ahead=1)
    b = make_slot(site, capacity=10, days_ahead=2)
    db.session.commit()
    calls = []
    for i in range(10):
        src, dst = (a, b) if i % 2 else (b, a)
        appointment, typed = _book_direct(src, birth_date=date(1975, 4, 1 + i))
        calls.append(
            (
                "POST",
                f"/api/v1/appointments/{appointment.code}/reschedule",
                {"nik": typed, "slot_id": dst.id},
                None,
            )
        )
    results = race(app_, calls)
    assert codes(results) == {(200, None): 10}
    assert fresh(Slot, a.id).booked_count == 5
    assert fresh(Slot, b.id).booked_count == 5


def test_cancel_racing_with_cancel_frees_the_seat_once(app_):
    slot = make_slot(capacity=4)
    db.session.commit()
    appointment, typed = _book_direct(slot)
    _book_direct(slot, birth_date=date(1991, 1, 1))
    assert fresh(Slot, slot.id).booked_count == 2
    path = f"/api/v1/appointments/{appointment.code}/cancel"
    results = race(app_, [("POST", path, {"nik": typed}, None)] * 12)
    assert codes(results) == {(200, None): 1, (409, "invalid_state"): 11}
    assert fresh(Slot, slot.id).booked_count == 1
    assert fresh(Appointment, appointment.id).status == "cancelled"


def test_cancel_racing_with_reschedule(app_):
    """Whatever the order, the appointment ends cancelled and no slot keeps its seat (the
    cancel frees the seat of the slot the appointment is in when it is cancelled)."""
    site = make_site(hours=False)
    for round_ in range(6):
        old = make_slot(site, starts_at=clock.now() + timedelta(days=1, hours=round_), capacity=2)
        new = make_slot(site, starts_at=clock.now() + timedelta(days=2, hours=round_), capacity=2)
        appointment, typed = _book_direct(old, birth_date=date(1990, 1, 1 + round_))
        calls = [
            ("POST", f"/api/v1/appointments/{appointment.code}/cancel", {"nik": typed}, None),
            (
                "POST",
                f"/api/v1/appointments/{appointment.code}/reschedule",
                {"nik": typed, "slot_id": new.id},
                None,
            ),
        ] * 3
        results = race(app_, calls)
        assert all(status < 500 for status, _ in results), codes(results)
        assert fresh(Appointment, appointment.id).status == "cancelled"
        assert (fresh(Slot, old.id).booked_count, fresh(Slot, new.id).booked_count) == (0, 0)


def test_the_database_holds_without_the_python_checks(app_, monkeypatch):
    """With the friendly pre-check gone, the partial unique index alone stops a second
    active booking for one NIK."""
    monkeypatch.setattr(writing, "_refuse_holder", lambda status: None)
    site = make_site(hours=False)
    slots = [
        make_slot(site, starts_at=clock.now() + timedelta(days=2, hours=i), capacity=2)
        for i in range(8)
    ]
    db.session.commit()
    body = booking_body(slots[0], birth_date=date(1999, 9, 9))
    results = race(
        app_, [("POST", "/api/v1/appointments", {**body, "slot_id": s.id}, None) for s in slots]
    )
    assert codes(results) == {(201, None): 1, (409, "duplicate_booking"): 7}
    assert sum(fresh(Slot, s.id).booked_count for s in slots) == 1


# ------------------------------------------------------------- raw SQL meets the schema


@pytest.fixture
def booked(ctx):
    slot = make_slot(capacity=2)
    db.session.commit()
    appointment, _ = _book_direct(slot)
    db.session.commit()
    return slot, appointment


def _refused(statement, params, name):
    with pytest.raises(IntegrityError) as info, db.session.begin_nested():
        db.session.execute(sa.text(statement), params)
    assert is_integrity_error_for(info.value, name)


def test_check_refuses_more_bookings_than_seats(booked):
    slot, _ = booked
    _refused(
        "UPDATE slots SET booked_count = capacity + 1 WHERE id = :id",
        {"id": slot.id},
        "ck_slots_capacity",
    )
    _refused(
        "UPDATE slots SET booked_count = -1 WHERE id = :id", {"id": slot.id}, "ck_slots_capacity"
    )
    _refused("UPDATE slots SET capacity = 0 WHERE id = :id", {"id": slot.id}, "ck_slots_capacity")
    assert fresh(Slot, slot.id).booked_count == 1


@pytest.mark.parametrize("status", ["booked", "checked_in", "recorded"])
def test_unique_index_refuses_a_second_holding_appointment(booked, status):
    _, appointment = booked
    bind = Appointment.__table__
    stmt = sa.insert(bind).values(
        {
            c.name: getattr(appointment, c.key)
            for c in bind.columns
            if c.name not in ("id", "code", "status")
        }
        | {"code": "RAWINSRT", "status": status}
    )
    with pytest.raises(IntegrityError) as info, db.session.begin_nested():
        db.session.execute(stmt)
    # SQLite names the columns of a unique index, PostgreSQL the index itself.
    assert is_integrity_error_for(info.value, "uq_appointments_holding_nik") or (
        "appointments.nik_hash" in str(info.value)
    )


@pytest.mark.parametrize("status", ["cancelled", "no_show", "recording_failed"])
def test_unique_index_allows_finished_appointments(booked, status):
    _, appointment = booked
    bind = Appointment.__table__
    stmt = sa.insert(bind).values(
        {
            c.name: getattr(appointment, c.key)
            for c in bind.columns
            if c.name not in ("id", "code", "status")
        }
        | {"code": "RAWOLD" + status[:2].upper(), "status": status}
    )
    with db.session.begin_nested():
        db.session.execute(stmt)
    count = db.session.scalar(
        sa.select(sa.func.count()).where(Appointment.nik_hash == appointment.nik_hash)
    )
    assert count == 2


def test_raw_update_back_to_booked_is_refused_while_another_holds(booked):
    slot, appointment = booked
    db.session.execute(
        sa.update(Appointment).where(Appointment.id == appointment.id).values(status="cancelled")
    )
    again, _ = _book_direct_with_nik(slot, appointment)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Appointment).where(Appointment.id == appointment.id).values(status="booked")
        )
    assert again.status == "booked"


def _book_direct_with_nik(slot, appointment):
    typed = nik.decrypt_nik(appointment.nik_encrypted)
    db.session.commit()
    return services.book_appointment(
        slot.id,
        services.Applicant(
            nik=typed, name="Lagi", birth_date=appointment.birth_date, phone="+6281234567890"
        ),
    )


def test_idempotency_key_is_unique(booked):
    _, appointment = booked
    stmt = sa.insert(IdempotencyKey.__table__).values(
        key="k1", body_hash="x" * 64, appointment_id=appointment.id, created_at=clock.now()
    )
    db.session.execute(stmt)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(stmt)


def test_status_and_channel_checks(booked):
    _, appointment = booked
    for column, value in (("status", "lost"), ("channel", "fax")):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                sa.update(Appointment)
                .where(Appointment.id == appointment.id)
                .values({column: value})
            )


def test_make_nik_is_unique_per_call():
    assert make_nik(date(1990, 1, 1)) != make_nik(date(1990, 1, 1))


def test_a_booking_code_collision_draws_a_new_code(booked, monkeypatch):
    """The UNIQUE code, not a look-up, detects a collision (on both databases)."""
    slot, first = booked
    drawn = iter([first.code, first.code, "NEWCODE7"])
    monkeypatch.setattr(writing, "_new_code", lambda: next(drawn))
    second, _ = _book_direct(slot, birth_date=date(1994, 4, 4))
    assert second.code == "NEWCODE7"
    assert fresh(Slot, slot.id).booked_count == 2


def test_integrity_errors_are_told_apart_on_both_databases(booked):
    _, appointment = booked
    stmt = sa.insert(Appointment.__table__).values(
        {
            c.name: getattr(appointment, c.key)
            for c in Appointment.__table__.columns
            if c.name != "id"
        }
        | {"status": "cancelled"}
    )
    with pytest.raises(IntegrityError) as info, db.session.begin_nested():
        db.session.execute(stmt)
    assert is_integrity_error_for(info.value, "uq_appointments_code")
    assert not is_integrity_error_for(info.value, "uq_appointments_holding_nik")
