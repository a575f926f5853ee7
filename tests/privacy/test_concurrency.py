"""Races with real threads and commits: an erasure against a check-in, and a key
rotation against bookings of the same NIKs (on PostgreSQL when DATABASE_URL names it)."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from scheduler import nik as niks
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.privacy import services
from scheduler.sites.models import Slot
from scheduler.staff import services as staff
from tests.factories import (
    booking_body,
    make_appointment,
    make_nik,
    make_site,
    make_slot,
    make_user,
)
from tests.privacy.conftest import today_at


@pytest.fixture
def app_(committed_db):
    committed_db.test_client_class = None
    return committed_db


def _run_at_once(app, calls):
    db.session.commit()
    barrier = threading.Barrier(len(calls))

    def one(call):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                return call(app.test_client())
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_an_erasure_racing_a_check_in_leaves_one_consistent_outcome(app_):
    site = make_site("Kantor Balapan")
    clerk = make_user("staff", sites=[site], email="desk@example.test")
    slot = make_slot(site, starts_at=today_at(8, 30), capacity=20)
    db.session.commit()
    token = staff.create_token(clerk.email)
    born = date(1991, 2, 3)
    pairs = []
    for serial in range(1, 9):
        nik = make_nik(born, serial=serial)
        pairs.append((make_appointment(slot, birth_date=born, nik=nik).code, nik))
    db.session.commit()
    for code, nik in pairs:
        results = _run_at_once(
            app_,
            [
                lambda c, code=code, nik=nik: (
                    c.post(f"/api/v1/appointments/{code}/erase", json={"nik": nik}).status_code
                ),
                lambda c, code=code: (
                    c.post(
                        "/api/v1/checkins",
                        json={"code": code},
                        headers={"Authorization": f"Bearer {token}"},
                    ).status_code
                ),
            ],
        )
        db.session.expire_all()
        row = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
        if row.status == "checked_in":  # the check-in won: nothing erased
            assert results[0] == 409 and row.name == "Budi Santoso" and row.nik_hash
        else:  # the erasure won: the check-in found no booking to check in
            assert results[0] == 200 and results[1] in (404, 409, 422)
            assert row.status == "cancelled" and row.name == "" and row.nik_hash == ""
    db.session.expire_all()
    checked = db.session.scalar(
        sa.select(sa.func.count()).where(Appointment.status == "checked_in")
    )
    assert db.session.get(Slot, slot.id).booked_count == checked


def test_a_rotation_racing_bookings_of_the_same_niks_keeps_one_booking_each(app_, monkeypatch):
    site = make_site("Kantor Kunci")
    slot = make_slot(site, capacity=200)
    db.session.commit()
    born = date(1992, 4, 5)
    bodies = [
        booking_body(slot, birth_date=born, nik=make_nik(born, serial=s)) for s in range(1, 41)
    ]
    for body in bodies:
        assert app_.test_client().post("/api/v1/appointments", json=body).status_code == 201
    monkeypatch.setitem(
        app_.config, "NIK_ENCRYPTION_KEYS", [Fernet.generate_key().decode(), "test-nik-encryption"]
    )
    monkeypatch.setitem(app_.config, "NIK_HASH_KEYS", ["the next hash key", "test-nik-hash"])
    fresh = booking_body(slot, birth_date=born, nik=make_nik(born, serial=99))

    def rotate(_client):
        return services.rotate_keys(batch=3)

    def book_again(body):
        return lambda c: c.post("/api/v1/appointments", json=body).get_json()

    calls = [rotate] + [book_again(b) for b in bodies[::4]] + [book_again(fresh)] * 3
    results = _run_at_once(app_, calls)
    assert (
        results[0] == {"appointments": 41, "card_requests": 0} or results[0]["appointments"] >= 40
    )
    refusals = Counter((r.get("error") or {}).get("code") for r in results[1:])
    assert refusals["duplicate_booking"] == len(bodies[::4]) + 2
    assert refusals[None] == 1  # the fresh NIK, once
    db.session.expire_all()
    holding = db.session.execute(
        sa.select(Appointment.nik_hash, sa.func.count())
        .where(Appointment.status == "booked")
        .group_by(Appointment.nik_hash)
    ).all()
    assert len(holding) == 41 and all(n == 1 for _h, n in holding)
    # Every stored hash is the new key's (the fresh booking was written with it).
    expected = {niks.hash_nik(b["nik"]) for b in [*bodies, fresh]}
    assert {h for h, _n in holding} == expected
