"""The full NIK never appears in a log line, an API response or the outbox."""

import logging

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from tests.factories import booking_body, make_slot


def test_full_nik_stays_out_of_logs_responses_and_outbox(client, caplog):
    caplog.set_level(logging.DEBUG)
    slot = make_slot(capacity=3)
    body = booking_body(slot)
    nik = body["nik"]
    responses = [client.post("/api/v1/appointments", json=body)]
    code = responses[0].get_json()["appointment"]["code"]
    responses.append(client.post("/api/v1/appointments", json=body))  # duplicate
    responses.append(client.post(f"/api/v1/appointments/{code}/lookup", json={"nik": nik}))
    responses.append(client.post(f"/api/v1/appointments/{code}/cancel", json={"nik": nik}))
    responses.append(client.post("/api/v1/appointments", json={**body, "name": "x" * 500}))
    for resp in responses:
        assert nik not in resp.get_data(as_text=True)
    assert nik not in caplog.text
    rows = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert rows, "booking and cancellation queue messages"
    for row in rows:
        assert nik not in repr(vars(row))
