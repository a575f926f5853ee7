"""Outreach services: capacity arithmetic, cancellation, coverage, demo, races."""

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.outreach import coverage, demo, roster, services
from scheduler.outreach.models import CoverageFigure, OutreachKit, OutreachSession
from tests.outreach.conftest import (
    NEXT_WEDNESDAY,
    approve,
    make_request,
    make_user,
    pupil,
    roster_csv,
)


def test_slot_plan_spreads_kits_times_recording_minutes(app):
    with app.app_context():
        start = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
        plan = services.slot_plan(start, datetime(2026, 12, 9, 3, 10, tzinfo=UTC), 30, 3)
    # 130 minutes: four 30-minute slots of 3 x 2 seats, and 10 minutes that seat nobody.
    assert [c for _, _, c in plan] == [6, 6, 6, 6]
    assert plan[-1][1] == datetime(2026, 12, 9, 3, 0, tzinfo=UTC)


def test_admin_cancelling_a_session_frees_team_kits_and_tells_residents(ctx, admin, coordinator):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=4, team="Tim A")
    roster.import_roster(req.session.id, coordinator.user, "r.csv", roster_csv([pupil(1)]))
    db.session.commit()
    services.cancel_request(req.id, admin.user, "Banjir")
    assert req.status == "cancelled" and not req.session.active
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutreachKit)) == 0
    assert db.session.scalar(sa.select(Appointment.status)) == "cancelled"
    assert db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.event == "appointment_cancelled_by_office")
    )
    # The team and all four kits are free again that day.
    other = make_request(coordinator.user, institution_name="SMP 5 Kudus")
    approve(other, admin.user, kits=4, team="Tim A")
    assert other.status == "approved"


def test_coordinator_may_withdraw_only_a_pending_request(ctx, admin, coordinator):
    req = make_request(coordinator.user)
    db.session.commit()
    services.cancel_request(req.id, coordinator.user)
    assert req.status == "cancelled"
    second = make_request(coordinator.user, institution_name="SMP 7")
    approve(second, admin.user)
    db.session.commit()
    with pytest.raises(InvalidState):
        services.cancel_request(second.id, coordinator.user)


def test_overlapping_session_at_the_same_site_is_invalid_state(ctx, admin, coordinator):
    first = make_request(coordinator.user)
    approve(first, admin.user, kits=1, team="Tim A")
    second = make_request(coordinator.user)  # the same school again
    db.session.commit()
    with pytest.raises(InvalidState):
        approve(second, admin.user, kits=1, team="Tim B", start="09:15", end="11:15")
    assert second.status == "pending"
    approve(second, admin.user, kits=1, team="Tim B", start="10:00", end="12:00")
    assert second.status == "approved"
    assert len(services.session_slots(first.session)) == 4


def test_coverage_totals_against_the_target(ctx):
    coverage.save_figure("Dawe", "Colo", 1000, 990)
    coverage.save_figure("Dawe", "Colo", 1000, 995)  # typed again: updated, not doubled
    coverage.save_figure("Bae", "Panjang", 1000, 999)
    coverage.save_figure("Bae", "Panjang", 300, 200, school="SMA Negeri 1 Kudus")
    totals = coverage.totals()
    assert (totals.wktp, totals.recorded, totals.not_recorded) == (2000, 1994, 6)
    assert totals.coverage == Decimal("99.70") and totals.meets_target
    coverage.save_figure("Bae", "Panjang", 1000, 980)
    totals = coverage.totals()
    assert totals.coverage == Decimal("98.75") and not totals.meets_target
    # 99.40 % of 2000 is 1988: 13 more recordings.
    assert totals.short_of_target == 13
    assert [f.name for f in coverage.ranking("desa")] == ["Panjang", "Colo"]


def test_demo_spread_adds_up_exactly():
    parts = demo._spread(2319, [1.0, 2.5, 0.3, 7.0])
    assert sum(parts) == 2319 and parts[3] > parts[1] > parts[0] > parts[2]


def test_demo_coverage_matches_the_kudus_figures(ctx):
    demo._seed_coverage()
    demo._seed_coverage()  # safe to run twice
    totals = coverage.totals()
    assert (totals.wktp, totals.recorded, totals.not_recorded) == (643_450, 641_131, 2_319)
    assert totals.coverage == Decimal("99.64")
    top = [f.desa for f in coverage.ranking("desa", limit=5)]
    assert "Panjang" in top
    schools = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CoverageFigure)
        .where(CoverageFigure.area_kind == "school")
    )
    assert schools == 3


def test_demo_requests(ctx):
    make_user_with = {
        "admin@kudus.example": "admin",
        "koordinator@kudus.example": "coordinator",
    }
    from scheduler.staff.models import User

    for email, role in make_user_with.items():
        user = make_user(role)
        user.email = email
    db.session.flush()
    lines = []
    demo._seed_requests(lines.append)
    demo._seed_requests(lines.append)
    statuses = sorted(r.status for r in services.list_requests(_admin(User)))
    assert statuses == ["approved", "pending"]
    assert any("with 5 participants" in line for line in lines)


def _admin(user_model):
    return db.session.scalar(sa.select(user_model).where(user_model.role == "admin"))


def _race(app, admin_id, jobs):
    """Run approvals [(request_id, kwargs)] at the same moment, each in its own thread."""
    from scheduler.outreach.models import OutreachRequest
    from scheduler.staff.models import User

    barrier = threading.Barrier(len(jobs))
    results = []

    def run(request_id, kwargs):
        with app.app_context():
            user = db.session.get(User, admin_id)
            request = db.session.get(OutreachRequest, request_id)
            db.session.commit()  # SQLite: a read holds the write lock (BEGIN IMMEDIATE)
            barrier.wait(timeout=30)
            try:
                approve(request, user, **kwargs)
                results.append("ok")
            except InvalidState:
                results.append("invalid_state")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    return sorted(results)


def test_same_team_raced_by_two_admins_gives_one_session(committed_db):
    """Two approvals at once for the same team and day: the database lets one through."""
    admin_id = make_user("admin").id
    coordinator = make_user("coordinator")
    ids = [make_request(coordinator, institution_name=f"SMP Balapan {i}").id for i in range(2)]
    db.session.commit()  # SQLite: end the read so the threads can write
    results = _race(committed_db, admin_id, [(r, {"kits": 1}) for r in ids])
    assert results == ["invalid_state", "ok"]
    sessions = db.session.scalars(sa.select(OutreachSession)).all()
    assert len(sessions) == 1 and sessions[0].held_on == NEXT_WEDNESDAY


def test_kits_raced_by_two_admins_never_exceed_what_the_office_owns(committed_db):
    admin_id = make_user("admin").id
    coordinator = make_user("coordinator")
    owned = committed_db.config["OUTREACH_KITS"]
    ids = [make_request(coordinator, institution_name=f"SMA Balapan {i}").id for i in range(2)]
    db.session.commit()  # SQLite: end the read so the threads can write
    jobs = [(r, {"kits": owned, "team": f"Tim {i}"}) for i, r in enumerate(ids)]
    assert _race(committed_db, admin_id, jobs) == ["invalid_state", "ok"]
    used = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutreachKit)
        .where(OutreachKit.held_on == date(2026, 12, 9))
    )
    assert used == owned
