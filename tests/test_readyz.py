"""/readyz: 200 when the database, Redis (when configured) and the outbox are fine; 503
naming what failed otherwise; documented in the OpenAPI document."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from scheduler import clock
from scheduler.extensions import db, limiter
from tests.factories import booking_body, make_slot


def test_ready_when_everything_answers(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == "not_configured"
    assert body["outbox"]["status"] == "ok" and body["outbox"]["due"] == 0


def test_a_backlog_of_due_messages_is_not_ready(client, monkeypatch):
    assert client.post("/api/v1/appointments", json=booking_body(make_slot())).status_code == 201
    assert client.get("/readyz").status_code == 200  # one message due: within bounds
    monkeypatch.setitem(client.application.config, "READYZ_OUTBOX_BACKLOG", 0)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "error" and body["database"] == "ok"
    assert body["outbox"]["status"] == "backlog" and body["outbox"]["due"] >= 1


def test_a_message_waiting_too_long_is_not_ready(client, monkeypatch):
    assert client.post("/api/v1/appointments", json=booking_body(make_slot())).status_code == 201
    monkeypatch.setitem(client.application.config, "READYZ_OUTBOX_MAX_AGE_SECONDS", 600)
    clock.freeze(clock.now() + timedelta(minutes=5))
    assert client.get("/readyz").status_code == 200
    clock.freeze(clock.now() + timedelta(minutes=6))  # no worker sent it in 11 minutes
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["outbox"]["oldest_due_seconds"] >= 660


def test_an_unreachable_redis_is_not_ready(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(limiter.storage, "check", lambda: False)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["redis"] == "unreachable"


def test_an_unreachable_database_is_not_ready(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["database"] == "unreachable" and body["outbox"]["status"] == "unknown"


@pytest.mark.parametrize("status", ["200", "503"])
def test_readyz_is_in_the_openapi_document(client, status):
    document = client.get("/api/v1/openapi.json").get_json()
    answers = document["paths"]["/readyz"]["get"]["responses"]
    schema = answers[status]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Readiness"}
