"""An admin assigns the team's staff to an outreach session: they get the session's site,
so they can check its participants in and work its roster."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.extensions import db
from scheduler.outreach import roster, services
from scheduler.staff.models import AuditEntry, User
from tests.outreach.conftest import approve, make_request, make_user, pupil, roster_csv

DURING = datetime(2026, 12, 9, 1, 10, tzinfo=UTC)  # 08:10 WIB on the session's day


def login(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True


@pytest.fixture
def session(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=1, start="08:00", end="10:00")
    roster.import_roster(req.session.id, coordinator.user, "r.csv", roster_csv([pupil(1)]))
    db.session.commit()
    return req.session


def test_assigned_staff_check_in_an_outreach_participant(client, session, admin, staff_member):
    (participant,) = services.session_appointments(session)
    code = participant.code
    clock.freeze(DURING)
    checkin = {"code": code}
    before = client.post("/api/v1/checkins", json=checkin, headers=staff_member.headers)
    assert before.status_code == 409 and before.get_json()["error"]["code"] == "wrong_site_or_day"
    recorded = f"/api/v1/appointments/{code}/recorded"
    assert client.post(recorded, json={}, headers=staff_member.headers).status_code == 404
    login(client, staff_member.user)
    assert client.get(f"/jemput-bola/{session.request_id}").status_code == 404

    login(client, admin.user)
    page = client.get(f"/jemput-bola/{session.request_id}").get_data(as_text=True)
    assert f'name="user_ids" value="{staff_member.user.id}"' in page
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/petugas", data={"user_ids": [str(staff_member.user.id)]}
    )
    assert resp.status_code == 302
    assert session.site_id in db.session.get(User, staff_member.user.id).site_ids
    assert db.session.scalar(
        sa.select(AuditEntry.detail).where(AuditEntry.action == "user_update")
    ).startswith(staff_member.user.email)

    after = client.post("/api/v1/checkins", json=checkin, headers=staff_member.headers)
    assert after.status_code == 200
    assert after.get_json()["appointment"]["status"] == "checked_in"
    assert client.post(recorded, json={}, headers=staff_member.headers).status_code == 200
    login(client, staff_member.user)
    assert session.site.name in client.get("/petugas/check-in").get_data(as_text=True)
    assert client.get(f"/jemput-bola/{session.request_id}").status_code == 200


def test_unchecking_takes_the_site_away_and_only_staff_can_be_chosen(
    client, session, admin, coordinator
):
    clerk = make_user("staff", sites=[session.site])
    db.session.commit()
    login(client, admin.user)
    url = f"/jemput-bola/sesi/{session.id}/petugas"
    page = client.get(f"/jemput-bola/{session.request_id}").get_data(as_text=True)
    assert f'value="{clerk.id}" checked' in page
    assert client.post(url, data={}).status_code == 302
    assert session.site_id not in db.session.get(User, clerk.id).site_ids
    wrong = client.post(url, data={"user_ids": [str(coordinator.user.id)]})
    assert wrong.status_code == 422
    bad = client.post(url, data={"user_ids": ["x"]})
    assert bad.status_code == 422


def test_only_admins_assign(client, session, staff_member, coordinator):
    url = f"/jemput-bola/sesi/{session.id}/petugas"
    for actor in (staff_member, coordinator):
        login(client, actor.user)
        assert client.post(url, data={"user_ids": [str(staff_member.user.id)]}).status_code == 403
    assert session.site_id not in db.session.get(User, staff_member.user.id).site_ids
