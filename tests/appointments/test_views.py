"""Resident pages: booking on a phone, the appointment page, look-up, cancel, reschedule."""

import gzip
import re
from datetime import date, time

import pytest

from scheduler.appointments.models import Appointment
from scheduler.appointments.services import link_signature
from scheduler.extensions import db
from scheduler.sites.models import Slot
from tests.factories import booking_form, make_nik, make_site, make_slot

BIRTH = date(2000, 5, 17)


@pytest.fixture
def site(ctx):
    return make_site(name="Kantor Disdukcapil Uji", hours=False)


@pytest.fixture
def slot(site):
    return make_slot(site, capacity=2)


def form_body(**extra):
    return booking_form(BIRTH, **extra)


def text(resp):
    return resp.get_data(as_text=True)


def error_of(html, field):
    """The message tied to a field by aria-describedby, or None."""
    match = re.search(rf'id="{field}-error"[^>]*>([^<]+)<', html)
    return match.group(1).strip() if match else None


def book(client, slot, **extra):
    body = form_body(**extra)
    return body, client.post(f"/pesan/{slot.id}", data=body)


def test_full_booking_flow_through_the_pages(client, site, slot):
    home = client.get("/")
    assert home.status_code == 200
    assert 'lang="id"' in text(home)
    assert f'href="/lokasi/{site.id}"' in text(home)

    days = client.get(f"/lokasi/{site.id}")
    assert "Selasa, 8 Desember 2026" in text(days)
    assert "2 kursi kosong" in text(days)
    assert "tanggal=2026-12-08" in text(days)

    times = client.get(f"/lokasi/{site.id}?tanggal=2026-12-08")
    assert "10:00" in text(times)
    assert f'href="/pesan/{slot.id}"' in text(times)

    form = client.get(f"/pesan/{slot.id}")
    assert form.status_code == 200
    html = text(form)
    for name in ("nik", "name", "birth_date", "phone", "email", "married", "consent"):
        assert f'for="{name}"' in html and f'id="{name}"' in html

    body, resp = book(client, slot)
    assert resp.status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.channel == "web"
    assert appointment.phone == "+6281234567890"
    sig = link_signature(appointment.code)
    assert resp.headers["Location"] == f"/janji/{appointment.code}?s={sig}"

    page = client.get(resp.headers["Location"])
    html = text(page)
    assert page.status_code == 200
    assert appointment.code in html
    assert appointment.nik_masked in html
    assert body["nik"] not in html
    assert f"/api/v1/appointments/{appointment.code}/qr.png?s={sig}" in html
    assert f"/api/v1/appointments/{appointment.code}/calendar.ics?s={sig}" in html
    assert "10:00" in html and "WIB" in html and "Jl. Uji 1" in html
    assert "Dipesan" in html and "Belum direkam" in html
    # The QR image itself opens from the page's link.
    qr = client.get(f"/api/v1/appointments/{appointment.code}/qr.png?s={sig}")
    assert qr.status_code == 200 and qr.mimetype == "image/png"
    assert db.session.get(Slot, slot.id).booked_count == 1


def test_full_slots_and_days_are_shown_disabled(client, site):
    full = make_slot(site, capacity=1, at=time(2, 0))
    full.booked_count = 1
    make_slot(site, capacity=3)
    html = text(client.get(f"/lokasi/{site.id}?tanggal=2026-12-08"))
    assert f'href="/pesan/{full.id}"' not in html
    assert 'aria-disabled="true"' in html and "penuh" in html

    gone = make_slot(site, capacity=1, days_ahead=3)
    gone.booked_count = 1
    days = text(client.get(f"/lokasi/{site.id}"))
    assert "Kamis, 10 Desember 2026" in days
    assert "tanggal=2026-12-10" not in days


def test_a_bad_date_in_the_url_is_a_friendly_422(client, site, slot):
    resp = client.get(f"/lokasi/{site.id}?tanggal=kemarin")
    assert resp.status_code == 422
    assert "Tanggal tidak dapat dibaca" in text(resp)


def test_an_inactive_site_offers_no_days(client, site, slot):
    site.active = False
    html = text(client.get(f"/lokasi/{site.id}"))
    assert "sedang tidak melayani" in html and "tanggal=" not in html
    assert f'href="/lokasi/{site.id}"' not in text(client.get("/"))


