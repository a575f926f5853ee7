"""A coordinator's request (outreach/services/requests.py): withdrawn only while pending;
an admin's cancellation frees the team and the kits and tells the residents.
"""

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.outreach import roster, services
from scheduler.outreach.models import OutreachKit
from tests.outreach.conftest import (
    approve,
    make_request,
    pupil,
    roster_csv,
)


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
