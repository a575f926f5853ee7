"""The offline desk's pages: a shell without personal data, the device's copy (digests,
never tokens or NIKs), the page's sync with its CSRF token, the worker and the manifest."""

import hashlib
import re
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.outreach import roster, services
from scheduler.staff.models import AuditEntry
from tests.outreach.conftest import approve, make_request, make_user, pupil, roster_csv
from tests.outreach.test_views import login

DURING = datetime(2026, 12, 9, 1, 40, tzinfo=UTC)


@pytest.fixture
def desk_day(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=2, start="08:00", end="10:00")
    rows = [pupil(i) for i in range(3)]
    roster.import_roster(req.session.id, coordinator.user, "r.csv", roster_csv(rows))
    worker = make_user("staff", sites=[req.session.site])
    db.session.commit()
    clock.freeze(DURING)
    people = sorted(services.session_appointments(req.session), key=lambda a: a.name)
    return req.session, people, worker, [r[0] for r in rows]


def test_the_shell_holds_no_participant(client, desk_day):
    session, people, worker, niks = desk_day
    login(client, worker)
    resp = client.get(f"/jemput-bola/sesi/{session.id}/meja")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'rel="manifest"' in html and "js/outreach-desk.js" in html
    for person, nik in zip(people, niks, strict=True):
        assert person.name not in html and person.code not in html and nik not in html
    # Every script is a file (a Content-Security-Policy without 'unsafe-inline' holds).
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts == [' type="application/json" id="desk-text"']


def test_the_device_copy_has_digests_and_what_the_desk_shows(client, desk_day):
    session, people, worker, niks = desk_day
    login(client, worker)
    resp = client.get(f"/jemput-bola/sesi/{session.id}/meja/data")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    data = resp.get_json()
    assert data["user_id"] == worker.id and data["keep_hours"] == 24
    assert data["session"]["closed"] is False and data["csrf_token"]
    first = data["participants"][0]
    assert set(first) == {"code", "name", "nik_masked", "time", "status", "token_sha256"}
    token = appointments.checkin_token(people[0])
    assert first["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    text = resp.get_data(as_text=True)
    assert token not in text
    assert not any(nik in text for nik in niks)
    # Reading the participants is a view of personal data: audited.
    assert (
        db.session.scalar(
            sa.select(AuditEntry.detail).where(AuditEntry.action == "view_outreach_desk")
        )
        == f"session {session.id}"
    )


def test_a_closed_session_sends_no_participant(client, desk_day):
    session, _people, worker, _niks = desk_day
    session.active = False
    db.session.commit()
    login(client, worker)
    data = client.get(f"/jemput-bola/sesi/{session.id}/meja/data").get_json()
    assert data["session"]["closed"] is True and data["participants"] == []


def test_another_sites_staff_cannot_read_the_session(client, desk_day):
    session, _people, _worker, _niks = desk_day
    from tests.factories import make_site

    elsewhere = make_user("staff", sites=[make_site(name="Kecamatan Gebog")])
    db.session.commit()
    login(client, elsewhere)
    assert client.get(f"/jemput-bola/sesi/{session.id}/meja/data").status_code == 404
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/meja/sinkron",
        json={
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "code": "X",
                    "action": "checkin",
                    "at": DURING.isoformat(),
                }
            ]
        },
    )
    assert resp.status_code == 404


def test_the_page_sync_needs_its_csrf_token(app, client, desk_day):
    session, people, worker, _niks = desk_day
    login(client, worker)
    body = {
        "events": [
            {
                "id": str(uuid.uuid4()),
                "code": people[0].code,
                "action": "checkin",
                "at": DURING.isoformat(),
            }
        ]
    }
    url = f"/jemput-bola/sesi/{session.id}/meja/sinkron"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url, json=body).status_code in (400, 422)
        token = client.get(f"/jemput-bola/sesi/{session.id}/meja/data").get_json()["csrf_token"]
        resp = client.post(url, json=body, headers={"X-CSRFToken": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.get_json()["results"][0]["status"] == "applied"
    assert db.session.get(Appointment, people[0].id).status == "checked_in"


def test_the_worker_is_served_for_the_session_pages(client):
    resp = client.get("/jemput-bola/meja-sw.js")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/javascript")
    assert resp.headers["Service-Worker-Allowed"] == "/jemput-bola/sesi/"
    assert resp.headers["Cache-Control"] == "no-cache"
    assert b"caches" in resp.data


def test_the_manifest_makes_the_desk_installable(client, desk_day):
    session, _people, worker, _niks = desk_day
    login(client, worker)
    resp = client.get(f"/jemput-bola/sesi/{session.id}/meja.webmanifest")
    assert resp.headers["Content-Type"] == "application/manifest+json"
    manifest = resp.get_json()
    assert manifest["start_url"] == f"/jemput-bola/sesi/{session.id}/meja"
    assert manifest["scope"] == "/jemput-bola/sesi/"
    assert manifest["display"] == "standalone"
    sizes = {i["sizes"] for i in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_login_page_clears_the_desks_copy(client):
    html = client.get("/masuk").get_data(as_text=True)
    assert "js/outreach-forget.js" in html
