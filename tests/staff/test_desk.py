"""The desk's services refuse another site's staff themselves, whatever page or endpoint
calls them, and each desk step writes its audit entry with the change."""

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest
from scheduler.errors import Forbidden, NotFound
from scheduler.extensions import db
from scheduler.staff import desk
from scheduler.staff.models import AuditEntry
from tests.factories import make_site
from tests.staff.conftest import book


def _audits(appointment):
    return db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.detail, AuditEntry.user_id)
        .where(AuditEntry.appointment_id == appointment.id)
        .order_by(AuditEntry.id)
    ).all()


@pytest.mark.parametrize(
    "act",
    [
        lambda actor, code: desk.mark_recorded(actor, code),
        lambda actor, code: desk.mark_recording_failed(actor, code, "Alat perekam rusak"),
        lambda actor, code: desk.mark_no_show(actor, code),
        lambda actor, code: desk.office_cancel(actor, code, "Kantor tutup"),
    ],
)
def test_another_sites_appointment_is_not_found(ctx, other_clerk, appointment, act):
    db.session.commit()
    with pytest.raises(NotFound):
        act(other_clerk, appointment.code)
    assert db.session.get(Appointment, appointment.id).status == "booked"
    assert _audits(appointment) == []


def test_another_sites_desk_is_forbidden(ctx, site, other_clerk, appointment):
    db.session.commit()
    with pytest.raises(Forbidden) as refused:
        desk.check_in(other_clerk, code=appointment.code, site_id=site.id)
    assert str(refused.value.message) == "Anda tidak bertugas di lokasi ini."
    with pytest.raises(Forbidden):
        desk.roster(other_clerk, site.id)
    with pytest.raises(Forbidden):
        desk.issue_pickup_ticket(other_clerk, site.id)
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_only_the_listed_desk_sites_pass(ctx, site, other_site, clerk, other_clerk, admin):
    closed = make_site("Balai Desa Tutup", kind="village_hall")
    closed.active = False
    db.session.commit()
    desk.check_desk_site(clerk, site.id)
    desk.check_desk_site(admin, other_site.id)
    for actor, site_id in ((other_clerk, site.id), (admin, closed.id), (clerk, None)):
        with pytest.raises(NotFound):
            desk.check_desk_site(actor, site_id)


def test_the_desk_steps_move_queue_and_audit(ctx, site, clerk, appointment):
    desk.apply_check_in(clerk, appointment, "code", {site.id})
    desk.apply_recorded(clerk, appointment, "ikd", ikd_activated=True)
    assert appointment.status == "recorded" and appointment.ikd_activated_at is not None
    assert db.session.scalar(
        sa.select(CardRequest.id).where(CardRequest.appointment_id == appointment.id)
    )
    assert _audits(appointment) == [
        ("check_in", "code", clerk.id),
        ("recorded", "ikd", clerk.id),
    ]


def test_the_desk_actions_write_the_same_entries_as_before(ctx, clerk, slot, appointment):
    failed = book(slot)
    desk.check_in(clerk, code=appointment.code)
    desk.mark_recorded(clerk, appointment.code)
    desk.check_in(clerk, code=failed.code)
    desk.mark_recording_failed(clerk, failed.code, "Alat perekam rusak")
    assert _audits(appointment) == [("check_in", "code", clerk.id), ("recorded", "", clerk.id)]
    assert _audits(failed) == [
        ("check_in", "code", clerk.id),
        ("recording_failed", "Alat perekam rusak", clerk.id),
    ]
    assert failed.outcome_reason == "Alat perekam rusak"
