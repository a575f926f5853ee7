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
    resp, seen = _statements(plain, body)
    assert resp.status_code == 201
    assert resp.get_json()["appointment"]["slot"]["available"] == 4
    # slot, site, NIK pre-check, seat UPDATE, appointment INSERT, outbox INSERT, one
    # savepoint pair, and the reload of what the commit expired for the answer.
    assert seen.count("UPDATE") == 1
    assert seen.count("INSERT") == 2
    assert seen.count("SAVEPOINT") == 1
    assert len(seen) <= 14, seen


def test_a_booking_with_an_idempotency_key_keeps_its_savepoint(plain):
    slot = make_slot(capacity=5)
    body = booking_body(slot)
    db.session.commit()
    resp, seen = _statements(plain, body, **{"Idempotency-Key": "k-1"})
    assert resp.status_code == 201
    assert seen.count("SAVEPOINT") == 2
    assert seen.count("INSERT") == 3
