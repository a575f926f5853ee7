"""Approving a request (outreach/services/approval.py): the slot plan's arithmetic, an
overlapping session refused, two admins racing for one team or the office's kits.
"""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.outreach import services
from scheduler.outreach.models import OutreachKit, OutreachSession
from tests.outreach.conftest import (
    NEXT_WEDNESDAY,
    approve,
    make_request,
    make_user,
)


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


def test_slot_plan_spreads_kits_times_recording_minutes(app):
    with app.app_context():
        start = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
        plan = services.slot_plan(start, datetime(2026, 12, 9, 3, 10, tzinfo=UTC), 30, 3)
    # 130 minutes: four 30-minute slots of 3 x 2 seats, and 10 minutes that seat nobody.
    assert [c for _, _, c in plan] == [6, 6, 6, 6]
    assert plan[-1][1] == datetime(2026, 12, 9, 3, 0, tzinfo=UTC)


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
