"""The request log: one JSON line per request with method, route template, status,
duration and request id; never the path, the query, a booking code, a signature, a NIK
or a phone number. The request id comes from X-Request-ID when it is sane, and goes
back in the answer."""

import json
import logging

import pytest

from scheduler import requestlog
from scheduler.appointments import services as appointments
from tests.factories import booking_body, make_slot


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="scheduler.request")

    def lines():
        formatter = requestlog.JsonFormatter()
        return [
            json.loads(formatter.format(r)) for r in caplog.records if r.name == "scheduler.request"
        ]

    return lines


def test_a_booking_and_its_page_are_logged_without_personal_data(client, request_lines):
    body = booking_body(make_slot(), phone="081298765432")
    answer = client.post("/api/v1/appointments", json=body)
    assert answer.status_code == 201
    code = answer.get_json()["appointment"]["code"]
    signature = appointments.link_signature(code)
    page = client.get(f"/janji/{code}?s={signature}")
    assert page.status_code == 200
    lookup = client.post(f"/api/v1/appointments/{code}/lookup", json={"nik": body["nik"]})
    assert lookup.status_code == 200

    booked, shown, looked_up = request_lines()[-3:]
    assert booked["method"] == "POST" and booked["route"] == "/api/v1/appointments"
    assert booked["status"] == 201 and booked["duration_ms"] >= 0
    assert shown["route"] == "/janji/<code>" and shown["status"] == 200
    assert looked_up["route"] == "/api/v1/appointments/<code>/lookup"
    everything = json.dumps(request_lines())
    for secret in (code, signature, body["nik"], body["nik"][-6:], "81298765432", body["name"]):
        assert secret not in everything
    assert "?" not in everything  # no query string at all


def test_the_request_id_is_made_or_taken_and_returned(client, request_lines):
    made = client.get("/healthz")
    made_id = made.headers["X-Request-ID"]
    assert len(made_id) == 32
    nginx_id = "9f2c4e1ab07d4c55a1e3f0b2c6d8e4a1"
    taken = client.get("/healthz", headers={"X-Request-ID": nginx_id})
    assert taken.headers["X-Request-ID"] == nginx_id
    first, second = request_lines()[-2:]
    assert first["request_id"] == made_id and second["request_id"] == nginx_id


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "abc def ghi jkl", "id-with-a-\u00e9-in-it", "12345678<script>"]
)
def test_an_odd_incoming_request_id_is_replaced(client, incoming):
    answered = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert answered.headers["X-Request-ID"] != incoming
    assert len(answered.headers["X-Request-ID"]) == 32


def test_errors_and_unknown_paths_are_logged_with_their_status(client, request_lines):
    assert client.get("/api/v1/no/such/thing?nik=3319021705000001").status_code == 404
    assert client.get("/tidak-ada/3319021705000001").status_code == 404
    api_404, page_404 = request_lines()[-2:]
    assert api_404["route"] == "/api/<path:rest>" and api_404["status"] == 404
    assert page_404["route"] == requestlog.UNMATCHED and page_404["status"] == 404
    assert "3319021705000001" not in json.dumps(request_lines())


def test_other_records_inside_a_request_carry_its_id(app):
    formatter = requestlog.JsonFormatter()
    with app.test_request_context("/", headers={"X-Request-ID": "abcdef0123456789"}):
        requestlog._start()
        record = logging.LogRecord(
            "scheduler.x", logging.WARNING, __file__, 1, "hello %s", ("a",), None
        )
        line = json.loads(formatter.format(record))
    assert line["request_id"] == "abcdef0123456789"
    assert line["message"] == "hello a" and line["level"] == "WARNING"


def test_request_lines_can_be_switched_off(client, request_lines, monkeypatch):
    monkeypatch.setitem(client.application.config, "REQUEST_LOG", False)
    before = len(request_lines())
    answered = client.get("/healthz")
    assert len(request_lines()) == before
    assert answered.headers["X-Request-ID"]  # the id is still given
