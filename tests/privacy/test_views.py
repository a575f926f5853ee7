"""The resident's pages: "Data saya" from /cek, its JSON file, and erasure."""

import json
import re
from datetime import date

from tests.factories import make_nik


def _token(html):
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def test_cek_offers_my_data(client):
    html = client.get("/cek").get_data(as_text=True)
    assert 'formaction="/data-saya"' in html and "Data saya" in html


def test_my_data_page_shows_the_record_masked_and_offers_a_file(client, booked):
    body, a = booked
    resp = client.post("/data-saya", data={"code": a["code"], "nik": body["nik"]})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Budi Santoso" in html and a["nik_masked"] in html and "+6281****890" in html
    assert "Konfirmasi janji temu" in html
    assert body["nik"] not in html and "81234567890" not in html
    download = client.post("/data-saya/unduh", data={"token": _token(html)})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    data = json.loads(download.get_data(as_text=True))
    assert data["booking"]["code"] == a["code"]
    assert body["nik"] not in download.get_data(as_text=True)


def test_the_page_speaks_english(client, booked):
    body, a = booked
    html = client.post("/data-saya?lang=en", data={"code": a["code"], "nik": body["nik"]}).get_data(
        as_text=True
    )
    assert "My data" in html and "Booking confirmation" in html


def test_a_forged_or_stale_download_token_is_404(client, booked):
    assert client.post("/data-saya/unduh", data={"token": "forged"}).status_code == 404
    assert client.post("/data-saya/unduh", data={}).status_code == 404


def test_a_wrong_nik_shows_the_look_up_message(client, booked):
    body, a = booked
    wrong = make_nik(date(2000, 5, 17), serial=4321)
    resp = client.post("/data-saya", data={"code": a["code"], "nik": wrong})
    assert resp.status_code == 404
    assert "Kode booking atau NIK tidak cocok." in resp.get_data(as_text=True)


def test_erasing_on_the_web_asks_for_consent_then_says_what_was_kept(client, booked):
    body, a = booked
    page = client.get(f"/data-saya/hapus?kode={a['code']}").get_data(as_text=True)
    assert a["code"] in page
    unconfirmed = client.post("/data-saya/hapus", data={"code": a["code"], "nik": body["nik"]})
    assert unconfirmed.status_code == 422
    done = client.post(
        "/data-saya/hapus", data={"code": a["code"], "nik": body["nik"], "confirm": "y"}
    )
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "Data Anda sudah dihapus" in html and "Log audit petugas" in html
    again = client.post("/data-saya", data={"code": a["code"], "nik": body["nik"]})
    assert again.status_code == 404


def test_a_download_token_dies_with_the_erasure(client, booked):
    body, a = booked
    html = client.post("/data-saya", data={"code": a["code"], "nik": body["nik"]})
    token = _token(html.get_data(as_text=True))
    erased = client.post(f"/api/v1/appointments/{a['code']}/erase", json={"nik": body["nik"]})
    assert erased.status_code == 200
    assert client.post("/data-saya/unduh", data={"token": token}).status_code == 404
