from datetime import date

import pytest

from scheduler.extensions import db
from scheduler.sites.models import Slot
from tests.factories import booking_body, make_nik, make_slot


@pytest.fixture
def slot(ctx):
    return make_slot(capacity=2)


def book(client, body, **headers):
    return client.post("/api/v1/appointments", json=body, headers=headers)


def test_booking_returns_the_appointment_with_masked_nik(client, slot):
    body = booking_body(slot)
    resp = book(client, body)
    assert resp.status_code == 201
    a = resp.get_json()["appointment"]
    assert a["status"] == "booked"
    assert a["nik_masked"] == body["nik"][:4] + "*" * 10 + body["nik"][-2:]
    assert body["nik"] not in resp.get_data(as_text=True)
    assert a["slot"]["available"] == 1
    assert a["slot"]["starts_at"].endswith("+07:00")
    assert a["card"]["status"] == "not_recorded"
    assert len(a["code"]) == 8 and not set(a["code"]) & set("0O1IL2Z5S8B")


def test_slot_never_holds_more_than_capacity(client, slot):
    assert book(client, booking_body(slot)).status_code == 201
    assert book(client, booking_body(slot)).status_code == 201
    resp = book(client, booking_body(slot))
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "slot_full"
    assert db.session.get(Slot, slot.id).booked_count == 2


def test_one_nik_holds_one_active_booking(client, slot):
    other = make_slot(capacity=2, days_ahead=2)
    body = booking_body(slot)
    assert book(client, body).status_code == 201
    resp = book(client, {**body, "slot_id": other.id})
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "duplicate_booking"


def test_wrong_birth_date_is_refused_on_birth_date(client, slot):
    body = booking_body(slot, birth_date=date(2000, 5, 17))
    body["birth_date"] = "2000-05-18"
    resp = book(client, body)
    assert resp.status_code == 422
    assert "birth_date" in resp.get_json()["error"]["fields"]


def test_women_day_plus_forty(client, slot):
    body = booking_body(slot, birth_date=date(1999, 3, 7), female=True)
    assert body["nik"][6:8] == "47"
    assert book(client, body).status_code == 201


def test_under_sixteen_on_slot_date_is_refused(client, slot):
    resp = book(client, booking_body(slot, birth_date=date(2011, 1, 1)))
    assert resp.status_code == 422
    assert "birth_date" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "nik,fragment",
    [
        ("12345", "16"),
        ("3319ab0101000001", "angka"),
        ("9919020101000001", "provinsi"),
        ("3300020101000001", "00"),
        ("3319000101000001", "00"),
        ("3319023102000001", "tanggal"),
        ("3319020101000000", "0000"),
    ],
)
def test_nik_errors_are_reported_on_nik(client, slot, nik, fragment):
    resp = book(client, {**booking_body(slot), "nik": nik})
    assert resp.status_code == 422
    assert fragment in resp.get_json()["error"]["fields"]["nik"]


def test_messages_follow_accept_language(client, slot):
    resp = client.post(
        "/api/v1/appointments",
        json={**booking_body(slot), "nik": "1"},
        headers={"Accept-Language": "en"},
    )
    assert "16 digits" in resp.get_json()["error"]["fields"]["nik"]


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        '"x"',
        "{}",
        '{"slot_id": "abc"}',
        '{"slot_id": 99999999999999}',
    ],
)
def test_malformed_bodies_are_422_and_write_nothing(client, slot, payload):
    resp = client.post("/api/v1/appointments", data=payload, content_type="application/json")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "validation_error"
    assert db.session.get(Slot, slot.id).booked_count == 0


def test_overlong_name_and_missing_consent(client, slot):
    resp = book(client, {**booking_body(slot), "name": "x" * 101, "consent": False})
    fields = resp.get_json()["error"]["fields"]
    assert resp.status_code == 422 and {"name", "consent"} <= set(fields)


def test_unknown_slot_is_422_on_slot_id(client, slot):
    resp = book(client, {**booking_body(slot), "slot_id": 424242})
    assert resp.status_code == 422 and "slot_id" in resp.get_json()["error"]["fields"]


def test_outreach_only_slot_is_refused(client):
    private = make_slot(session_kind="outreach", is_public=False)
    resp = book(client, booking_body(private))
    assert resp.status_code == 422 and "slot_id" in resp.get_json()["error"]["fields"]


def test_phone_is_stored_as_e164(client, slot):
    from scheduler.appointments.models import Appointment

    book(client, booking_body(slot, phone="0812-3456-7890"))
    assert db.session.scalars(db.select(Appointment)).one().phone == "+6281234567890"


def test_a_name_is_kept_with_single_spaces_as_the_booking_page_keeps_it(client, slot):
    resp = book(client, booking_body(slot, name="  Siti   Aminah "))
    assert resp.status_code == 201
    assert resp.get_json()["appointment"]["name"] == "Siti Aminah"


