"""A booking's cost in database round trips (the benchmark's main lever on a busy host)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler.appointments import services
from scheduler.extensions import db
from tests import wire
from tests.factories import booking_body, make_slot


@pytest.fixture
def plain(committed_db):
    """Real commits, so that the statements are the ones production sends."""
    committed_db.test_client_class = None
    return committed_db.test_client()


def _statements(client, body, **headers):
    with wire.statements(db.engine) as seen:
        resp = client.post("/api/v1/appointments", json=body, headers=headers)
    return resp, seen


def test_a_booking_reloads_nothing_it_already_has(plain):
    slot = make_slot(capacity=5)
    body = booking_body(slot)
    db.session.commit()
    # A worker's request starts with a new session (the test client shares the test's
    # app context, so the session would otherwise live on from one request to the next).
    db.session.remove()
    resp, seen = _statements(plain, body)
    assert resp.status_code == 201
    appointment = resp.get_json()["appointment"]
    assert appointment["slot"]["available"] == 4
    assert appointment["card"]["status"] == "not_recorded"
    # One SELECT for the slot, its site and the NIK's holding status, outside any
    # transaction. On PostgreSQL the appointment, its seat and its message are then one
    # statement, sent alone; elsewhere the seat UPDATE ... RETURNING, the appointment
    # INSERT ... ON CONFLICT DO NOTHING (no savepoint) and one outbox INSERT in one
    # transaction. Nothing is loaded again afterwards (the answer is built from what was
    # read and written, and a new booking has no card).
    if db.engine.dialect.name == "postgresql":
        assert seen == ["SELECT", "WITH"], seen
    else:
        assert seen == ["SELECT", "BEGIN", "UPDATE", "INSERT", "INSERT", "COMMIT"], seen


def test_a_booking_with_an_idempotency_key_keeps_its_savepoint(plain):
    slot = make_slot(capacity=5)
    body = booking_body(slot)
    db.session.commit()
    resp, seen = _statements(plain, body, **{"Idempotency-Key": "k-1"})
    assert resp.status_code == 201
    # The key's look-up, then the booking and the key in one savepoint (a concurrent
    # request with the same key makes the key's INSERT fail, and the booking goes back).
    assert seen.count("SAVEPOINT") == 1 and seen.count("RELEASE") == 1, seen
    assert seen.count("INSERT") == 3


def test_a_full_slot_is_refused_without_trying_the_seat(plain):
    slot = make_slot(capacity=1)
    first, second = booking_body(slot), booking_body(slot)
    db.session.commit()
    assert plain.post("/api/v1/appointments", json=first).status_code == 201
    db.session.remove()
    resp, seen = _statements(plain, second)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slot_full"
    # The one SELECT says full: no transaction, no UPDATE.
    assert seen == ["SELECT"], seen


def test_a_holder_of_a_booking_hears_so_even_when_the_slot_is_full(plain):
    slot = make_slot(capacity=1)
    other = make_slot(capacity=1, starts_at=slot.starts_at + timedelta(hours=1))
    mine = booking_body(slot)
    db.session.commit()
    assert plain.post("/api/v1/appointments", json=booking_body(other)).status_code == 201
    assert plain.post("/api/v1/appointments", json=mine).status_code == 201
    again = plain.post("/api/v1/appointments", json={**mine, "slot_id": other.id})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_booking"


def test_a_booked_appointment_has_every_column_loaded(ctx):
    """The booking writes with Core and adopts the row: a column left out of it would be
    loaded again (a round trip) the first time anything reads it."""
    slot = make_slot(capacity=5)
    db.session.commit()
    body = booking_body(slot)
    applicant = services.Applicant(
        nik=body["nik"],
        name=body["name"],
        birth_date=date.fromisoformat(body["birth_date"]),
        phone=services.normalize_phone(body["phone"]),
    )
    appointment, created = services.book_appointment(slot.id, applicant, channel="api")
    state = sa.inspect(appointment)
    assert created and state.persistent
    assert state.unloaded == set(), state.unloaded
    assert appointment.slot.booked_count == 1 and appointment.site.id == slot.site_id
