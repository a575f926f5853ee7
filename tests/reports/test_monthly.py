"""The monthly report against a known month, day by day: every event lands on its site
and its local day, and nothing from the months around it."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.cards import stock
from scheduler.extensions import db
from scheduler.outreach import services as outreach
from scheduler.reports import exports, monthly
from scheduler.sites.models import Slot
from tests.factories import make_nik, make_site, make_slot, make_user

WIB = 7


def at(day, hour=9, minute=0, month=11):
    """A UTC moment for a local (WIB) time in 2026."""
    local = datetime(2026, month, day, hour, minute)
    return (local - timedelta(hours=WIB)).replace(tzinfo=UTC)


PUPIL_NIKS = [make_nik(date(2008, 1, 1)) for _ in range(3)]


def _applicant(n, birth_date=date(1990, 5, 17), nik=None):
    return appointments.Applicant(
        nik=nik or make_nik(birth_date),
        name=f"Warga {n}",
        birth_date=birth_date,
        phone="+6281234500003",
    )


_SLOTS = {}


def _book(site, slot_at, booked_at, n, channel="web", status="booked"):
    clock.freeze(booked_at)
    key = (site.id, slot_at)
    if key not in _SLOTS or db.session.get(Slot, _SLOTS[key]) is None:
        _SLOTS[key] = make_slot(site=site, starts_at=slot_at, capacity=10).id
    slot = db.session.get(Slot, _SLOTS[key])
    return appointments.book_into_slot(slot, _applicant(n), channel=channel, status=status)


def _at_desk(moment, action, *args):
    clock.freeze(moment)
    return action(*args)


@pytest.fixture
def november(ctx):
    """November 2026 at an office, a kecamatan office and a school (see each line)."""
    _SLOTS.clear()
    office = make_site("Kantor Pusat", kind="office")
    kecamatan = make_site("Kecamatan Jati", kind="subdistrict")
    admin = make_user("admin")
    clock.freeze(at(2, 8))
    stock.save_print_site(office.id, printers=1, operators=1, cards_per_printer=10)
    stock.receive_delivery(100, date(2026, 11, 2), reference="SP-11")  # 2 Nov: 100 in
    # 3 Nov: three bookings at the office and one at the kecamatan, all for 5 Nov.
    booked = [_book(office, at(5, 10), at(3, 9, n), n) for n in range(3)]
    failing = _book(kecamatan, at(5, 10), at(3, 11), 9)
    # 5 Nov: two recorded at the office (cards queued), one no-show, one failure.
    for i, a in enumerate(booked[:2]):
        _at_desk(at(5, 10, 5), appointments.check_in, a)
        _at_desk(at(5, 10, 20), appointments.mark_recorded, a, i == 0)  # IKD for the first
        cards.on_recorded(a)
    _at_desk(at(5, 16), appointments.mark_no_show, booked[2])
    _at_desk(at(5, 10, 5), appointments.check_in, failing)
    _at_desk(at(5, 10, 30), appointments.mark_recording_failed, failing, "Sidik jari aus")
    # 10 Nov: a walk-in at the kecamatan, recorded, IKD activated at the desk.
    walk_in = _book(kecamatan, at(10, 9), at(10, 9, 5), 20, channel="walk_in", status="checked_in")
    _at_desk(at(10, 9, 25), appointments.mark_recorded, walk_in, True)
    # 12 Nov: an outreach session at a school, two participants (booked 9 Nov) and one
    # who cancelled.
    clock.freeze(at(1, 8))
    coordinator = make_user("coordinator")
    request = outreach.create_request(
        coordinator,
        outreach.RequestInput(
            institution_kind="school",
            institution_name="SMA Laporan",
            address="Jl. Laporan 1",
            kecamatan="Jati",
            desa="Loram Kulon",
            expected_participants=3,
            preferred_dates=[date(2026, 11, 12), date(2026, 11, 13)],
            contact_name="Bu Guru",
            contact_phone="081234567801",
        ),
    )
    approved = outreach.approve_request(
        request.id, admin, date(2026, 11, 12), time(8), time(10), 2, "Tim Laporan"
    )
    slot = outreach.session_slots(approved.session)[0]
    clock.freeze(at(9, 14))
    pupils = [
        appointments.book_into_slot(
            slot, _applicant(30 + n, date(2008, 1, 1), nik=PUPIL_NIKS[n]), channel="roster"
        )
        for n in range(3)
    ]
    _at_desk(at(9, 15), appointments.cancel_appointment, pupils[2].code, PUPIL_NIKS[2])
    # 20 Nov: both office cards printed, the second with one misprint (a spoiled blank).
    card_codes = [c.code for c in cards.list_queue()]
    _at_desk(at(20, 9), lambda: cards.mark_printed(card_codes[0]))
    _at_desk(at(20, 10), lambda: cards.mark_printed(card_codes[1], misprints=1))
    # 25 Nov: both cards collected; IKD ticked for both, but the first holder activated
    # it at recording already: one activation at pickup.
    for code in card_codes:
        _at_desk(
            at(25, 9), lambda c=code: cards.hand_over(c, collected_by="self", ikd_activated=True)
        )
    # Around the month: 31 Oct 23:30 and 1 Dec 00:30 local do not count, 30 Nov 23:30 does.
    _book(office, at(2, 10, month=12), at(31, 23, 30, month=10), 40)
    _book(office, at(2, 10, month=12), at(1, 0, 30, month=12), 41)
    _book(office, at(2, 10, month=12), at(30, 23, 30), 42)
    clock.freeze(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    db.session.commit()
    return office, kecamatan, approved.session.site_id


EXPECTED_DAYS = {
    date(2026, 11, 2): {"blanks_received": 100},
    date(2026, 11, 3): {"bookings": 4},
    date(2026, 11, 5): {
        "recordings": 2,
        "no_shows": 1,
        "failed_recordings": 1,
        "ikd_at_recording": 1,
    },
    date(2026, 11, 9): {"bookings": 3},
    date(2026, 11, 10): {"walk_ins": 1, "recordings": 1, "ikd_at_recording": 1},
    date(2026, 11, 12): {"outreach_sessions": 1, "outreach_participants": 2},
    date(2026, 11, 20): {"cards_printed": 2, "blanks_spoiled": 1},
    date(2026, 11, 25): {"cards_collected": 2, "ikd_at_pickup": 1},
    date(2026, 11, 30): {"bookings": 1},
}


def _nonzero(counts):
    return {k: v for k, v in counts.items() if v}


def test_the_month_day_by_day(november):
    report = monthly.monthly_report(2026, 11)
    assert len(report.days) == 30
    for day in report.days:
        assert _nonzero(day.counts) == EXPECTED_DAYS.get(day.key, {}), day.key


def test_the_month_per_site(november):
    office, kecamatan, school = november
    report = monthly.monthly_report(2026, 11)
    rows = {r.key: _nonzero(r.counts) for r in report.sites}
    assert rows[office.id] == {
        "bookings": 4,
        "recordings": 2,
        "no_shows": 1,
        "cards_printed": 2,
        "cards_collected": 2,
        "ikd_at_recording": 1,
        "ikd_at_pickup": 1,
    }
    assert rows[kecamatan.id] == {
        "bookings": 1,
        "failed_recordings": 1,
        "walk_ins": 1,
        "recordings": 1,
        "ikd_at_recording": 1,
    }
    assert rows[school] == {"bookings": 3, "outreach_sessions": 1, "outreach_participants": 2}
    assert rows[None] == {"blanks_received": 100, "blanks_spoiled": 1}
    assert _nonzero(report.total.counts) == {
        "bookings": 8,
        "recordings": 3,
        "no_shows": 1,
        "failed_recordings": 1,
        "walk_ins": 1,
        "outreach_sessions": 1,
        "outreach_participants": 2,
        "cards_printed": 2,
        "cards_collected": 2,
        "blanks_received": 100,
        "blanks_spoiled": 1,
        "ikd_at_recording": 2,
        "ikd_at_pickup": 1,
    }


def test_staff_see_their_own_sites_only(november):
    office, kecamatan, _school = november
    report = monthly.monthly_report(2026, 11, site_ids={kecamatan.id})
    assert [r.key for r in report.sites] == [kecamatan.id]
    assert report.total.counts["blanks_received"] == 0  # the ledger is the admins'


def test_csv_and_xlsx_carry_the_same_figures(november):
    office, *_ = november
    office.name = '=HYPERLINK("http://x")'  # a site name is never a formula
    db.session.flush()
    report = monthly.monthly_report(2026, 11)
    rows = list(csv.reader(io.StringIO(exports.report_csv(report).lstrip("\ufeff"))))
    head = rows[2]
    office_row = dict(zip(head, rows[3], strict=True))
    assert office_row["Lokasi"].startswith("'=HYPERLINK")
    assert office_row["Pemesanan"] == "4" and office_row["Kartu dicetak"] == "2"
    day_head = next(r for r in rows if r and r[0] == "Tanggal")
    fifth = next(r for r in rows if r and r[0] == "2026-11-05")
    assert dict(zip(day_head, fifth, strict=True))["Tidak hadir"] == "1"
    book = load_workbook(io.BytesIO(exports.report_xlsx(report)))
    sites_sheet, days_sheet = book.worksheets
    assert sites_sheet["A4"].value == office.name and sites_sheet["A4"].data_type == "s"
    values = [c.value for c in sites_sheet[4]]
    assert values[2:7] == [4, 2, 1, 0, 0]
    total = [c.value for c in sites_sheet[sites_sheet.max_row]]
    assert total[0] == "Total" and total[2] == 8
    assert [c.value for c in days_sheet[4]][0] == "2026-11-01" and days_sheet.max_row == 33


def test_a_bad_or_future_month_is_refused(ctx):
    from scheduler.errors import ValidationError

    for text in ("2026-13", "bulan", "2027-01", "1999-12"):
        with pytest.raises(ValidationError) as caught:
            monthly.parse_month(text)
        assert "month" in caught.value.fields
    assert monthly.parse_month("2026-12") == (2026, 12)


def test_blanks_count_at_their_printing_offices_site(november):
    from scheduler.cards import offices

    office, kecamatan, _school = november
    second = offices.add_office("Kantor cetak Jati", site_id=kecamatan.id)
    clock.freeze(at(27, 9))
    stock.receive_delivery(30, date(2026, 11, 27), office_id=second.id)
    clock.freeze(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    rows = {r.key: r.counts for r in monthly.monthly_report(2026, 11).sites}
    assert rows[kecamatan.id]["blanks_received"] == 30
    assert rows[None]["blanks_received"] == 100  # the default office names no site here
