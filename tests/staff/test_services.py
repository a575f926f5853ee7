"""Desk actions at the service level: audit entries and two desks scanning at once."""

import threading

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.errors import AlreadyCheckedIn, InvalidState
from scheduler.extensions import db
from scheduler.staff import desk
from scheduler.staff.models import AuditEntry
from tests.factories import make_site, make_slot, make_user
from tests.staff.conftest import book, today_at


def test_no_show_job_is_registered():
    from scheduler.appointments.jobs import JOBS

    assert "mark_no_shows" in {job.name for job in JOBS}


def test_audit_entry_rolls_back_with_a_refused_action(ctx, clerk, appointment):
    db.session.commit()
    desk.check_in(clerk, code=appointment.code)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with ctx.test_request_context(), pytest.raises(InvalidState):
        desk.mark_no_show(clerk, appointment.code)  # already checked in
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert after == before


def test_roster_view_is_audited_once_per_quarter_hour(ctx, site, clerk, appointment):
    db.session.commit()
    desk.roster(clerk, site.id)
    desk.roster(clerk, site.id)
    views = sa.select(sa.func.count()).where(AuditEntry.action == "view_roster")
    assert db.session.scalar(views) == 1
    clock.freeze(today_at(8, 16))
    desk.roster(clerk, site.id)
    assert db.session.scalar(views) == 2


def test_two_desks_scanning_the_same_code_one_succeeds(committed_db):
    site = make_site("Kantor Serentak")
    slot = make_slot(site, starts_at=today_at(8, 30), capacity=4)
    appointment = book(slot)
    clerks = [make_user("staff", sites=[site]) for _ in range(6)]
    db.session.commit()
    code, token = appointment.code, appointments.checkin_token(appointment)
    clerk_ids = [c.id for c in clerks]
    db.session.remove()
    barrier = threading.Barrier(len(clerk_ids))
    outcomes = []

    def scan(user_id):
        with committed_db.app_context():
            from scheduler.staff.models import User

            user = db.session.get(User, user_id)
            db.session.commit()  # SQLite: a read transaction must not hold the lock
            barrier.wait(10)
            request = committed_db.test_request_context()
            request.push()
            try:
                desk.check_in(user, qr=token)
                outcomes.append("ok")
            except AlreadyCheckedIn:
                outcomes.append("already")
            except Exception as exc:
                outcomes.append(repr(exc))
            finally:
                request.pop()
                db.session.remove()

    threads = [threading.Thread(target=scan, args=(uid,), daemon=True) for uid in clerk_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["already"] * (len(clerk_ids) - 1) + ["ok"]
    row = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
    assert row.status == "checked_in"
    checkins = sa.select(sa.func.count()).where(AuditEntry.action == "check_in")
    assert db.session.scalar(checkins) == 1