def test_idempotency_key_replays_and_conflicts(client, slot):
    body = booking_body(slot)
    first = book(client, body, **{"Idempotency-Key": "abc"})
    again = book(client, body, **{"Idempotency-Key": "abc"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["appointment"]["code"] == again.get_json()["appointment"]["code"]
    other = book(client, booking_body(slot), **{"Idempotency-Key": "abc"})
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_conflict"


def test_lookup_cancel_and_reschedule(client, slot):
    body = booking_body(slot)
    code = book(client, body).get_json()["appointment"]["code"]
    nik = {"nik": body["nik"]}
    assert client.post(f"/api/v1/appointments/{code}/lookup", json=nik).status_code == 200
    wrong = client.post(
        f"/api/v1/appointments/{code}/lookup", json={"nik": make_nik(date(2000, 5, 17))}
    )
    unknown = client.post("/api/v1/appointments/ZZZZZZZZ/lookup", json=nik)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()

    later = make_slot(capacity=1, days_ahead=3)
    moved = client.post(
        f"/api/v1/appointments/{code}/reschedule", json={**nik, "slot_id": later.id}
    )
    assert moved.status_code == 200
    assert moved.get_json()["appointment"]["slot"]["id"] == later.id
    assert db.session.get(Slot, slot.id).booked_count == 0
    assert db.session.get(Slot, later.id).booked_count == 1

    cancelled = client.post(f"/api/v1/appointments/{code}/cancel", json=nik)
    assert cancelled.get_json()["appointment"]["status"] == "cancelled"
    assert db.session.get(Slot, later.id).booked_count == 0
    again = client.post(f"/api/v1/appointments/{code}/cancel", json=nik)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    # the NIK is free again
    assert book(client, body).status_code == 201


def test_reschedule_into_full_slot_keeps_the_old_seat(client, slot):
    body = booking_body(slot)
    code = book(client, body).get_json()["appointment"]["code"]
    full = make_slot(capacity=1, days_ahead=4)
    book(client, booking_body(full))
    resp = client.post(
        f"/api/v1/appointments/{code}/reschedule", json={"nik": body["nik"], "slot_id": full.id}
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slot_full"
    assert db.session.get(Slot, slot.id).booked_count == 1


def test_qr_and_ics_need_the_signature(client, slot):
    a = book(client, booking_body(slot)).get_json()["appointment"]
    png = client.get(a["qr_png_url"].replace("https://antre.example.go.id", ""))
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    ics = client.get(a["ics_url"].replace("https://antre.example.go.id", ""))
    assert ics.status_code == 200 and b"DTSTART;TZID=Asia/Jakarta:20261208T100000" in ics.data
    forged = client.get(f"/api/v1/appointments/{a['code']}/qr.png?s=forged")
    assert forged.status_code == 404


@pytest.mark.parametrize(
    ("base_url", "root"),
    [
        ("http://localhost", "http://localhost/"),
        ("https://ktp.kuduskab.go.id/antre", "https://ktp.kuduskab.go.id/antre/"),
    ],
)
def test_the_answers_links_are_what_url_for_builds(app, client, slot, base_url, root, monkeypatch):
    """Without PUBLIC_BASE_URL the links come from a template per root URL (host, scheme,
    script root); they are exactly url_for's, and a second host gets its own."""
    from flask import url_for

    from scheduler.appointments import services

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    a = client.post("/api/v1/appointments", json=booking_body(slot), base_url=base_url).get_json()[
        "appointment"
    ]
    assert a["qr_png_url"].startswith(root)
    with app.test_request_context("/", base_url=base_url):
        sig = services.link_signature(a["code"])
        assert a["qr_png_url"] == url_for(
            "appointments_api.qr_png", code=a["code"], s=sig, _external=True
        )
        assert a["ics_url"] == url_for(
            "appointments_api.ics", code=a["code"], s=sig, _external=True
        )


def test_the_api_sets_no_cookie_even_when_asked_for_a_language(client, slot):
    resp = client.post("/api/v1/appointments?lang=en", json={**booking_body(slot), "nik": "1"})
    assert "16 digits" in resp.get_json()["error"]["fields"]["nik"]
    assert "Set-Cookie" not in resp.headers


def test_api_answers_do_not_vary_on_cookies(client, slot):
    """The API has no session: a cached list of sites or slots is the same for everyone."""
    client.get("/?lang=en")  # a page visit leaves a session cookie in the client
    assert client.get_cookie("session") is not None
    for path in ("/api/v1/sites", f"/api/v1/sites/{slot.site_id}/slots"):
        resp = client.get(path)
        assert resp.status_code == 200
        assert "Cookie" not in resp.headers.get("Vary", ""), resp.headers.get("Vary")
        assert "Set-Cookie" not in resp.headers


def test_bookings_from_one_address_are_limited_then_429(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "BOOKING_LIMIT_PER_ADDRESS", "3 per minute")
    slot = make_slot(capacity=10)
    answers = [
        client.post("/api/v1/appointments", json=booking_body(slot)).status_code for _ in range(4)
    ]
    assert answers == [201, 201, 201, 429]
    refused = client.post("/api/v1/appointments", json=booking_body(slot))
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert db.session.get(Slot, slot.id).booked_count == 3


def test_no_request_pays_for_a_limiter_pass_that_finds_nothing(app):
    """Every limit is a route decorator; the before-request pass for default limits is
    gone (the look-up limits, decorated, still answer 429: the tests above)."""
    from scheduler.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_the_booking_limit_can_be_left_to_the_proxy(client, app, monkeypatch):
    """With "off" a reverse proxy limits floods; the app spends no storage round trip."""
    monkeypatch.setitem(app.config, "BOOKING_LIMIT_PER_ADDRESS", "off")
    slot = make_slot(capacity=12)
    answers = {
        client.post("/api/v1/appointments", json=booking_body(slot)).status_code for _ in range(12)
    }
    assert answers == {201}
