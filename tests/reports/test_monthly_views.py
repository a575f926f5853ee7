"""The monthly report's page, files and API: who sees what, in both languages."""

import csv
import io

from openpyxl import load_workbook

from scheduler.staff import services as staff
from tests.factories import make_site, make_user
from tests.reports.test_monthly import november  # noqa: F401 (the fixture)


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        from scheduler import clock

        session["login_at"] = clock.now().timestamp()


def test_the_printable_page_in_both_languages(client, november):  # noqa: F811
    _login(client, make_user("admin"))
    page = client.get("/petugas/laporan-bulanan?month=2026-11")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "LAPORAN BULANAN LAYANAN KTP-EL" in text and "Kantor Pusat" in text
    assert "30 Nov 2026" in text and "@media print" in text and "size: A4 landscape" in text
    english = client.get("/petugas/laporan-bulanan?month=2026-11&lang=en").get_data(as_text=True)
    assert "MONTHLY E-KTP SERVICE REPORT" in english and "Blanks spoiled" in english


def test_a_future_month_is_told_next_to_the_field(client, ctx):
    _login(client, make_user("admin"))
    page = client.get("/petugas/laporan-bulanan?month=2027-02")
    assert page.status_code == 422
    assert "Bulan ini belum datang." in page.get_data(as_text=True)


def test_files_for_download(client, november):  # noqa: F811
    _login(client, make_user("admin"))
    got = client.get("/petugas/laporan-bulanan.csv?month=2026-11")
    assert got.mimetype == "text/csv"
    assert 'filename="laporan-bulanan-2026-11.csv"' in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Laporan bulanan layanan KTP-el"
    xlsx = client.get("/petugas/laporan-bulanan.xlsx?month=2026-11")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert [s.title for s in book.worksheets] == ["Per lokasi", "Per hari"]


def test_the_api_for_staff_shows_their_sites(client, november):  # noqa: F811
    office, kecamatan, _school = november
    clerk = make_user("staff", sites=[kecamatan])
    token = staff.create_token(clerk.email)
    got = client.get(
        "/api/v1/reports/monthly?month=2026-11", headers={"Authorization": f"Bearer {token}"}
    )
    assert got.status_code == 200
    body = got.get_json()
    assert [s["site_id"] for s in body["sites"]] == [kecamatan.id]
    assert body["total"]["recordings"] == 1 and body["total"]["walk_ins"] == 1
    assert len(body["days"]) == 30 and body["days"][9] == {
        **dict.fromkeys(body["total"], 0),
        "date": "2026-11-10",
        "walk_ins": 1,
        "recordings": 1,
        "ikd_at_recording": 1,
    }
    admin = staff.create_token(make_user("admin").email)
    everything = client.get(
        "/api/v1/reports/monthly?month=2026-11", headers={"Authorization": f"Bearer {admin}"}
    ).get_json()
    assert everything["total"]["bookings"] == 8 and everything["total"]["blanks_received"] == 100
    bad = client.get(
        "/api/v1/reports/monthly?month=2026-1x", headers={"Authorization": f"Bearer {admin}"}
    )
    assert bad.status_code == 422 and "month" in bad.get_json()["error"]["fields"]


def test_a_site_with_nothing_that_month_still_has_its_row(client, ctx):
    empty = make_site("Kecamatan Sepi", kind="subdistrict")
    _login(client, make_user("admin"))
    text = client.get("/petugas/laporan-bulanan?month=2026-10").get_data(as_text=True)
    assert empty.name in text
    assert "31 Okt 2026" in text  # the last day has its row