def test_unknown_site_is_404(client, ctx):
    assert client.get("/lokasi/999999").status_code == 404


@pytest.mark.parametrize(
    "change,field,fragment",
    [
        ({"nik": "12345"}, "nik", "16 digit"),
        ({"birth_date": "2000-05-18"}, "birth_date", "tidak cocok"),
        ({"birth_date": "2000-13-45"}, "birth_date", "17-05-2000"),
        ({"phone": "12"}, "phone", "Nomor HP tidak sah"),
        ({"phone": "021 555 1234"}, "phone", "bukan nomor telepon rumah"),
        ({"consent": ""}, "consent", "menyetujui"),
        ({"name": ""}, "name", "Nama wajib diisi"),
        ({"email": "bukan-email"}, "email", "email tidak sah"),
    ],
)
def test_errors_are_next_to_the_field_and_values_are_kept(client, slot, change, field, fragment):
    body, resp = book(client, slot, **change)
    html = text(resp)
    assert resp.status_code == 422
    message = error_of(html, field)
    assert message and fragment in message
    assert f'aria-describedby="{field}-error' in html
    assert 'value="Siti Rahayu"' in html or field == "name"
    assert db.session.query(Appointment).count() == 0


def test_under_sixteen_is_told_when_they_may_book(client, slot):
    young = date(2011, 3, 2)
    _, resp = book(client, slot, nik=make_nik(young), birth_date=young.isoformat())
    assert resp.status_code == 422
    assert "mulai 2 Maret 2027." in error_of(text(resp), "birth_date")


def test_under_sixteen_hears_the_date_in_english_too(client, slot):
    young = date(2011, 3, 2)
    body = form_body(nik=make_nik(young), birth_date=young.isoformat())
    resp = client.post(f"/pesan/{slot.id}?lang=en", data=body)
    assert resp.status_code == 422
    assert "from 2 March 2027." in error_of(text(resp), "birth_date")


def test_duplicate_and_full_are_explained(client, site, slot):
    body, first = book(client, slot)
    assert first.status_code == 302
    other = make_slot(site, capacity=1, days_ahead=2)
    _, resp = book(client, other, nik=body["nik"])
    assert resp.status_code == 409
    assert "sudah memiliki janji temu" in error_of(text(resp), "nik")

    other.booked_count = 1
    _, resp = book(client, other)
    assert resp.status_code == 409
    assert "sudah penuh" in text(resp)
    assert "sudah penuh" in text(client.get(f"/pesan/{other.id}"))


def test_a_past_slot_cannot_be_opened(client, site):
    past = make_slot(site, days_ahead=-1)
    resp = client.get(f"/pesan/{past.id}")
    assert resp.status_code == 404
    assert "sudah lewat" in text(resp)


def test_english_with_lang_en(client, site, slot):
    html = text(client.get(f"/lokasi/{site.id}?lang=en"))
    assert 'lang="en"' in html
    assert "Tuesday, 8 December 2026" in html
    assert "2 free seats" in html
    form = text(client.get(f"/pesan/{slot.id}"))  # the choice sticks in the session
    assert "Full name" in form and "Book this slot" in form
    _, resp = book(client, slot, nik="12345")
    assert "16 digits" in error_of(text(resp), "nik")


def test_the_language_switch_keeps_the_page(client, site, slot):
    _, resp = book(client, slot)
    html = text(client.get(resp.headers["Location"]))
    link = re.search(r'<a href="([^"]+)" hreflang="en"', html).group(1).replace("&amp;", "&")
    assert "s=" in link and "lang=en" in link
    english = client.get(resp.headers["Location"].split("?")[0] + link)
    assert english.status_code == 200 and "Booked" in text(english)


