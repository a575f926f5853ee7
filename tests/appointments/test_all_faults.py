"""A booking names every fault at once (NIK, phone, email, name, birth date), on the form
and in the API's `fields`; every form shows one error summary; a NIK that holds a booking
links to the look-up page."""

import re
from datetime import date

import pytest

from tests.factories import booking_body, booking_form, make_nik, make_slot

BIRTH = date(2000, 5, 17)
UNKNOWN_REGION_NIK = make_nik(BIRTH, region="331999")


@pytest.fixture
def slot(ctx):
    return make_slot(capacity=2)


def _fields(resp):
    assert resp.status_code == 422, resp.get_json()
    return resp.get_json()["error"]["fields"]


def test_the_api_names_nik_phone_and_email_at_once(client, slot):
    body = booking_body(slot, nik=UNKNOWN_REGION_NIK, phone="12345", email="not-an-email")
    fields = _fields(client.post("/api/v1/appointments", json=body))
    assert {"nik", "phone", "email"} <= set(fields)
    assert "kecamatan" in fields["nik"].lower()


def test_the_api_names_phone_nik_and_birth_date_when_the_shape_is_right(client, slot):
    body = booking_body(slot, nik=make_nik(BIRTH, region="331999"), phone="021 555 1234")
    body["birth_date"] = "2000-05-18"
    fields = _fields(client.post("/api/v1/appointments", json=body))
    assert set(fields) == {"nik", "phone", "birth_date"}


def test_the_api_in_english_too(client, slot):
    body = booking_body(slot, nik=UNKNOWN_REGION_NIK, phone="12345", email="x")
    fields = _fields(client.post("/api/v1/appointments?lang=en", json=body))
    assert "number" in fields["phone"].lower() and "email" in fields["email"].lower()


def _form(**extra):
    return booking_form(BIRTH, **extra)


def _field_error(html, field):
    match = re.search(rf'id="{field}-error"[^>]*>([^<]+)<', html)
    return match.group(1).strip() if match else None


def test_the_form_names_nik_phone_and_email_at_once(client, slot):
    resp = client.post(
        f"/pesan/{slot.id}", data=_form(nik=UNKNOWN_REGION_NIK, phone="12345", email="nope")
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for field in ("nik", "phone", "email"):
        assert _field_error(html, field), field
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert {"#nik", "#phone", "#email"} <= set(re.findall(r'href="(#\w+)"', summary))
    assert html.count('class="error-summary"') == 1
    # What was typed stays.
    assert f'value="{UNKNOWN_REGION_NIK}"' in html and 'value="nope"' in html


def test_the_form_names_phone_and_birth_date_at_once_when_the_shape_is_right(client, slot):
    resp = client.post(
        f"/pesan/{slot.id}", data=_form(phone="021 555 1234", birth_date="2000-05-18")
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _field_error(html, "phone") and _field_error(html, "birth_date")


def test_the_form_in_english(client, slot):
    resp = client.post(f"/pesan/{slot.id}?lang=en", data=_form(phone="12345", email="nope"))
    html = resp.get_data(as_text=True)
    assert "Check the marked fields" in html or "Please check" in html
    assert "number" in _field_error(html, "phone").lower()


def test_a_nik_holding_a_booking_links_to_the_look_up(client, slot):
    nik = make_nik(BIRTH)
    assert client.post(f"/pesan/{slot.id}", data=_form(nik=nik)).status_code == 302
    other = make_slot(capacity=2, days_ahead=2)
    resp = client.post(f"/pesan/{other.id}", data=_form(nik=nik))
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert 'href="/cek"' in html
    english = client.post(f"/pesan/{other.id}?lang=en", data=_form(nik=nik))
    assert "Look up, change or cancel" in english.get_data(as_text=True)


def test_other_forms_use_the_same_summary(client, slot):
    resp = client.post("/cek", data={"code": "", "nik": ""})
    assert resp.status_code == 422
    assert 'class="error-summary"' in resp.get_data(as_text=True)
