"""The export for SIAK: the day's recorded residents with their full NIK, for admins
only, audited, never cached, formula-safe; the page itself shows no NIK."""

import csv
import io
from datetime import UTC, date, datetime

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.extensions import db
from scheduler.staff.models import AuditEntry
from tests.factories import make_nik, make_site, make_slot, make_user
from tests.reports.test_monthly_views import _login


def _recorded(site, name, moment, female=False, ikd=False, channel="web"):
    clock.freeze(moment)
    born = date(1991, 3, 4)
    nik = make_nik(born, female=female)
    slot = make_slot(site=site, starts_at=moment, capacity=5)
    appointment = appointments.book_into_slot(
        slot,
        appointments.Applicant(nik=nik, name=name, birth_date=born, phone="+6281234500009"),
        channel=channel,
        status="checked_in",
    )
    appointments.mark_recorded(appointment, ikd_activated=ikd)
    return nik, appointment


def _day(client):
    site = make_site("Kantor Pusat", kind="office")
    ani = _recorded(site, "Ani", datetime(2026, 12, 4, 2, tzinfo=UTC), female=True, ikd=True)
    evil = _recorded(
        site, '=HYPERLINK("http://x","y")', datetime(2026, 12, 4, 7, tzinfo=UTC), channel="walk_in"
    )
    # 5 Dec 06:30 WIB is another day; 4 Dec 23:30 WIB (16:30 UTC) is still the 4th.
    other = _recorded(site, "Budi", datetime(2026, 12, 4, 23, 30, tzinfo=UTC))
    late = _recorded(site, "Citra", datetime(2026, 12, 4, 16, 30, tzinfo=UTC))
    clock.freeze(datetime(2026, 12, 7, 1, tzinfo=UTC))
    db.session.commit()
    return site, ani, evil, other, late


def test_admins_get_the_days_residents_with_their_nik(client, ctx):
    site, ani, evil, other, late = _day(client)
    admin = make_user("admin")
    _login(client, admin)
    got = client.get("/petugas/siak/perekaman.csv?date=2026-12-04")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert got.headers["Cache-Control"] == "no-store, private"
    assert 'filename="siak-perekaman-2026-12-04.csv"' in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["NIK"] for r in rows] == [ani[0], evil[0], late[0]]
    assert other[0] not in got.get_data(as_text=True)
    first = rows[0]
    assert (first["Nama"], first["Jenis kelamin"], first["IKD diaktifkan saat rekam"]) == (
        "Ani",
        "P",
        "ya",
    )
    assert first["Waktu rekam"] == "2026-12-04T09:00+07:00" and first["Kode janji"] == ani[1].code
    assert rows[1]["Nama"].startswith("'=HYPERLINK") and rows[1]["Cara"] == "tanpa janji"
    assert rows[2]["Waktu rekam"] == "2026-12-04T23:30+07:00"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "siak_export"))
    assert entry.user_id == admin.id and entry.detail == "2026-12-04: 3"
    # Each resident exported finds the export in their own access answer.
    from scheduler.privacy import access

    reads = access.describe(ani[1])["staff_reads"]
    assert [r["action"] for r in reads] == ["siak_export"]
    assert "siak_export" not in [r["action"] for r in access.describe(other[1])["staff_reads"]]


def test_the_page_counts_without_showing_a_nik(client, ctx):
    _site, ani, *_ = _day(client)
    _login(client, make_user("admin"))
    page = client.get("/petugas/siak?date=2026-12-04").get_data(as_text=True)
    assert "3 penduduk direkam pada 4 Desember 2026." in page and ani[0] not in page
    assert "Unduh CSV untuk SIAK" in page
    english = client.get("/petugas/siak?date=2026-12-04&lang=en").get_data(as_text=True)
    assert "3 residents recorded on 4 December 2026." in english
    future = client.get("/petugas/siak?date=2026-12-08&lang=id")
    assert future.status_code == 422 and "masa depan" in future.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "siak_export")
        )
        == 0
    )


def test_staff_may_not_take_it(client, ctx):
    site, *_ = _day(client)
    _login(client, make_user("staff", sites=[site]))
    assert client.get("/petugas/siak/perekaman.csv?date=2026-12-04").status_code == 403
    assert client.get("/petugas/siak").status_code == 403
