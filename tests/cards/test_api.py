"""The stock, print-queue, printed and picked-up endpoints of docs/api.md."""

from datetime import UTC, date, datetime

import pytest

from scheduler import clock
from scheduler.staff import services as staff
from tests.factories import make_site, make_user


@pytest.fixture
def tokens(office):
    other = make_site(name="Kantor Lain")
    admin = make_user("admin")
    clerk = make_user("staff", sites=[office])
    stranger = make_user("staff", sites=[other])
    return {
        role: {"Authorization": "Bearer " + staff.create_token(u.email)}
        for role, u in (("admin", admin), ("staff", clerk), ("stranger", stranger))
    }


def test_stock_flow_through_the_api(client, record, tokens):
    admin, clerk = tokens["admin"], tokens["staff"]
    appointment, card = record()
    resp = client.get("/api/v1/stock", headers=clerk)
    assert resp.status_code == 200
    assert resp.get_json() == {
        "on_hand": 0,
        "reserved": 0,
        "awaiting": 1,
        "scheduled": 0,
        "expected": [],
        "days_of_cover": None,
        "daily_usage": 0.0,
        # One printing office (the default): every figure above is its own.
        "office_id": None,
        "offices": [{"id": 1, "name": "Kantor Disdukcapil", "site_id": None, "on_hand": 0}],
    }
    resp = client.post(
        "/api/v1/stock/deliveries",
        json={"quantity": 10, "received_on": "2026-12-07", "reference": "SP/12/2026"},
        headers=admin,
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["entry"]["balance"] == 10
    assert body["stock"]["reserved"] == 1 and body["stock"]["awaiting"] == 0
    resp = client.post(
        "/api/v1/stock/expected", json={"quantity": 50, "expected_on": "2026-12-20"}, headers=admin
    )
    assert resp.status_code == 201
    assert resp.get_json()["expected"]["expected_on"] == "2026-12-20"

    queue = client.get("/api/v1/print-queue?date=2026-12-07", headers=clerk).get_json()["cards"]
    assert queue == [
        {
            "code": card.code,
            "nik_masked": card.nik_masked,
            "name": card.name,
            "print_on": "2026-12-07",
            "pickup_from": "2026-12-08",
            "pickup_site": {"id": appointment.site_id, "name": "Kantor Uji"},
        }
    ]
    assert client.get("/api/v1/print-queue", headers=tokens["stranger"]).get_json() == {"cards": []}
    assert (
        client.post(
            f"/api/v1/appointments/{card.code}/printed", headers=tokens["stranger"]
        ).status_code
        == 404
    )
    resp = client.post(f"/api/v1/appointments/{card.code}/printed", headers=clerk)
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["card"]["status"] == "scheduled"
    again = client.post(f"/api/v1/appointments/{card.code}/printed", headers=clerk)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"

    early = client.post(
        f"/api/v1/appointments/{card.code}/picked-up", json={"collected_by": "self"}, headers=clerk
    )
    assert early.status_code == 409
    clock.freeze(datetime(2026, 12, 8, 2, tzinfo=UTC))
    bad = client.post(
        f"/api/v1/appointments/{card.code}/picked-up",
        json={"collected_by": "family"},
        headers=clerk,
    )
    assert bad.status_code == 422 and "collector_name" in bad.get_json()["error"]["fields"]
    resp = client.post(
        f"/api/v1/appointments/{card.code}/picked-up",
        json={"collected_by": "family", "collector_name": "Bapak Sutrisno"},
        headers=clerk,
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["appointment"]["card"]["status"] == "picked_up"
    assert body["card"]["collector_name"] == "Bapak Sutrisno"
    assert body["card"]["picked_up_at"].endswith("+07:00")
    assert card.nik_masked in resp.get_data(as_text=True)


def test_only_admins_change_stock_and_input_is_checked(client, office, tokens):
    clerk, admin = tokens["staff"], tokens["admin"]
    assert client.get("/api/v1/stock").status_code == 401
    resp = client.post(
        "/api/v1/stock/deliveries", json={"quantity": 5, "received_on": "2026-12-07"}, headers=clerk
    )
    assert resp.status_code == 403
    for body in (
        {"quantity": 0, "received_on": "2026-12-07"},
        {"quantity": "many", "received_on": "2026-12-07"},
        {"quantity": 5, "received_on": "2026-13-40"},
        {"quantity": 5, "received_on": "2027-01-30"},
    ):
        resp = client.post("/api/v1/stock/deliveries", json=body, headers=admin)
        assert resp.status_code == 422, body
    resp = client.post("/api/v1/stock/deliveries", data="not json", headers=admin)
    assert resp.status_code == 422
    resp = client.post(
        "/api/v1/stock/spoilage", json={"quantity": 3, "reason": "rusak"}, headers=admin
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"
    client.post(
        "/api/v1/stock/deliveries", json={"quantity": 5, "received_on": "2026-12-07"}, headers=admin
    )
    resp = client.post(
        "/api/v1/stock/spoilage", json={"quantity": 2, "reason": "Tergores"}, headers=admin
    )
    assert resp.status_code == 201
    assert resp.get_json()["record"]["number"] == "001/BA-BLANGKO/XII/2026"
    assert resp.get_json()["stock"]["on_hand"] == 3
    assert client.get("/api/v1/print-queue?date=bad", headers=clerk).status_code == 422


def test_priority_replacement_and_certificate_endpoints(client, record, office, tokens):
    admin, clerk = tokens["admin"], tokens["staff"]
    _, card = record()
    resp = client.post(
        f"/api/v1/cards/{card.code}/priority", json={"priority": 2, "reason": "RSUD"}, headers=admin
    )
    assert resp.status_code == 200 and resp.get_json()["card"]["priority"] == 2
    assert (
        client.post(
            f"/api/v1/cards/{card.code}/priority", json={"priority": 2}, headers=clerk
        ).status_code
        == 403
    )
    resp = client.post(f"/api/v1/appointments/{card.code}/certificate", headers=clerk)
    assert resp.status_code == 201
    url = resp.get_json()["certificate"]["verify_url"]
    page = client.get(url.replace("https://antre.example.go.id", ""))
    assert page.status_code == 200 and card.name in page.get_data(as_text=True)
    forged = client.get(url.replace("https://antre.example.go.id", "")[:-3] + "abc")
    assert forged.status_code == 404
    resp = client.post(
        "/api/v1/cards/replacements",
        json={
            "site_id": office.id,
            "nik": "3319024502850003",
            "name": "Dewi Lestari",
            "birth_date": "1985-02-05",
            "phone": "081311112222",
            "reason": "damaged",
        },
        headers=clerk,
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["card"]["kind"] == "replacement"
    assert resp.get_json()["card"]["status"] == "awaiting_stock"
    assert "3319024502850003" not in resp.get_data(as_text=True)


def test_openapi_documents_the_card_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/stock",
        "/api/v1/stock/deliveries",
        "/api/v1/print-queue",
        "/api/v1/appointments/{code}/printed",
        "/api/v1/appointments/{code}/picked-up",
    ):
        assert path in paths


def test_card_field_of_a_booking_is_not_recorded(client, office):
    from tests.factories import booking_body, make_slot

    slot = make_slot(site=office)
    resp = client.post("/api/v1/appointments", json=booking_body(slot, birth_date=date(2001, 3, 3)))
    assert resp.get_json()["appointment"]["card"]["status"] == "not_recorded"


def test_the_residents_lookup_shows_the_card_and_its_place_in_the_queue(client, record):
    first, _ = record()
    appointment, card = record()
    from scheduler import nik as niks

    nik = niks.decrypt_nik(appointment.nik_encrypted)
    resp = client.post(f"/api/v1/appointments/{appointment.code}/lookup", json={"nik": nik})
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["card"] == {
        "status": "awaiting_stock",
        "print_on": None,
        "pickup_from": None,
        "pickup_site": {"id": appointment.site_id, "name": "Kantor Uji"},
        "queue_position": 2,
    }
