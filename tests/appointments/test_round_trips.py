"""A booking's cost in database round trips (the benchmark's main lever on a busy host)."""

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from tests.factories import booking_body, make_slot


@pytest.fixture
def plain(committed_db):
    """Real commits, so that the statements are the ones production sends."""
    committed_db.test_client_class = None
    return committed_db.test_client()


def _statements(client, body, **headers):
    seen = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", grab)
    try:
        resp = client.post("/api/v1/appointments", json=body, headers=headers)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", grab)
    return resp, seen


def test_a_booking_reloads_nothing_it_already_has(plain):
    slot = make_slot(capacity=5)
    body = booking_body(slot)
    db.session.commit()
    db.session.expunge_all()  # a worker's request starts with an empty session
    resp, seen = _statements(plain, body)
    assert resp.status_code == 201
    appointment = resp.get_json()["appointment"]
    assert appointment["slot"]["available"] == 4
    assert appointment["card"]["status"] == "not_recorded"
    # slot with its site (one join), NIK pre-check, seat UPDATE ... RETURNING, appointment
    # INSERT, outbox INSERT, one savepoint pair; nothing is loaded again after the commit
    # (the answer is built from what the transaction wrote, and a new booking has no card).
    assert seen.count("SELECT") == 2, seen
    assert seen.count("UPDATE") == 1
    assert seen.count("INSERT") == 2
    assert seen.count("SAVEPOINT") == 1
    assert len([s for s in seen if s != "BEGIN"]) == 7, seen


def test_a_booking_with_an_idempotency_key_keeps_its_savepoint(plain):
    slot = make_slot(capacity=5)
    body = booking_body(slot)
    db.session.commit()
    resp, seen = _statements(plain, body, **{"Idempotency-Key": "k-1"})
    assert resp.status_code == 201
    assert seen.count("SAVEPOINT") == 2
    assert seen.count("INSERT") == 3
