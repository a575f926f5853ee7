"""The tally and an offline desk's queue move appointments through the desk's own steps:
the same state changes, the same card queueing and the same audit actions as at the desk,
only the audit detail says where the change came from."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.outreach import roster, services
from scheduler.outreach import sync as sync_service
from scheduler.staff import desk
from scheduler.staff.models import AuditEntry
from tests.outreach.conftest import approve, make_request, pupil, roster_csv

DURING = datetime(2026, 12, 9, 1, 10, tzinfo=UTC)  # 08:10 WIB, in the session
AFTER = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # 10:00 WIB, the session is over
STEPS = ("apply_check_in", "apply_recorded", "apply_recording_failed", "apply_no_show")


@pytest.fixture
def participants(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=2, start="08:00", end="09:00")
    roster.import_roster(
        req.session.id, coordinator.user, "r.csv", roster_csv([pupil(i) for i in range(5)])
    )
    db.session.commit()
    people = sorted(services.session_appointments(req.session), key=lambda a: a.name)
    return req.session, people


@pytest.fixture
def steps(monkeypatch):
    """The desk steps called, in order, as (step, appointment code)."""
    calls = []
    for name in STEPS:
        step = getattr(desk, name)

        def spy(actor, appointment, *args, _step=step, _name=name, **kwargs):
            calls.append((_name, appointment.code))
            return _step(actor, appointment, *args, **kwargs)

        monkeypatch.setattr(desk, name, spy)
    return calls


def _audits(code):
    return db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.detail)
        .where(AuditEntry.appointment_code == code)
        .order_by(AuditEntry.id)
    ).all()


def _has_card(appointment):
    return db.session.scalar(
        sa.select(CardRequest.id).where(CardRequest.appointment_id == appointment.id)
    )


def test_the_tally_takes_the_desks_steps(participants, admin, steps):
    session, (at_desk, recorded, failed, absent, desk_failed) = participants
    clock.freeze(DURING)
    desk.check_in(admin.user, code=at_desk.code)
    desk.mark_recorded(admin.user, at_desk.code)
    desk.check_in(admin.user, code=desk_failed.code)
    desk.mark_recording_failed(admin.user, desk_failed.code, "Alat perekam rusak")
    db.session.commit()
    steps.clear()

    clock.freeze(AFTER)
    outcomes = {recorded.id: "recorded", failed.id: "failed", absent.id: "absent"}
    services.record_tally(session.id, admin.user, outcomes)

    assert steps == [
        ("apply_check_in", recorded.code),
        ("apply_recorded", recorded.code),
        ("apply_check_in", failed.code),
        ("apply_recording_failed", failed.code),
        ("apply_no_show", absent.code),
    ]
    # The same audit actions as the desk's, the detail naming the tally.
    assert _audits(at_desk.code) == [("check_in", "code"), ("recorded", "")]
    assert _audits(recorded.code) == [
        ("check_in", "outreach tally"),
        ("recorded", "outreach tally"),
    ]
    assert [a for a, _ in _audits(failed.code)] == [a for a, _ in _audits(desk_failed.code)]
    assert _audits(failed.code)[-1] == ("recording_failed", "outreach tally: failed")
    assert _audits(absent.code) == [("no_show", "outreach tally")]
    # Recorded at the desk or by the tally, the card is queued the same way.
    assert _has_card(at_desk) and _has_card(recorded)


def test_the_offline_queue_takes_the_desks_steps(participants, admin, steps):
    session, (checked, recorded, failed, absent, _) = participants
    clock.freeze(AFTER)
    queue = [
        sync_service.SyncEvent("e1", checked.code, "checkin", DURING),
        sync_service.SyncEvent("e2", recorded.code, "recorded", DURING),
        sync_service.SyncEvent("e3", failed.code, "recording_failed", DURING, "Sidik jari aus"),
        sync_service.SyncEvent("e4", absent.code, "absent", DURING + timedelta(minutes=30)),
    ]
    answers = sync_service.sync_events(session.id, admin.user, queue)

    assert [a["status"] for a in answers] == ["applied"] * 4
    assert steps == [
        ("apply_check_in", checked.code),
        ("apply_check_in", recorded.code),
        ("apply_recorded", recorded.code),
        ("apply_check_in", failed.code),
        ("apply_recording_failed", failed.code),
        ("apply_no_show", absent.code),
    ]
    actions = {p.code: [a for a, _ in _audits(p.code)] for p in (checked, recorded, failed)}
    assert actions == {
        checked.code: ["check_in"],
        recorded.code: ["check_in", "recorded"],
        failed.code: ["check_in", "recording_failed"],
    }
    assert [a for a, _ in _audits(absent.code)] == ["no_show"]
    assert all(d.startswith("offline desk: device ") for _, d in _audits(recorded.code))
    assert _has_card(recorded)
