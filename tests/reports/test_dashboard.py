"""The public dashboard: the right figures, nothing personal, no small count, and a cache
that stays true for its whole period."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import stock
from scheduler.extensions import db
from scheduler.outreach import coverage
from scheduler.sites.models import Slot
from tests.conftest import FROZEN_NOW
from tests.factories import make_nik, make_site, make_slot

TODAY = date(2026, 12, 7)
URL = "/api/v1/public/dashboard"


def _record(site, name="Siti Aminah", region="331909", birth_date=date(1990, 5, 17)):
    """A resident recorded at `site` now (counts towards their NIK's kecamatan)."""
    slot = db.session.scalar(sa.select(Slot).where(Slot.site_id == site.id, Slot.capacity == 99))
    slot = slot or make_slot(site=site, capacity=99, days_ahead=0, at=clock.now().time())
    nik = make_nik(birth_date, region=region)
    applicant = appointments.Applicant(
        nik=nik, name=name, birth_date=birth_date, phone="+6281234500001"
    )
    appointment = appointments.book_into_slot(slot, applicant, status="checked_in")
    appointments.mark_recorded(appointment)
    db.session.commit()
    return nik


def _figures(client, **query):
    response = client.get(URL, query_string=query)
    assert response.status_code == 200
    return response.get_json()


def _kecamatan(body, name):
    return next(k for k in body["coverage"]["kecamatan"] if k["name"] == name)


def test_coverage_per_kecamatan_against_the_target(client):
    coverage.save_figure("Dawe", "Colo", 10_000, 9_900, counted_on=TODAY - timedelta(days=2))
    coverage.save_figure("Bae", "Panjang", 20_000, 19_990, counted_on=TODAY - timedelta(days=2))
    coverage.save_figure(
        "Jati", "Loram Kulon", 30_000, 29_000, counted_on=TODAY - timedelta(days=2)
    )
    office = make_site(kind="office")
    for i in range(6):
        _record(office, name=f"Warga {i}")  # Dawe NIKs, recorded today
    body = _figures(client)
    dawe = _kecamatan(body, "Dawe")
    assert (dawe["wktp"], dawe["recorded"], dawe["not_recorded"]) == (10_000, 9_906, 94)
    assert dawe["coverage"] == 99.06 and dawe["meets_target"] is False
    bae = _kecamatan(body, "Bae")
    assert (bae["coverage"], bae["meets_target"], bae["suppressed"]) == (99.95, True, False)
    regency = body["coverage"]["regency"]
    assert (regency["wktp"], regency["recorded"]) == (60_000, 58_896)
    assert body["coverage"]["target"] == 99.4
    assert body["coverage"]["counted_on"] == "2026-12-05"
    assert body["recordings_this_month"] == {"month": "2026-12", "count": 6, "suppressed": False}


def test_a_small_count_is_never_published(client):
    coverage.save_figure("Dawe", "Colo", 10_000, 9_997)  # 3 not recorded
    coverage.save_figure("Bae", "Panjang", 20_000, 19_000)
    coverage.save_figure("Jati", "Loram Kulon", 30_000, 29_000)
    office = make_site(kind="office")
    nik = _record(office, name="Rahasia Sekali", region="331902")
    body = _figures(client)
    dawe = _kecamatan(body, "Dawe")
    assert (dawe["recorded"], dawe["not_recorded"], dawe["coverage"]) == (None, None, None)
    assert dawe["suppressed"] and dawe["small"] == "not_recorded"
    assert (dawe["coverage_min"], dawe["meets_target"]) == (99.96, True)
    # The regency's total minus the kecamatan shown must not give Dawe's 3: one partner is
    # withheld with it.
    assert sum(k["suppressed"] for k in body["coverage"]["kecamatan"]) == 2
    assert body["recordings_this_month"] == {"month": "2026-12", "count": None, "suppressed": True}
    page = client.get("/angka").get_data(as_text=True)
    for text in ("Rahasia Sekali", nik, nik[:4] + "*" * 10 + nik[-2:], ">3<", "9.997"):
        assert text not in page and text not in str(body)
    assert "≥ 99,96 %" in page and "di bawah 5" in page


def test_stock_and_days_of_cover(client):
    office = make_site(kind="office")
    stock.save_print_site(office.id, printers=1, operators=1, cards_per_printer=10)
    stock.receive_delivery(300, TODAY - timedelta(days=10), reference="SP-1")
    stock.correct_stock(-90, "hitung ulang")  # no usage: days of cover unknown
    db.session.commit()
    assert _figures(client)["stock"] == {"on_hand": 210, "days_of_cover": None, "offices": []}
    # Printing at a second place: each office's blanks are shown too.
    from scheduler.cards import offices

    second = offices.add_office("Kantor cetak Jati")
    offices.transfer_stock(1, second.id, 60)
    db.session.commit()
    from scheduler.reports import dashboard

    dashboard.clear_cache()
    body = _figures(client)["stock"]
    assert body["on_hand"] == 210
    assert [(o["name"], o["on_hand"]) for o in body["offices"]] == [
        ("Kantor Disdukcapil", 150),
        ("Kantor cetak Jati", 60),
    ]
    assert "Kantor cetak Jati" in client.get("/angka").get_data(as_text=True)


def test_the_next_free_slot_stays_bookable_for_the_cache_period(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_DASHBOARD_CACHE_SECONDS", 600)
    monkeypatch.setitem(app.config, "BOOKING_MIN_NOTICE_MINUTES", 60)
    office = make_site(kind="office", name="Kantor Pusat")
    at = FROZEN_NOW + timedelta(minutes=65)  # bookable now, no longer in 10 minutes
    make_slot(site=office, starts_at=at, capacity=2)
    full = make_slot(site=office, starts_at=at + timedelta(minutes=30), capacity=1)
    full.booked_count = 1
    make_slot(site=office, starts_at=at + timedelta(minutes=60), is_public=False)
    make_slot(site=office, starts_at=at + timedelta(minutes=90))
    make_site(kind="subdistrict", name="Kecamatan Tanpa Jadwal")
    make_site(kind="school", name="Sekolah Tanpa Jadwal Umum")
    body = _figures(client)
    rows = {s["name"]: s for s in body["sites"]}
    assert rows["Kantor Pusat"]["next_free_slot"] == "2026-12-07T10:35:00+07:00"
    assert rows["Kecamatan Tanpa Jadwal"]["next_free_slot"] is None
    assert "Sekolah Tanpa Jadwal Umum" not in rows  # schools only with a public free slot


def _booked(site, booked_at, days_ahead):
    slot = make_slot(site=site, days_ahead=days_ahead, capacity=10)
    clock.freeze(booked_at)
    appointment = appointments.book_into_slot(
        slot,
        appointments.Applicant(
            nik=make_nik(date(1990, 1, 1)),
            name="A",
            birth_date=date(1990, 1, 1),
            phone="+6281234500002",
        ),
    )
    clock.freeze(FROZEN_NOW)
    return appointment


def test_typical_wait_is_the_median_of_recent_online_bookings(client):
    office = make_site(kind="office", name="Kantor Pusat")
    hall = make_site(kind="subdistrict", name="Kecamatan Sepi")
    for lead in (1, 2, 3, 7, 9):  # booked today for that many days ahead
        _booked(office, FROZEN_NOW, lead)
    _booked(office, FROZEN_NOW - timedelta(days=40), 20)  # too long ago to count
    walk_in = _booked(office, FROZEN_NOW, 15)
    walk_in.channel = "walk_in"
    for lead in (1, 2, 3, 4):
        _booked(hall, FROZEN_NOW, lead)
    db.session.commit()
    rows = {s["name"]: s for s in _figures(client)["sites"]}
    assert rows["Kantor Pusat"]["typical_wait_days"] == 3.0
    assert rows["Kecamatan Sepi"]["typical_wait_days"] is None
    assert rows["Kecamatan Sepi"]["wait_suppressed"] is True


def test_figures_are_cached_and_renewed_after_the_period(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_DASHBOARD_CACHE_SECONDS", 300)
    coverage.save_figure("Dawe", "Colo", 10_000, 9_000, counted_on=TODAY - timedelta(days=1))
    office = make_site(kind="office")
    for i in range(5):
        _record(office, name=f"Warga {i}")
    first = client.get(URL)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.get_json()["recordings_this_month"]["count"] == 5
    _record(office)
    clock.freeze(FROZEN_NOW + timedelta(seconds=120))
    cached = client.get(URL)
    assert cached.get_json() == first.get_json()  # served from the cache
    assert cached.headers["Cache-Control"] == "public, max-age=180"
    again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    clock.freeze(FROZEN_NOW + timedelta(seconds=301))
    renewed = client.get(URL).get_json()
    assert renewed["recordings_this_month"]["count"] == 6
    assert _kecamatan(renewed, "Dawe")["recorded"] == 9_006


def test_a_new_day_never_serves_yesterdays_figures(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_DASHBOARD_CACHE_SECONDS", 3600)
    office = make_site(kind="office")
    for i in range(5):
        _record(office, name=f"Warga {i}")
    clock.freeze(datetime(2026, 11, 30, 16, 50, tzinfo=FROZEN_NOW.tzinfo))  # 23:50 WIB
    assert _figures(client)["recordings_this_month"]["month"] == "2026-11"
    clock.freeze(datetime(2026, 11, 30, 17, 5, tzinfo=FROZEN_NOW.tzinfo))  # 00:05, 1 Dec
    assert _figures(client)["recordings_this_month"]["month"] == "2026-12"


def test_the_page_in_both_languages_from_the_same_cache(client):
    coverage.save_figure("Dawe", "Colo", 643_450, 641_131)
    indonesian = client.get("/angka")
    assert indonesian.status_code == 200
    text = indonesian.get_data(as_text=True)
    assert "Cakupan perekaman" in text and "643.450" in text and "99,64 %" in text
    assert "<svg" in text and "target 99,40 %" in text
    assert indonesian.headers["Cache-Control"] == "private, max-age=300"
    english = client.get("/angka?lang=en").get_data(as_text=True)
    assert "Recording coverage" in english and "643,450" in english and "99.64 %" in english
    assert '<script src="http' not in english and "cdn" not in english.lower()


def test_no_login_and_no_personal_fields(client):
    body = _figures(client)
    assert set(body) == {
        "generated_at",
        "valid_seconds",
        "regency",
        "suppression_threshold",
        "coverage",
        "stock",
        "sites",
        "recordings_this_month",
    }
