"""`regency setup` for a new installation: the main office and one office per kecamatan of
the configured regency, the default week in the regency's zone, slots, and a booking; run
twice it changes nothing."""

from datetime import date

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.sites import regency as setup
from scheduler.sites.models import Site, Slot, WeeklyHours
from tests.factories import make_nik, make_site

# code: main office, one kecamatan office, the zone's UTC offset
CASES = {
    "33.19": ("Kantor Disdukcapil Kabupaten Kudus", "Kecamatan Dawe", "+07:00"),
    "36.03": ("Kantor Disdukcapil Kabupaten Tangerang", "Kecamatan Pasar Kemis", "+07:00"),
    "12.77": (
        "Kantor Disdukcapil Kota Padangsidimpuan",
        "Kecamatan Padangsidimpuan Utara",
        "+07:00",
    ),
    "73.71": ("Kantor Disdukcapil Kota Makassar", "Kecamatan Tamalate", "+08:00"),
}
TUESDAY, FRIDAY = date(2026, 12, 8), date(2026, 12, 11)


def _snapshot():
    """Everything setup writes, as plain values."""
    sites = db.session.execute(
        sa.select(
            Site.id, Site.name, Site.kind, Site.kecamatan_code, Site.timezone, Site.stations
        ).order_by(Site.id)
    ).all()
    hours = db.session.execute(
        sa.select(
            WeeklyHours.site_id, WeeklyHours.weekday, WeeklyHours.opens_at, WeeklyHours.closes_at
        ).order_by(WeeklyHours.site_id, WeeklyHours.weekday)
    ).all()
    slots = db.session.execute(
        sa.select(Slot.id, Slot.site_id, Slot.starts_at, Slot.capacity).order_by(Slot.id)
    ).all()
    return sites, hours, slots


def _slots_on(client, site, day):
    resp = client.get(f"/api/v1/sites/{site.id}/slots?from={day}&to={day}")
    assert resp.status_code == 200
    return resp.get_json()["slots"]


@pytest.mark.parametrize("code", sorted(CASES))
def test_setup_creates_the_offices_their_week_and_slots_in_the_zone(client, use_regency, code):
    regency = use_regency(code)
    office_name, kecamatan_office, offset = CASES[code]
    report = setup.setup_regency()
    db.session.commit()
    names = [s.name for s in report.created]
    assert names[0] == office_name and kecamatan_office in names
    assert len(names) == 1 + len(regency.kecamatan)
    sites = db.session.scalars(sa.select(Site).order_by(Site.id)).all()
    assert [s.kind for s in sites].count("office") == 1
    assert sorted(s.kecamatan_code for s in sites if s.kind == "subdistrict") == [
        k.code for k in regency.kecamatan
    ]
    assert {s.timezone for s in sites} == {regency.timezone}
    assert {s.stations for s in sites} == {1}
    site = next(s for s in sites if s.name == kecamatan_office)
    assert site.kecamatan == kecamatan_office.split(" ", 1)[1]

    tuesday = _slots_on(client, site, TUESDAY)
    starts = [s["starts_at"][11:] for s in tuesday]
    assert starts[0] == "08:00:00" + offset and tuesday[-1]["ends_at"][11:] == "15:00:00" + offset
    assert "12:00:00" + offset not in starts and "12:30:00" + offset not in starts  # the break
    assert len(tuesday) == 12
    friday = _slots_on(client, site, FRIDAY)
    assert len(friday) == 6 and friday[-1]["ends_at"][11:] == "11:00:00" + offset
    assert _slots_on(client, site, date(2026, 12, 12)) == []  # Saturday
    assert report.slots == db.session.scalar(sa.select(sa.func.count()).select_from(Slot))


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_resident_books_a_set_up_office_in_its_zone(client, use_regency, code):
    regency = use_regency(code)
    setup.setup_regency()
    db.session.commit()
    office = db.session.scalar(sa.select(Site).where(Site.kind == "office"))
    slot = _slots_on(client, office, TUESDAY)[2]
    born = date(2001, 4, 9)
    region = regency.kecamatan[0].code.replace(".", "")
    resp = client.post(
        "/api/v1/appointments",
        json={
            "slot_id": slot["id"],
            "nik": make_nik(born, region=region),
            "name": "Warga Baru",
            "birth_date": born.isoformat(),
            "phone": "081234567890",
            "consent": True,
        },
    )
    assert resp.status_code == 201, resp.get_json()
    booked = resp.get_json()["appointment"]
    assert booked["slot"]["starts_at"] == f"{TUESDAY}T09:00:00{CASES[code][2]}"
    assert booked["site"]["timezone"] == regency.timezone


def test_running_setup_twice_changes_nothing(ctx, use_regency):
    use_regency("36.03")
    first = setup.setup_regency()
    before = _snapshot()
    again = setup.setup_regency()
    assert again.created == [] and again.slots == 0
    assert len(again.existing) == len(first.created)
    assert _snapshot() == before


def test_setup_leaves_what_the_office_changed_and_adds_what_is_missing(ctx, use_regency):
    use_regency("33.19")
    office = make_site(name="Disdukcapil Kudus (Kantor Pusat)", kind="office", hours=False)
    dawe = make_site(name="Kantor Camat Dawe", kind="subdistrict")
    dawe.kecamatan, dawe.kecamatan_code = "Dawe", "33.19.09"
    db.session.commit()
    report = setup.setup_regency()
    names = {s.name for s in report.created}
    assert len(names) == 8 and "Kecamatan Dawe" not in names
    assert not any(n.startswith("Kantor Disdukcapil") for n in names)
    assert {office, dawe} <= set(report.existing)
    assert db.session.get(Site, office.id).name == "Disdukcapil Kudus (Kantor Pusat)"
    assert db.session.get(Site, office.id).hours == []


def test_setup_refuses_a_database_of_another_regency(ctx, use_regency):
    make_site(name="Kecamatan Kota Kudus", kind="subdistrict")  # 33.19.02
    db.session.commit()
    use_regency("73.71")
    with pytest.raises(Exception, match="another regency") as info:
        setup.setup_regency()
    assert info.value.code == "invalid_state"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 1


def test_papua_calls_its_kecamatan_distrik(ctx, use_regency):
    use_regency("91.03")
    report = setup.setup_regency()
    assert "Distrik Sentani" in {s.name for s in report.created}


def test_the_cli_sets_up_and_reports(app, ctx, use_regency):
    use_regency("12.77")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["regency", "setup"])
    assert result.exit_code == 0, result.output
    assert "Kota Padangsidimpuan (12.77, Asia/Jakarta)" in result.output
    assert "sites created 7, already there 0" in result.output
    again = runner.invoke(args=["regency", "setup"])
    assert "sites created 0, already there 7; slots created 0" in again.output
    shown = runner.invoke(args=["regency", "show"])
    assert "12.77 Kota Padangsidimpuan (kota, Sumatera Utara)" in shown.output
    assert "12.77.01 Padangsidimpuan Utara: 0 desa, 16 kelurahan" in shown.output


def test_the_kudus_demo_is_refused_elsewhere(app, ctx, use_regency):
    use_regency("36.03")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "Kabupaten Tangerang (36.03)" in result.output and "regency setup" in result.output
