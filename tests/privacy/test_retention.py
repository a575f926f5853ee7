"""The retention purge: what has served its purpose loses its personal data, in batches,
safely twice; counts and reports stay exactly as they were."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.cards import services as cards
from scheduler.cards import stock
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.privacy import jobs, services
from scheduler.sites.models import Slot
from scheduler.staff.models import AuditEntry
from scheduler.worker import collect_jobs
from tests.conftest import FROZEN_NOW
from tests.factories import make_appointment, make_nik, make_slot, make_user
from tests.privacy.conftest import login, today_at

PUPIL_BORN = date(2008, 6, 1)
REPORT_PAGES = (
    "/petugas/stok",
    "/petugas/stok/laporan?year=2026&month=12",
    "/cakupan",
    "/angka",
    "/api/v1/public/dashboard",
)


@pytest.fixture
def world(ctx, site):
    """Today: one booking cancelled, one no-show, one failed, one recorded whose card was
    printed and collected, one still booked tomorrow."""
    stock.save_print_site(site.id, printers=1, operators=1, cards_per_printer=5)
    stock.receive_delivery(10, cards.today(), reference="SP-UJI")
    begun = make_slot(site, starts_at=today_at(7, 30), capacity=6)
    people = {k: make_appointment(begun, name=f"Warga {k}") for k in ("c", "n", "f", "r")}
    people["open"] = make_appointment(make_slot(site, capacity=2), name="Warga Buka")
    db.session.commit()
    appointments.cancel_without_message(people["c"])
    appointments.mark_no_show(people["n"])
    for key in ("f", "r"):
        db.session.execute(
            sa.update(Appointment)
            .where(Appointment.id == people[key].id)
            .values(status="checked_in", checked_in_at=clock.now())
        )
        db.session.refresh(people[key])
    appointments.mark_recording_failed(people["f"], "Alat rusak")
    appointments.mark_recorded(people["r"])
    cards.on_recorded(people["r"])
    cards.mark_printed(people["r"].code)
    db.session.execute(
        sa.update(CardRequest)
        .where(CardRequest.code == people["r"].code)
        .values(
            status="picked_up",
            picked_up_at=clock.now(),
            collected_by="family",
            collector_name="Ibu Warga",
        )
    )
    db.session.commit()
    return people


def _pages(client):
    from scheduler.reports import dashboard

    dashboard.clear_cache()  # the public figures computed afresh, not served from the cache
    pages = {path: client.get(path).get_data(as_text=True) for path in REPORT_PAGES}
    return {path: re.sub(r'nonce="[^"]*"', 'nonce=""', text) for path, text in pages.items()}


def _counts():
    slots = db.session.execute(sa.select(Slot.id, Slot.booked_count).order_by(Slot.id)).all()
    statuses = db.session.execute(
        sa.select(Appointment.status, sa.func.count()).group_by(Appointment.status)
    ).all()
    return slots, sorted(statuses)


def _all_purged(monkeypatch, app):
    for key in (
        "PERSONAL_DATA_RETENTION_DAYS",
        "CARD_PICKUP_RETENTION_DAYS",
        "OUTREACH_ROSTER_RETENTION_DAYS",
        "AUDIT_RETENTION_DAYS",
    ):
        monkeypatch.setitem(app.config, key, 0)


def test_the_purge_removes_what_ended_and_keeps_counts_and_reports(client, world, monkeypatch, app):
    admin = make_user("admin", email="boss@example.test")
    login(client, admin)
    clock.freeze(FROZEN_NOW + timedelta(days=1))
    before, counts = _pages(client), _counts()
    assert "Warga" not in "".join(before.values())
    _all_purged(monkeypatch, app)
    assert services.count_due(app.config)["ended_bookings"] == 3
    done = services.purge(app.config, batch=2)
    assert done["ended_bookings"] == 3 and done["collected_cards"] == 1
    db.session.expire_all()
    for key in ("c", "n", "f"):
        row = db.session.get(Appointment, world[key].id)
        assert (row.name, row.phone, row.nik_encrypted, row.nik_hash) == ("", "", "", "")
        assert row.erased_how == "retention"
    recorded = db.session.get(Appointment, world["r"].id)
    assert recorded.name == "Warga r" and recorded.nik_encrypted and recorded.phone == ""
    card = db.session.scalar(sa.select(CardRequest).where(CardRequest.code == world["r"].code))
    assert (card.name, card.phone, card.collector_name, card.status) == (
        "",
        None,
        None,
        "picked_up",
    )
    assert db.session.get(Appointment, world["open"].id).name == "Warga Buka"
    assert _pages(client) == before
    assert _counts() == counts


def test_the_purge_waits_for_the_retention_period(world, app):
    clock.freeze(FROZEN_NOW + timedelta(days=89))
    assert services.purge(app.config)["ended_bookings"] == 0
    clock.freeze(FROZEN_NOW + timedelta(days=91))
    assert services.purge(app.config)["ended_bookings"] == 3
    assert services.purge(app.config)["ended_bookings"] == 0  # twice: nothing more


def test_old_audit_entries_go_with_the_people_they_showed(world, app, clerk, site):
    from scheduler.staff import desk

    desk.roster(clerk, site.id)
    db.session.commit()
    clock.freeze(FROZEN_NOW + timedelta(days=731))
    assert services.purge(app.config)["audit_entries"] >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_the_job_is_registered_and_the_cli_has_a_dry_run(world, app, monkeypatch):
    assert "purge_personal_data" in {job.name for job in collect_jobs()}
    _all_purged(monkeypatch, app)
    clock.freeze(FROZEN_NOW + timedelta(days=1))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "ended_bookings: 3 would be purged" in dry.output
    assert db.session.get(Appointment, world["c"].id).name == "Warga c"
    assert jobs.purge_personal_data()["ended_bookings"] == 3
    again = runner.invoke(args=["privacy", "purge"])
    assert again.exit_code == 0 and "ended_bookings: 0 purged" in again.output


def test_a_roster_participant_not_recorded_goes_soon_after_the_session(ctx, site, app):
    held = make_slot(site, starts_at=today_at(7, 30), capacity=4)
    pupil = appointments.Applicant(
        nik=make_nik(PUPIL_BORN), name="Siswa Absen", birth_date=PUPIL_BORN, phone="+6281299"
    )
    absent = appointments.book_into_slot(held, pupil, channel="roster")
    db.session.commit()
    appointments.mark_no_show(absent)
    db.session.commit()
    clock.freeze(FROZEN_NOW + timedelta(days=29))
    assert services.purge(app.config)["roster_participants"] == 0
    clock.freeze(FROZEN_NOW + timedelta(days=31))
    assert services.purge(app.config)["roster_participants"] == 1
    db.session.expire_all()
    assert db.session.get(Appointment, absent.id).name == ""


def test_a_closed_home_visit_loses_the_person_after_the_period(client, ctx, app):
    from scheduler.outreach.models import HomeVisit
    from tests.outreach.services.test_home_visits import visit_body

    declined = client.post("/api/v1/outreach/home-visits", json=visit_body()).get_json()
    born = date(1940, 2, 2)
    other = visit_body(nik=make_nik(born, serial=3), birth_date=born.isoformat(), name="Mbah Karto")
    still_open = client.post("/api/v1/outreach/home-visits", json=other).get_json()
    row = db.session.get(HomeVisit, declined["visit"]["id"])
    row.status, row.decline_reason = "declined", "Sudah pindah ke luar daerah"
    db.session.commit()
    clock.freeze(FROZEN_NOW + timedelta(days=89))
    assert services.purge(app.config)["home_visits"] == 0
    clock.freeze(FROZEN_NOW + timedelta(days=91))
    assert services.count_due(app.config)["home_visits"] == 1
    assert services.purge(app.config)["home_visits"] == 1
    assert services.purge(app.config)["home_visits"] == 0  # twice: nothing more
    db.session.expire_all()
    gone = db.session.get(HomeVisit, declined["visit"]["id"])
    assert (gone.name, gone.address, gone.contact_phone, gone.nik_encrypted) == ("", "", "", "")
    assert gone.nik_hash == "" and gone.decline_reason is None
    assert gone.birth_date == date(gone.birth_date.year, 1, 1)
    kept = db.session.get(HomeVisit, still_open["visit"]["id"])
    assert kept.name == "Mbah Karto" and kept.nik_encrypted  # an open request is kept
