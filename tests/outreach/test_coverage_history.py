"""Coverage that updates itself: recordings add to their area after the figure's date,
every desa figure is kept, and the months show as a trend."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.outreach import coverage, coverage_chart, coverage_history, demo
from scheduler.outreach.models import CoverageBaseline, CoverageTally
from scheduler.sites.models import Slot
from tests.factories import make_nik, make_site, make_slot

TODAY = date(2026, 12, 7)  # the frozen clock's local date


def _hall(kecamatan, code, desa):
    site = make_site(kind="village_hall")
    site.kecamatan, site.kecamatan_code, site.desa = kecamatan, code, desa
    db.session.flush()
    return site


def _record(site, region="331902", birth_date=date(1990, 5, 17)):
    """A resident recorded at `site` now, through appointments.mark_recorded."""
    slot = db.session.scalar(sa.select(Slot).where(Slot.site_id == site.id))
    slot = slot or make_slot(site=site, capacity=50, days_ahead=0, at=clock.now().time())
    applicant = appointments.Applicant(
        nik=make_nik(birth_date, region=region),
        name="Siti Aminah",
        birth_date=birth_date,
        phone="+6281234500001",
    )
    appointment = appointments.book_into_slot(slot, applicant, status="checked_in")
    appointments.mark_recorded(appointment)
    return appointment


def _tallies():
    return {
        (t.kecamatan_code, t.desa, t.recorded_on): t.recorded
        for t in db.session.scalars(sa.select(CoverageTally))
    }


def test_where_a_recording_counts(ctx):
    office = make_site(kind="office")  # Kota Kudus, Kramat
    hall = _hall("Gebog", "33.19.08", "Rahtawu")
    _record(office, region="331909")  # a Dawe NIK at the office: Dawe as a whole
    _record(office, region="331909")
    _record(hall, region="331901")  # outreach at a balai desa: that desa
    _record(office, region="337401")  # a NIK from Semarang: the site's kecamatan
    assert _tallies() == {
        ("33.19.09", "", TODAY): 2,
        ("33.19.08", "Rahtawu", TODAY): 1,
        ("33.19.02", "", TODAY): 1,
    }


def test_a_recording_the_centre_rejected_no_longer_counts(ctx):
    office = make_site(kind="office")
    first = _record(office, region="331909")
    second = _record(office, region="331909")
    assert _tallies() == {("33.19.09", "", TODAY): 2}
    appointments.mark_recording_rejected(first, "bad_capture")
    assert _tallies() == {("33.19.09", "", TODAY): 1}
    appointments.mark_recording_rejected(second, "duplicate_biometrics")
    assert _tallies() == {}


def test_recordings_add_to_the_figure_after_its_date(ctx):
    office = make_site(kind="office")
    hall = _hall("Dawe", "33.19.09", "Colo")
    coverage.save_figure("Dawe", "Colo", 100, 90, counted_on=TODAY - timedelta(days=3))
    coverage.save_figure("Dawe", "Cendono", 50, 50, counted_on=TODAY - timedelta(days=3))
    db.session.commit()
    _record(hall)
    _record(hall)
    _record(office, region="331909")
    totals = coverage.totals()
    # Colo 90 + 2; Dawe as a whole + 1; Cendono already full stays at its WKTP.
    assert (totals.wktp, totals.recorded) == (150, 143)
    colo = next(f for f in coverage.ranking("desa") if f.desa == "Colo")
    assert (colo.recorded, colo.added, colo.not_recorded) == (92, 2, 8)
    # A figure typed today already holds today's recordings: nothing is counted twice.
    coverage.save_figure("Dawe", "Colo", 100, 93)
    assert coverage.totals().recorded == 143  # 93 + 50, and Dawe's own + 1 is before today


def test_the_count_never_passes_the_wktp(ctx):
    hall = _hall("Dawe", "33.19.09", "Colo")
    coverage.save_figure("Dawe", "Colo", 2, 1, counted_on=TODAY - timedelta(days=1))
    db.session.commit()
    for _ in range(3):
        _record(hall)
    assert coverage.totals().recorded == 2
    assert coverage.totals().coverage == Decimal("100.00")


def test_every_desa_figure_is_kept_and_the_months_show_a_trend(ctx):
    for counted_on, recorded in ((date(2026, 9, 30), 960), (date(2026, 10, 31), 975)):
        coverage.save_figure("Dawe", "Colo", 1000, recorded, counted_on=counted_on)
    coverage.save_figure("Dawe", "Colo", 1000, 990, counted_on=date(2026, 11, 30))
    # An older figure given late joins the history; the current figure stays.
    coverage.save_figure("Dawe", "Colo", 1000, 900, counted_on=date(2026, 8, 31))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverageBaseline)) == 4
    db.session.commit()
    hall = _hall("Dawe", "33.19.09", "Colo")
    _record(hall)
    points = coverage_history.monthly_history(6)
    assert [(p.month, p.recorded) for p in points] == [
        (date(2026, 8, 1), 900),
        (date(2026, 9, 1), 960),
        (date(2026, 10, 1), 975),
        (date(2026, 11, 1), 990),
        (date(2026, 12, 1), 991),
    ]
    assert points[-1].coverage == Decimal("99.10") and points[-1].added == 1
    svg = coverage_chart.trend_chart(points, Decimal("99.40"))
    assert svg.startswith("<svg") and svg.count("<circle") == 5
    assert "99,10" in svg and "target nasional 99,40\xa0%" in svg


def test_a_month_before_any_figure_is_left_out(ctx):
    coverage.save_figure("Dawe", "Colo", 10, 9, counted_on=date(2026, 11, 15))
    assert [p.month for p in coverage_history.monthly_history(12)] == [
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert coverage_chart.trend_chart([], Decimal("99.40")) == ""


def test_import_takes_a_date_column_and_refuses_the_future(ctx):
    data = b"kecamatan,desa,wktp,recorded,date\nDawe,Colo,100,90,2026-10-31\nBae,Panjang,50,45,\n"
    assert coverage.import_figures(data) == 2
    rows = {r.desa: r.counted_on for r in coverage.ranking("desa")}
    assert rows == {"Colo": date(2026, 10, 31), "Panjang": TODAY}
    with pytest.raises(ValidationError) as caught:
        coverage.import_figures(b"kecamatan,desa,wktp,recorded,date\nDawe,Colo,100,90,2027-01-01\n")
    assert "Baris 2" in str(caught.value.fields["file"])


def test_kecamatan_chart_marks_the_target(ctx):
    coverage.save_figure("Dawe", "Colo", 1000, 999)
    coverage.save_figure("Bae", "Panjang", 1000, 950)
    areas = coverage_history.kecamatan_figures()
    assert [(a.kecamatan, a.recorded) for a in areas] == [("Bae", 950), ("Dawe", 999)]
    svg = coverage_chart.kecamatan_chart(areas, Decimal("99.40"))
    assert (
        "Bae" in svg and "95,00\xa0%" in svg and "99,90\xa0%" in svg and "target 99,40\xa0%" in svg
    )


def test_demo_history_follows_the_published_trend(ctx):
    demo._seed_coverage()
    points = coverage_history.monthly_history(4)
    assert [str(p.coverage) for p in points] == ["97.32", "98.23", "98.95", "99.64"]


def test_a_recording_on_another_day_counts_on_its_local_day(ctx):
    office = make_site(kind="office")
    clock.freeze(datetime(2026, 12, 7, 17, 30, tzinfo=clock.now().tzinfo))  # 00:30 WIB on the 8th
    _record(office)
    assert _tallies() == {("33.19.02", "", date(2026, 12, 8)): 1}
