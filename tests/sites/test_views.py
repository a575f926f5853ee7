"""Admin pages for sites: who may open them, site form, week, exceptions, slots, holidays."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import HolidayOverride, ScheduleException, Site, Slot
from tests.factories import make_site, make_user

PASSWORD = "correct-horse-battery"


def text(resp):
    return resp.get_data(as_text=True)


def error_of(html, field):
    match = re.search(rf'id="{field}-error"[^>]*>([^<]+)<', html)
    return match.group(1).strip() if match else None


def login(client, role):
    user = make_user(role=role)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return user


def test_the_login_form_leads_back_to_the_page(client, site):
    user = make_user(role="admin", password=PASSWORD)
    resp = client.get("/admin/lokasi")
    resp = client.post(resp.headers["Location"], data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/lokasi"
    assert client.get("/admin/lokasi").status_code == 200


@pytest.fixture
def admin(client):
    return login(client, "admin")


@pytest.fixture
def site(ctx):
    return make_site(name="Kecamatan Jati", kind="subdistrict")


def slots_on(site, day):
    start = datetime.combine(day, time.min, tzinfo=UTC) - timedelta(hours=7)
    return db.session.scalars(
        sa.select(Slot)
        .where(Slot.site_id == site.id, Slot.starts_at >= start)
        .where(Slot.starts_at < start + timedelta(days=1))
        .order_by(Slot.starts_at)
    ).all()


ADMIN_PAGES = [
    ("get", "/admin/lokasi"),
    ("get", "/admin/lokasi/baru"),
    ("get", "/admin/lokasi/{id}"),
    ("get", "/admin/lokasi/{id}/jadwal"),
    ("post", "/admin/lokasi/{id}/buat-slot"),
    ("post", "/admin/lokasi/buat-slot"),
    ("get", "/admin/hari-libur"),
    ("post", "/admin/hari-libur/2026-12-25/hapus"),
]


@pytest.mark.parametrize("method,url", ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client, site, method, url):
    resp = getattr(client, method)(url.format(id=site.id))
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/masuk?next=")


@pytest.mark.parametrize("method,url", ADMIN_PAGES)
def test_staff_is_refused(client, site, method, url):
    login(client, "staff")
    assert getattr(client, method)(url.format(id=site.id)).status_code == 403
    assert db.session.query(HolidayOverride).count() == 0


def test_the_list_shows_every_site_and_the_menu_links_here(client, admin, site):
    make_site(name="Balai Desa Nonaktif", kind="village_hall").active = False
    html = text(client.get("/admin/lokasi"))
    assert "Kecamatan Jati" in html and "Balai Desa Nonaktif" in html and "Nonaktif" in html
    assert 'href="/admin/lokasi" aria-current="page"' in html
    assert 'href="/admin/hari-libur"' in html


def site_body(**extra):
    body = {
        "name": "SMA Negeri 1 Kudus",
        "kind": "school",
        "address": "Jl. Pramuka 41",
        "kecamatan_code": "33.19.02",
        "desa": "Mlati Kidul",
        "timezone": "Asia/Jakarta",
        "stations": "2",
        "slot_minutes": "30",
        "active": "y",
    }
    body.update(extra)
    return body


def test_create_and_edit_a_site(client, admin):
    resp = client.post("/admin/lokasi/baru", data=site_body())
    assert resp.status_code == 302
    site = db.session.scalar(sa.select(Site).where(Site.name == "SMA Negeri 1 Kudus"))
    assert (site.kind, site.kecamatan, site.kecamatan_code, site.desa) == (
        "school",
        "Kota Kudus",
        "33.19.02",
        "Mlati Kidul",
    )
    assert site.active and not site.closes_on_cuti_bersama
    assert resp.headers["Location"] == f"/admin/lokasi/{site.id}/jadwal"

    form = text(client.get(f"/admin/lokasi/{site.id}"))
    assert 'value="SMA Negeri 1 Kudus"' in form
    resp = client.post(
        f"/admin/lokasi/{site.id}",
        data=site_body(timezone="Asia/Makassar", stations="3", closes_on_cuti_bersama="y"),
    )
    assert resp.status_code == 302
    db.session.refresh(site)
    assert (site.timezone, site.stations, site.closes_on_cuti_bersama) == ("Asia/Makassar", 3, True)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"desa": "Kaliwungu"}, "desa"),
        ({"desa": "Atlantis"}, "desa"),
        ({"kecamatan_code": "99.99.99"}, "kecamatan_code"),
        ({"slot_minutes": "0"}, "slot_minutes"),
        ({"stations": "-1"}, "stations"),
        ({"name": ""}, "name"),
        ({"kind": "mall"}, "kind"),
        ({"timezone": "Europe/Paris"}, "timezone"),
    ],
)
def test_site_form_errors_are_next_to_the_field(client, admin, change, field):
    resp = client.post("/admin/lokasi/baru", data=site_body(**change))
    assert resp.status_code == 422
    html = text(resp)
    assert error_of(html, field)
    assert 'value="Jl. Pramuka 41"' in html
    assert db.session.query(Site).count() == 0


def week_body(**days):
    body = {}
    for weekday in range(7):
        hours = days.get(f"d{weekday}", ("", "", "", ""))
        for name, value in zip(
            ("opens_at", "closes_at", "break_starts_at", "break_ends_at"), hours, strict=True
        ):
            body[f"days-{weekday}-{name}"] = value
    return body


def test_schedule_edit_generate_and_conflict_report(client, admin, site):
    page = text(client.get(f"/admin/lokasi/{site.id}/jadwal"))
    assert 'name="days-4-break_starts_at" type="time" value="11:00"' in page  # Friday prayers

    report = text(client.post(f"/admin/lokasi/{site.id}/buat-slot"))
    tuesday = date(2026, 12, 8)
    assert len(slots_on(site, tuesday)) == 13  # 08:00-12:00 and 13:00-15:30 in 30 minutes
    assert "Tidak ada konflik" in report
    booked = slots_on(site, tuesday)[0]
    booked.booked_count = 1

    # Tuesdays now open 09:00-12:00 only: the 08:00 slot is booked and must stay.
    week = week_body(
        d0=("08:00", "15:30", "12:00", "13:00"),
        d1=("09:00", "12:00", "", ""),
        d2=("08:00", "15:30", "12:00", "13:00"),
        d3=("08:00", "15:30", "12:00", "13:00"),
        d4=("08:00", "15:00", "11:00", "13:00"),
    )
    resp = client.post(f"/admin/lokasi/{site.id}/jadwal", data=week)
    assert resp.status_code == 302
    resp = client.post(f"/admin/lokasi/{site.id}/buat-slot")
    html = text(resp)
    assert resp.status_code == 200
    assert html.count('class="conflict"') == 1  # only the booked slot is kept
    assert "Selasa, 8 Desember 2026 08:00" in html and "tidak ada lagi di jadwal" in html
    starts = [s.starts_at for s in slots_on(site, tuesday)]
    assert booked.starts_at in starts
    assert len(starts) == 7  # the kept 08:00 and 09:00-12:00


def test_a_bad_break_is_reported_on_its_day(client, admin, site):
    week = week_body(d4=("08:00", "15:00", "14:00", "16:00"))
    resp = client.post(f"/admin/lokasi/{site.id}/jadwal", data=week)
    assert resp.status_code == 422
    html = text(resp)
    assert "Istirahat" in error_of(html, "days-4-opens_at")
    assert 'value="16:00"' in html
    db.session.refresh(site)
    assert len(site.hours) == 5  # unchanged


def test_exceptions_ramadan_hours_and_a_closure_day(client, admin, site):
    resp = client.post(
        f"/admin/lokasi/{site.id}/pengecualian",
        data={
            "starts_on": "2026-12-14",
            "ends_on": "2026-12-18",
            "opens_at": "08:00",
            "closes_at": "12:00",
            "reason": "Jam Ramadan",
        },
    )
    assert resp.status_code == 302
    resp = client.post(
        f"/admin/lokasi/{site.id}/pengecualian",
        data={"starts_on": "2026-12-10", "ends_on": "2026-12-10", "closed": "y", "reason": "Rapat"},
    )
    assert resp.status_code == 302
    page = text(client.get(f"/admin/lokasi/{site.id}/jadwal"))
    assert "Jam Ramadan" in page and "Rapat" in page
    # Removing an exception looks destructive.
    assert page.count('class="link danger"') == 2
    client.post(f"/admin/lokasi/{site.id}/buat-slot")
    assert len(slots_on(site, date(2026, 12, 15))) == 8
    assert slots_on(site, date(2026, 12, 10)) == []
    assert len(slots_on(site, date(2026, 12, 9))) == 13

    closure = db.session.scalar(sa.select(ScheduleException).where(ScheduleException.closed))
    client.post(f"/admin/lokasi/{site.id}/pengecualian/{closure.id}/hapus")
    client.post(f"/admin/lokasi/{site.id}/buat-slot")
    assert len(slots_on(site, date(2026, 12, 10))) == 13


def test_exception_errors_are_next_to_the_field(client, admin, site):
    resp = client.post(
        f"/admin/lokasi/{site.id}/pengecualian",
        data={"starts_on": "2026-12-18", "ends_on": "2026-12-14", "closed": "y"},
    )
    assert resp.status_code == 422
    assert error_of(text(resp), "ends_on")
    resp = client.post(
        f"/admin/lokasi/{site.id}/pengecualian",
        data={"starts_on": "2026-12-14", "ends_on": "2026-12-18"},
    )
    assert resp.status_code == 422
    assert error_of(text(resp), "opens_at")
    assert db.session.query(ScheduleException).count() == 0


def test_holidays_page_lists_the_package_days(client, admin):
    html = text(client.get("/admin/hari-libur?tahun=2026"))
    assert "Jumat, 25 Desember 2026" in html and "Hari Raya Natal" in html
    assert "Cuti bersama" in html and "Libur nasional" in html
    english = text(client.get("/admin/hari-libur?tahun=2026&lang=en"))
    assert "Friday, 25 December 2026" in english and "Christmas Day" in english


def test_adding_and_removing_holidays_changes_the_slots(client, admin, site):
    services.generate_slots()
    wednesday, christmas = date(2026, 12, 9), date(2026, 12, 25)
    assert len(slots_on(site, wednesday)) == 13
    assert slots_on(site, christmas) == []

    resp = client.post(
        "/admin/hari-libur",
        data={"on": "2026-12-09", "name": "Pilkada serentak", "category": "public"},
    )
    assert resp.status_code == 200 and "Slot dihapus" in text(resp)
    assert slots_on(site, wednesday) == []
    assert "Pilkada serentak" in text(client.get("/admin/hari-libur?tahun=2026"))

    resp = client.post("/admin/hari-libur/2026-12-25/hapus")
    assert resp.status_code == 200
    assert len(slots_on(site, christmas)) == 10  # a Friday: 08:00-11:00 and 13:00-15:00

    # Undo both corrections: the package's word applies again.
    client.post("/admin/hari-libur/2026-12-09/pulihkan")
    client.post("/admin/hari-libur/2026-12-25/pulihkan")
    assert len(slots_on(site, wednesday)) == 13
    assert slots_on(site, christmas) == []
    assert db.session.query(HolidayOverride).count() == 0


def test_cuti_bersama_closes_only_the_sites_that_chose_it(client, admin, site):
    closing = make_site(name="Kantor tutup cuti", closes_on_cuti_bersama=True)
    client.post("/admin/lokasi/buat-slot")
    eve = date(2026, 12, 24)
    assert len(slots_on(site, eve)) == 13
    assert slots_on(closing, eve) == []


def test_holiday_form_errors(client, admin):
    resp = client.post("/admin/hari-libur", data={"on": "bukan", "name": ""})
    assert resp.status_code == 422
    html = text(resp)
    assert error_of(html, "on") and error_of(html, "name")
    assert client.post("/admin/hari-libur/2026-12-09/hapus").status_code == 404
    assert client.post("/admin/hari-libur/2026-12-09/pulihkan").status_code == 404


def test_admin_pages_in_english(client, admin, site):
    html = text(client.get(f"/admin/lokasi/{site.id}/jadwal?lang=en"))
    assert "Weekly schedule" in html and "Friday" in html and "Generate slots now" in html


def test_csrf_is_enforced_on_admin_forms(client, app, admin, site, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = client.post("/admin/hari-libur/2026-12-25/hapus")
    assert resp.status_code == 400
    assert db.session.query(HolidayOverride).count() == 0
    page = text(client.get("/admin/hari-libur?tahun=2026"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/admin/hari-libur/2026-12-25/hapus", data={"csrf_token": token})
    assert resp.status_code == 200
    assert db.session.query(HolidayOverride).count() == 1
