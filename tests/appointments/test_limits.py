"""The look-up limits: failed code + NIK checks are counted per code and per address, one
counter for the API and the pages, and only failures count."""

from datetime import date

import pytest

from tests.factories import booking_body, make_nik, make_slot

BIRTH = date(2000, 5, 17)


@pytest.fixture
def booked(client, ctx):
    body = booking_body(make_slot())
    resp = client.post("/api/v1/appointments", json=body)
    assert resp.status_code == 201
    return resp.get_json()["appointment"]["code"], body["nik"]


def wrong_nik(serial=1):
    return make_nik(date(1990, 1, 1), serial=serial)


def page_lookup(client, code, nik):
    return client.post("/cek", data={"code": code, "nik": nik})


def api_lookup(client, code, nik):
    return client.post(f"/api/v1/appointments/{code}/lookup", json={"nik": nik})


def test_two_hundred_wrong_guesses_hit_429(client, booked):
    code, _ = booked
    statuses = set()
    for i in range(200):
        resp = api_lookup(client, code, wrong_nik(i + 1))
        statuses.add(resp.status_code)
        if resp.status_code == 429:
            assert resp.get_json()["error"]["code"] == "rate_limited"
            assert int(resp.headers["Retry-After"]) > 0
            break
    assert 429 in statuses


def test_the_page_is_limited_on_failures_only(client, app, booked, monkeypatch):
    code, nik = booked
    monkeypatch.setitem(app.config, "LOOKUP_LIMIT_PER_CODE", "3 per 10 minutes")
    for _ in range(5):  # successes do not count
        assert page_lookup(client, code, nik).status_code == 302
    for _ in range(3):
        assert page_lookup(client, code, make_nik(BIRTH)).status_code == 404
    resp = page_lookup(client, code, nik)
    assert resp.status_code == 429
    assert "Retry-After" in resp.headers
    html = resp.get_data(as_text=True)
    assert "Terlalu banyak percobaan" in html and "menit" in html
    # The form itself still opens, and another code is not affected.
    assert client.get("/cek").status_code == 200
    assert page_lookup(client, "AAAAAAAA", make_nik(BIRTH)).status_code == 404


@pytest.mark.parametrize("setting", ["LOOKUP_LIMIT_PER_CODE", "LOOKUP_LIMIT_PER_ADDRESS"])
def test_the_page_and_the_api_share_one_counter(client, app, booked, monkeypatch, setting):
    code, nik = booked
    monkeypatch.setitem(app.config, setting, "4 per 10 minutes")
    assert page_lookup(client, code, wrong_nik(1)).status_code == 404
    assert api_lookup(client, code, wrong_nik(2)).status_code == 404
    assert page_lookup(client, code, wrong_nik(3)).status_code == 404
    assert api_lookup(client, code, wrong_nik(4)).status_code == 404
    # Four failures between them: both are locked, even with the right NIK.
    assert api_lookup(client, code, nik).status_code == 429
    assert page_lookup(client, code, nik).status_code == 429
