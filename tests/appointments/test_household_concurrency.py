"""Families racing for the last seats, with real threads and commits (PostgreSQL when
DATABASE_URL points there): never more bookings than seats, never half a family."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.sites.models import Slot
from tests.factories import make_nik, make_site, make_slot


@pytest.fixture
def app_(committed_db):
    committed_db.test_client_class = None
    return committed_db


def _family(size, seed):
    return [
        {
            "nik": make_nik(date(1960 + seed, 1 + i, 10)),
            "name": f"Keluarga {seed} anggota {i}",
            "birth_date": date(1960 + seed, 1 + i, 10).isoformat(),
        }
        for i in range(size)
    ]


def _race(app, bodies):
    db.session.commit()
    barrier = threading.Barrier(len(bodies))

    def one(body):
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.post("/api/v1/appointments/group", json=body)
        return resp.status_code, resp.get_json()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(one, bodies))


def _by_slot():
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Appointment.slot_id, sa.func.count()).group_by(Appointment.slot_id)
    ).all()
    return dict(rows)


@pytest.mark.parametrize("round_", range(3))
def test_two_families_of_three_for_four_seats(app_, round_):
    site = make_site(f"Kantor Balapan {round_}", hours=False)
    slot = make_slot(site, capacity=4)
    bodies = [
        {"slot_id": slot.id, "phone": "081234567890", "consent": True, "members": _family(3, s)}
        for s in (10 * round_, 10 * round_ + 1)
    ]
    results = _race(app_, bodies)
    assert Counter(status for status, _ in results) == Counter({201: 1, 409: 1}), results
    assert _by_slot() == {slot.id: 3}
    assert db.session.get(Slot, slot.id).booked_count == 3


def test_eight_families_spilling_over_two_slots(app_):
    site = make_site("Kantor Limpah", hours=False)
    first = make_slot(site, capacity=5)
    second = make_slot(site, starts_at=first.ends_at, capacity=4)
    bodies = [
        {"slot_id": first.id, "phone": "081234567890", "consent": True, "members": _family(2, s)}
        for s in range(8)
    ]
    results = _race(app_, bodies)
    won = [body for status, body in results if status == 201]
    assert all(status in (201, 409) for status, _ in results), results
    assert all(len(body["appointments"]) == 2 for body in won)
    counts = _by_slot()
    assert counts.get(first.id, 0) <= 5 and counts.get(second.id, 0) <= 4
    assert sum(counts.values()) == 2 * len(won) and sum(counts.values()) % 2 == 0
    db.session.expire_all()
    assert db.session.get(Slot, first.id).booked_count == counts.get(first.id, 0)
    assert db.session.get(Slot, second.id).booked_count == counts.get(second.id, 0)
    assert len(won) >= 2
