"""The booking in one statement (PostgreSQL, no transaction begun): whole or nothing.

The appointment, its seat and its outbox rows are one statement of data-modifying CTEs.
These tests make the friendly checks before it stale or absent and show that the
database still decides, and that a refusal writes nothing at all.
"""

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.appointments.services import writing
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.sites.models import Slot
from tests import wire
from tests.factories import booking_body, make_slot


@pytest.fixture
def plain(committed_db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the one-statement booking is PostgreSQL's (SQLite has no writing CTEs)")
    committed_db.test_client_class = None
    return committed_db.test_client()


def _post(client, body):
    db.session.remove()  # a request of its own, as in a worker
    return client.post("/api/v1/appointments", json=body)


def _count(model):
    db.session.remove()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_booking_writes_the_appointment_its_seat_and_its_messages(plain):
    slot = make_slot(capacity=3)
    db.session.commit()
    slot_id, body = slot.id, booking_body(slot, email="siti@contoh.id")
    db.session.remove()
    with wire.statements(db.engine) as seen:
        resp = _post(plain, body)
    assert resp.status_code == 201, resp.get_json()
    assert seen == ["SELECT", "WITH"]
    code = resp.get_json()["appointment"]["code"]
    assert resp.get_json()["appointment"]["slot"]["available"] == 2
    db.session.remove()
    assert db.session.get(Slot, slot_id).booked_count == 1
    appointment = db.session.scalars(sa.select(Appointment)).one()
    assert appointment.code == code and appointment.status == "booked"
    assert appointment.booked_at.tzinfo is not None
    routes = db.session.execute(
        sa.select(OutboxMessage.route, OutboxMessage.reference, OutboxMessage.context)
    ).all()
    assert sorted(r.route for r in routes) == ["email", "phone"]
    assert {r.reference for r in routes} == {code}
    assert all(r.context["code"] == code and "/janji/" in r.context["link"] for r in routes)


def test_a_booking_or_a_refusal_makes_no_orm_session(plain):
    """The request's reads and its write are DirectStatements: no Session is made (nor
    closed at the end), whatever the answer."""
    slot = make_slot(capacity=1)
    db.session.commit()
    first, second = booking_body(slot), booking_body(slot)
    for body, status in ((first, 201), (second, 409), (first, 409)):
        resp = _post(plain, body)
        assert resp.status_code == status, resp.get_json()
        assert not db.session.registry.has()


def _refused_and_nothing_written(client, body, slot_id, code):
    """A second booking into a slot that holds one: refused with `code`, and the
    appointment, its outbox row and the seat counter are the first booking's alone."""
    resp = _post(client, body)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == code
    assert _count(Appointment) == 1 and _count(OutboxMessage) == 1
    db.session.remove()
    assert db.session.get(Slot, slot_id).booked_count == 1


def test_a_slot_filled_after_the_read_breaks_the_check_and_writes_nothing(plain, monkeypatch):
    slot = make_slot(capacity=1)
    db.session.commit()
    assert _post(plain, booking_body(slot)).status_code == 201
    # The read said "free" (as it would a moment before the last seat went).
    monkeypatch.setattr(writing, "_refuse_full", lambda slot: None)
    _refused_and_nothing_written(plain, booking_body(slot), slot.id, "slot_full")


def test_a_holder_the_read_missed_is_refused_and_nothing_is_written(plain, monkeypatch):
    slot = make_slot(capacity=5)
    db.session.commit()
    body = booking_body(slot)
    assert _post(plain, body).status_code == 201
    # The read said "holds nothing" (as it would a moment before the other booking).
    monkeypatch.setattr(writing, "_refuse_holder", lambda status: None)
    _refused_and_nothing_written(plain, body, slot.id, "duplicate_booking")


def test_a_booking_code_already_taken_is_drawn_again(plain, monkeypatch):
    slot = make_slot(capacity=5)
    db.session.commit()
    first = _post(plain, booking_body(slot)).get_json()["appointment"]["code"]
    draws = iter([first, "CDEF4679"])
    monkeypatch.setattr(writing, "_new_code", lambda: next(draws))
    resp = _post(plain, booking_body(slot))
    assert resp.status_code == 201
    assert resp.get_json()["appointment"]["code"] == "CDEF4679"
    assert _count(Appointment) == 2 and _count(OutboxMessage) == 2
    db.session.remove()
    assert db.session.get(Slot, slot.id).booked_count == 2