def test_csrf_is_enforced_on_the_booking_form(client, app, slot, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    _, refused = book(client, slot)
    assert refused.status_code == 400
    assert db.session.query(Appointment).count() == 0
    page = text(client.get(f"/pesan/{slot.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    _, resp = book(client, slot, csrf_token=token)
    assert resp.status_code == 302
    assert db.session.query(Appointment).count() == 1


# ------------------------------------------------------------------ look-up and changes


@pytest.fixture
def booked(client, slot):
    body, resp = book(client, slot)
    assert resp.status_code == 302
    appointment = db.session.query(Appointment).one()
    return appointment, body["nik"]


def test_lookup_shows_the_appointment_and_never_the_nik(client, booked):
    appointment, nik = booked
    resp = client.post("/cek", data={"code": appointment.code.lower(), "nik": nik})
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith(f"/janji/{appointment.code}?s=")
    page = client.get(resp.headers["Location"])
    html = text(page)
    assert nik not in html
    assert "/batal?s=" in html and "/ubah?s=" in html


def test_lookup_with_a_wrong_nik_is_404_next_to_the_nik(client, booked):
    appointment, _ = booked
    resp = client.post("/cek", data={"code": appointment.code, "nik": make_nik(BIRTH)})
    assert resp.status_code == 404
    assert "tidak cocok" in error_of(text(resp), "nik")
    assert f'value="{appointment.code}"' in text(resp)


def test_booking_posts_from_one_address_are_limited_with_a_friendly_page(
    client, app, slot, monkeypatch
):
    monkeypatch.setitem(app.config, "BOOKING_LIMIT_PER_ADDRESS", "2 per minute")
    body, first = book(client, slot)
    assert first.status_code == 302
    _, again = book(client, slot, phone="021 555 1234")  # refused, and counted all the same
    assert again.status_code == 422
    _, resp = book(client, slot, nik=make_nik(date(1999, 1, 2)), birth_date="1999-01-02")
    assert resp.status_code == 429
    assert 0 < int(resp.headers["Retry-After"]) <= 60
    assert "Terlalu banyak percobaan" in text(resp)
    assert db.session.query(Appointment).count() == 1
    # Only POSTs count: the form still opens.
    assert client.get(f"/pesan/{slot.id}").status_code == 200


def test_the_appointment_page_needs_its_signature(client, booked):
    appointment, _ = booked
    assert client.get(f"/janji/{appointment.code}").status_code == 404
    assert client.get(f"/janji/{appointment.code}?s=forged").status_code == 404
    assert client.get(f"/janji/{appointment.code}/batal?s=forged").status_code == 404


def test_cancel_asks_for_the_nik_again(client, booked):
    appointment, nik = booked
    url = f"/janji/{appointment.code}/batal?s={link_signature(appointment.code)}"
    form = text(client.get(url))
    assert 'name="nik"' in form and nik not in form
    wrong = client.post(url, data={"nik": make_nik(BIRTH)})
    assert wrong.status_code == 404
    assert "tidak cocok" in error_of(text(wrong), "nik")
    assert db.session.get(Appointment, appointment.id).status == "booked"

    resp = client.post(url, data={"nik": nik})
    assert resp.status_code == 302
    db.session.refresh(appointment)
    assert appointment.status == "cancelled"
    assert db.session.get(Slot, appointment.slot_id).booked_count == 0
    page = text(client.get(resp.headers["Location"]))
    assert "Dibatalkan" in page and nik not in page and "qr.png" not in page

    again = client.post(url, data={"nik": nik})
    assert again.status_code == 409


def test_the_cancelled_page_offers_a_new_booking_not_the_qr_or_printing(client, booked):
    appointment, nik = booked
    sig = link_signature(appointment.code)
    page = f"/janji/{appointment.code}?s={sig}"
    before = text(client.get(page))
    assert "Tunjukkan kode QR" in before and "cetak=1" in before
    assert re.search(r'class="button danger" href="/janji/[^"]+/batal', before)
    client.post(f"/janji/{appointment.code}/batal?s={sig}", data={"nik": nik})
    html = text(client.get(page))
    assert "Tunjukkan kode QR" not in html and "cetak=1" not in html and "data-print" not in html
    assert "sudah dibatalkan" in html
    assert re.search(r'<a class="button primary" href="/">Pesan jadwal baru</a>', html)
    english = text(client.get(page + "&lang=en"))
    assert "Book a new appointment" in english and "has been cancelled" in english


def test_reschedule_to_another_day_and_site(client, site, booked):
    appointment, nik = booked
    later = make_slot(site, capacity=1, days_ahead=2)
    elsewhere = make_site(name="Kecamatan Jati", kind="subdistrict", hours=False)
    far = make_slot(elsewhere, capacity=1, days_ahead=3)
    sig = link_signature(appointment.code)
    base = f"/janji/{appointment.code}/ubah?s={sig}"

    days = text(client.get(base))
    assert "Rabu, 9 Desember 2026" in days
    day = text(client.get(f"{base}&lokasi={site.id}&tanggal=2026-12-09"))
    assert f'name="slot_id" value="{later.id}"' in day and nik not in day

    url = f"{base}&lokasi={site.id}&tanggal=2026-12-09"
    missing = client.post(url, data={"nik": nik})
    assert missing.status_code == 422
    assert "Pilih jam yang baru" in error_of(text(missing), "slot_id")

    resp = client.post(url, data={"nik": nik, "slot_id": later.id})
    assert resp.status_code == 302
    db.session.refresh(appointment)
    assert appointment.slot_id == later.id
    assert db.session.get(Slot, later.id).booked_count == 1

    other = text(client.get(f"{base}&lokasi={elsewhere.id}&tanggal=2026-12-10"))
    assert f'value="{far.id}"' in other
    resp = client.post(
        f"{base}&lokasi={elsewhere.id}&tanggal=2026-12-10", data={"nik": nik, "slot_id": far.id}
    )
    assert resp.status_code == 302
    db.session.refresh(appointment)
    assert (appointment.site_id, appointment.slot_id) == (elsewhere.id, far.id)
    assert db.session.get(Slot, later.id).booked_count == 0


def test_reschedule_into_a_full_slot_keeps_the_old_one(client, site, booked):
    appointment, nik = booked
    full = make_slot(site, capacity=1, days_ahead=2)
    full.booked_count = 1
    url = f"/janji/{appointment.code}/ubah?s={link_signature(appointment.code)}&tanggal=2026-12-09"
    resp = client.post(url, data={"nik": nik, "slot_id": full.id})
    assert resp.status_code == 409
    assert "penuh" in text(resp)
    db.session.refresh(appointment)
    assert db.session.get(Slot, appointment.slot_id).booked_count == 1


def test_no_response_ever_contains_the_full_nik(client, site, slot):
    body, resp = book(client, slot)
    appointment = db.session.query(Appointment).one()
    sig = link_signature(appointment.code)
    pages = [
        client.get(resp.headers["Location"]),
        client.get(f"/janji/{appointment.code}?s={sig}&cetak=1"),
        client.post(
            "/cek", data={"code": appointment.code, "nik": body["nik"]}, follow_redirects=True
        ),
        client.get(f"/janji/{appointment.code}/batal?s={sig}"),
        client.get(f"/janji/{appointment.code}/ubah?s={sig}&tanggal=2026-12-08"),
        client.get(f"/api/v1/appointments/{appointment.code}/calendar.ics?s={sig}"),
        client.post(
            f"/janji/{appointment.code}/batal?s={sig}",
            data={"nik": body["nik"]},
            follow_redirects=True,
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        assert body["nik"] not in page.get_data(as_text=True)


def _page_weight(client, url):
    resp = client.get(url)
    html = resp.get_data()
    total = len(gzip.compress(html))
    for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html):
        total += len(gzip.compress(client.get(href.decode()).get_data()))
    for src in re.findall(rb'<(?:img|script) [^>]*src="([^"]+)"', html):
        total += len(gzip.compress(client.get(src.decode().replace("&amp;", "&")).get_data()))
    return total


def test_every_resident_page_is_under_100_kb_compressed(client, site, slot):
    for i in range(30):
        make_slot(
            site, capacity=4, days_ahead=1 + i % 20, at=__import__("datetime").time(1 + i % 7, 30)
        )
    _, resp = book(client, slot)
    appointment = db.session.query(Appointment).one()
    sig = link_signature(appointment.code)
    for url in (
        "/",
        f"/lokasi/{site.id}",
        f"/lokasi/{site.id}?tanggal=2026-12-08",
        f"/pesan/{slot.id}",
        resp.headers["Location"],
        "/cek",
        f"/janji/{appointment.code}/ubah?s={sig}&tanggal=2026-12-08",
    ):
        assert _page_weight(client, url) < 100 * 1024, url
