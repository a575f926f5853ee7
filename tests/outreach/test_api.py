"""The outreach endpoints of docs/api.md."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.outreach import roster
from scheduler.sites.models import Site, Slot
from tests.factories import make_nik
from tests.outreach.conftest import approve, make_request, pupil, request_body, roster_csv

URL = "/api/v1/outreach/requests"


def post_request(client, actor, **extra):
    return client.post(URL, json=request_body(**extra), headers=actor.headers)


def upload(client, actor, session_id, data, filename="roster.csv"):
    return client.post(
        f"/api/v1/outreach/sessions/{session_id}/roster",
        data={"file": (io.BytesIO(data), filename)},
        headers=actor.headers,
        content_type="multipart/form-data",
    )


# --------------------------------------------------------------------------- requests


def test_coordinator_creates_a_pending_request(client, coordinator):
    resp = post_request(client, coordinator)
    assert resp.status_code == 201
    r = resp.get_json()["request"]
    assert r["status"] == "pending"
    assert r["kecamatan"] == "Kota Kudus" and r["desa"] == "Purwosari"
    assert r["preferred_dates"] == ["2026-12-09", "2026-12-10"]
    assert r["contact_phone"] == "+6281234567890"
    assert r["session"] is None and r["decline_reason"] is None
    assert set(r) >= {
        "id",
        "status",
        "institution_kind",
        "institution_name",
        "kecamatan",
        "desa",
        "expected_participants",
        "preferred_dates",
        "decline_reason",
        "session",
    }


def test_kecamatan_may_be_its_region_code(client, coordinator):
    resp = post_request(client, coordinator, kecamatan="33.19.09", desa="colo")
    assert resp.status_code == 201
    assert resp.get_json()["request"]["kecamatan"] == "Dawe"
    assert resp.get_json()["request"]["desa"] == "Colo"


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"kecamatan": "Semarang"}, "kecamatan"),
        ({"desa": "Colo"}, "desa"),
        ({"preferred_dates": ["2026-12-09"]}, "preferred_dates"),
        ({"preferred_dates": ["2026-12-09", "2026-12-09"]}, "preferred_dates"),
        ({"preferred_dates": ["2026-12-01", "2026-12-09"]}, "preferred_dates"),
        ({"preferred_dates": ["2026-12-09", "not a date"]}, "preferred_dates"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"expected_participants": 0}, "expected_participants"),
        ({"institution_kind": "office"}, "institution_kind"),
        ({"institution_name": "x" * 101}, "institution_name"),
    ],
)
def test_bad_request_fields_are_422_on_the_field(client, coordinator, extra, field):
    resp = post_request(client, coordinator, **extra)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_malformed_body_is_422(client, coordinator):
    resp = client.post(URL, data="[1,2", headers=coordinator.headers)
    assert resp.status_code == 422
    resp = client.post(URL, json=[1, 2], headers=coordinator.headers)
    assert resp.status_code == 422


def test_no_token_is_401_and_wrong_role_is_403(client, admin, staff_member):
    assert client.post(URL, json=request_body()).status_code == 401
    assert client.get(URL).status_code == 401
    resp = post_request(client, admin)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert client.get(URL, headers=staff_member.headers).status_code == 403


def test_coordinator_sees_only_own_requests_admin_sees_all(
    client, coordinator, other_coordinator, admin
):
    mine = post_request(client, coordinator).get_json()["request"]["id"]
    theirs = post_request(client, other_coordinator, institution_name="SD 1").get_json()
    theirs = theirs["request"]["id"]
    ids = [r["id"] for r in client.get(URL, headers=coordinator.headers).get_json()["requests"]]
    assert ids == [mine]
    ids = {r["id"] for r in client.get(URL, headers=admin.headers).get_json()["requests"]}
    assert ids == {mine, theirs}
    resp = client.get(URL + "?status=approved", headers=admin.headers)
    assert resp.get_json()["requests"] == []


def test_coordinator_cannot_approve_or_decline(client, coordinator):
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    body = {"date": "2026-12-09", "start": "08:00", "end": "10:00", "kits": 2, "team": "Tim A"}
    assert (
        client.post(f"{URL}/{rid}/approve", json=body, headers=coordinator.headers).status_code
        == 403
    )
    resp = client.post(f"{URL}/{rid}/decline", json={"reason": "x"}, headers=coordinator.headers)
    assert resp.status_code == 403


# ---------------------------------------------------------------------------- approve


def approve_body(**extra):
    body = {"date": "2026-12-09", "start": "08:00", "end": "10:00", "kits": 2, "team": "Tim A"}
    body.update(extra)
    return body


def test_approve_creates_session_site_and_private_outreach_slots(client, coordinator, admin):
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    resp = client.post(f"{URL}/{rid}/approve", json=approve_body(), headers=admin.headers)
    assert resp.status_code == 200
    r = resp.get_json()["request"]
    assert r["status"] == "approved"
    session = r["session"]
    assert set(session) >= {"id", "site_id", "booking_url"}
    assert "/jemput-bola/sesi/" in session["booking_url"] and "?s=" in session["booking_url"]
    site = db.session.get(Site, session["site_id"])
    assert site.kind == "school" and site.name == "SMA Negeri 2 Kudus"
    assert site.kecamatan_code == "33.19.02" and site.desa == "Purwosari"
    slots = db.session.scalars(sa.select(Slot).where(Slot.site_id == site.id)).all()
    # 120 minutes in 30-minute slots; 2 kits x (30 // 15) = 4 seats each.
    assert len(slots) == 4
    assert all(s.session_kind == "outreach" and not s.is_public for s in slots)
    assert [s.capacity for s in slots] == [4, 4, 4, 4]
    assert session["capacity"] == 16 and session["booked"] == 0
    # Not in the public slot list.
    listed = client.get(f"/api/v1/sites/{site.id}/slots?from=2026-12-09&to=2026-12-09")
    assert listed.get_json()["slots"] == []
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.event == "outreach_approved")
    )
    assert message.context["institution"] == "SMA Negeri 2 Kudus"
    assert message.context["date"] == "2026-12-09"
    assert (message.context["start"], message.context["end"]) == ("08:00", "10:00")
    assert message.context["booking_url"] == session["booking_url"]
    assert message.phone == "+6281234567890"


def test_approve_reuses_the_institutions_existing_site(client, coordinator, admin):
    from tests.factories import make_site

    existing = make_site("SMA Negeri 2 Kudus", kind="school", hours=False)
    existing.kecamatan_code = "33.19.02"
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    resp = client.post(f"{URL}/{rid}/approve", json=approve_body(), headers=admin.headers)
    assert resp.get_json()["request"]["session"]["site_id"] == existing.id


def test_approve_twice_is_invalid_state(client, coordinator, admin):
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    assert (
        client.post(f"{URL}/{rid}/approve", json=approve_body(), headers=admin.headers).status_code
        == 200
    )
    resp = client.post(
        f"{URL}/{rid}/approve", json=approve_body(team="Tim B"), headers=admin.headers
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"
    resp = client.post(f"{URL}/{rid}/decline", json={"reason": "x"}, headers=admin.headers)
    assert resp.status_code == 409


def test_same_team_twice_a_day_is_invalid_state(client, coordinator, admin):
    first = post_request(client, coordinator).get_json()["request"]["id"]
    second = post_request(client, coordinator, institution_name="SMP 3 Kudus").get_json()
    second = second["request"]["id"]
    assert (
        client.post(
            f"{URL}/{first}/approve", json=approve_body(kits=1), headers=admin.headers
        ).status_code
        == 200
    )
    resp = client.post(
        f"{URL}/{second}/approve",
        json=approve_body(kits=1, team="  tim   a ", start="11:00", end="12:00"),
        headers=admin.headers,
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"
    # The request stays pending; another team or another day is fine.
    resp = client.post(
        f"{URL}/{second}/approve", json=approve_body(kits=1, team="Tim B"), headers=admin.headers
    )
    assert resp.status_code == 200


def test_more_kits_on_a_day_than_the_office_owns_is_invalid_state(client, coordinator, admin, app):
    owned = app.config["OUTREACH_KITS"]
    first = post_request(client, coordinator).get_json()["request"]["id"]
    second = post_request(client, coordinator, institution_name="SMP 3 Kudus").get_json()
    second = second["request"]["id"]
    resp = client.post(
        f"{URL}/{first}/approve", json=approve_body(kits=owned + 1), headers=admin.headers
    )
    assert resp.status_code == 409
    assert (
        client.post(
            f"{URL}/{first}/approve", json=approve_body(kits=owned - 1), headers=admin.headers
        ).status_code
        == 200
    )
    resp = client.post(
        f"{URL}/{second}/approve", json=approve_body(kits=2, team="Tim B"), headers=admin.headers
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"
    resp = client.post(
        f"{URL}/{second}/approve",
        json=approve_body(kits=2, team="Tim B", date="2026-12-10"),
        headers=admin.headers,
    )
    assert resp.status_code == 200


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"start": "8"}, "start"),
        ({"end": "25:00"}, "end"),
        ({"start": "10:00", "end": "09:00"}, "end"),
        ({"date": "2026-12-01"}, "date"),
        ({"date": "9999-99-99"}, "date"),
        ({"kits": 0}, "kits"),
        ({"team": ""}, "team"),
    ],
)
def test_bad_approval_is_422(client, coordinator, admin, extra, field):
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    resp = client.post(f"{URL}/{rid}/approve", json=approve_body(**extra), headers=admin.headers)
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Slot)) == 0


def test_unknown_request_is_404(client, admin):
    resp = client.post(f"{URL}/999999/approve", json=approve_body(), headers=admin.headers)
    assert resp.status_code == 404


def test_decline_with_reason(client, coordinator, admin):
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    resp = client.post(
        f"{URL}/{rid}/decline", json={"reason": "Tim penuh bulan ini"}, headers=admin.headers
    )
    assert resp.status_code == 200
    r = resp.get_json()["request"]
    assert r["status"] == "declined" and r["decline_reason"] == "Tim penuh bulan ini"
    mine = client.get(URL, headers=coordinator.headers).get_json()["requests"][0]
    assert mine["decline_reason"] == "Tim penuh bulan ini"
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.event == "outreach_declined")
    )
    assert message.context["reason"] == "Tim penuh bulan ini"
    again = client.post(f"{URL}/{rid}/decline", json={"reason": "lagi"}, headers=admin.headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


def test_decline_needs_a_reason(client, coordinator, admin):
    rid = post_request(client, coordinator).get_json()["request"]["id"]
    resp = client.post(f"{URL}/{rid}/decline", json={"reason": ""}, headers=admin.headers)
    assert resp.status_code == 422 and "reason" in resp.get_json()["error"]["fields"]


# ----------------------------------------------------------------------------- roster


@pytest.fixture
def session(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=1, start="08:00", end="09:00")  # 2 slots x 2 seats
    db.session.commit()
    return req.session


def test_roster_books_good_rows_earliest_slots_first(client, coordinator, session):
    rows = [pupil(i) for i in range(3)]
    resp = upload(client, coordinator, session.id, roster_csv(rows))
    assert resp.status_code == 200
    assert resp.get_json() == {"booked": 3, "skipped": [], "rejected": []}
    slots = db.session.scalars(
        sa.select(Slot).where(Slot.site_id == session.site_id).order_by(Slot.starts_at)
    ).all()
    assert [s.booked_count for s in slots] == [2, 1]
    booked = db.session.scalars(sa.select(Appointment)).all()
    assert {a.channel for a in booked} == {"roster"}
    assert {a.site_id for a in booked} == {session.site_id}
    assert all(a.status == "booked" for a in booked)


def test_same_file_twice_books_no_one_twice(client, coordinator, session):
    data = roster_csv([pupil(i) for i in range(2)])
    assert upload(client, coordinator, session.id, data).get_json()["booked"] == 2
    second = upload(client, coordinator, session.id, data).get_json()
    assert second["booked"] == 0
    assert [s["row"] for s in second["skipped"]] == [2, 3]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 2


def test_bad_rows_come_back_with_their_row_and_fields(client, coordinator, session):
    good = pupil(1)
    wrong_birth = pupil(2)
    wrong_birth[2] = "2009-01-01"
    too_young = [make_nik(date(2012, 1, 1)), "Adik", "2012-01-01", "081234567001"]
    rows = [
        good,
        ["12345", "", "kemarin", "12"],
        wrong_birth,
        too_young,
    ]
    resp = upload(client, coordinator, session.id, roster_csv(rows, sep=";", bom=True))
    body = resp.get_json()
    assert resp.status_code == 200
    assert body["booked"] == 1
    rejected = {r["row"]: r["fields"] for r in body["rejected"]}
    assert set(rejected) == {3, 4, 5}
    assert set(rejected[3]) == {"nik", "name", "birth_date", "phone"}
    assert set(rejected[4]) == {"birth_date"}
    assert set(rejected[5]) == {"birth_date"}


def test_rows_beyond_capacity_are_rejected_with_a_reason(client, coordinator, session):
    rows = [pupil(i) for i in range(6)]
    body = upload(client, coordinator, session.id, roster_csv(rows)).get_json()
    assert body["booked"] == 4
    assert [r["row"] for r in body["rejected"]] == [6, 7]
    assert all("capacity" in r["fields"] for r in body["rejected"])


def test_nik_booked_elsewhere_is_rejected_on_nik(client, coordinator, session):
    from tests.factories import booking_body, make_slot

    other = make_slot()
    row = pupil(1)
    body = booking_body(other, birth_date=date.fromisoformat(row[2]))
    body["nik"] = row[0]
    assert client.post("/api/v1/appointments", json=body).status_code == 201
    result = upload(client, coordinator, session.id, roster_csv([row])).get_json()
    assert result["booked"] == 0
    assert result["rejected"] == [
        {"row": 2, "fields": {"nik": result["rejected"][0]["fields"]["nik"]}}
    ]


def test_xlsx_roster(client, coordinator, session):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "Nama", "Tanggal Lahir", "HP"])
    born = date(2009, 4, 2)
    from datetime import datetime

    sheet.append([int(make_nik(born)), "Siswa X", datetime(2009, 4, 2), "081234567002"])
    sheet.append([make_nik(born), "Siswa Y", "2009-04-02", 81234567003])
    out = io.BytesIO()
    book.save(out)
    body = upload(client, coordinator, session.id, out.getvalue(), "peserta.xlsx").get_json()
    assert body == {"booked": 2, "skipped": [], "rejected": []}


@pytest.mark.parametrize(
    "data,filename",
    [
        (b"", "r.csv"),
        (b"name,phone\nA,0812\n", "r.csv"),
        (b"\xff\xfe\x00bad", "r.csv"),
        (b"PK\x03\x04 not really a workbook", "r.xlsx"),
    ],
)
def test_unreadable_file_is_422_on_file(client, coordinator, session, data, filename):
    resp = upload(client, coordinator, session.id, data, filename)
    assert resp.status_code == 422
    assert "file" in resp.get_json()["error"]["fields"]


def test_missing_file_is_422(client, coordinator, session):
    resp = client.post(
        f"/api/v1/outreach/sessions/{session.id}/roster", data={}, headers=coordinator.headers
    )
    assert resp.status_code == 422 and "file" in resp.get_json()["error"]["fields"]


def test_roster_access(client, session, other_coordinator, staff_member, admin):
    data = roster_csv([pupil(1)])
    assert upload(client, other_coordinator, session.id, data).status_code == 404
    assert upload(client, staff_member, session.id, data).status_code == 403
    resp = client.post(
        f"/api/v1/outreach/sessions/{session.id}/roster",
        data={"file": (io.BytesIO(data), "r.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 401
    assert upload(client, admin, session.id, data).get_json()["booked"] == 1
    assert upload(client, admin, 999999, data).status_code == 404


def test_a_crash_half_way_imports_nothing(client, coordinator, session, monkeypatch):
    real = roster.appointments.book_into_slot
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(roster.appointments, "book_into_slot", flaky)
    resp = upload(client, coordinator, session.id, roster_csv([pupil(i) for i in range(4)]))
    assert resp.status_code == 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 0
    slots = db.session.scalars(sa.select(Slot).where(Slot.site_id == session.site_id)).all()
    assert all(s.booked_count == 0 for s in slots)


def test_roster_into_a_declined_or_cancelled_session_is_invalid_state(
    client, coordinator, admin, session
):
    from scheduler.outreach import services

    services.cancel_request(session.request_id, admin.user, "Hujan deras")
    db.session.commit()
    resp = upload(client, coordinator, session.id, roster_csv([pupil(1)]))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"


def test_openapi_documents_the_outreach_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/outreach/requests" in paths
    assert "post" in paths["/api/v1/outreach/requests/{request_id}/approve"]
    roster_op = paths["/api/v1/outreach/sessions/{session_id}/roster"]["post"]
    assert "multipart/form-data" in roster_op["requestBody"]["content"]


def test_control_characters_are_refused_not_stored(client, coordinator):
    resp = post_request(client, coordinator, notes="listrik\x00ada")
    assert resp.status_code == 422 and "notes" in resp.get_json()["error"]["fields"]
    resp = post_request(client, coordinator, institution_name="SMA\x00")
    assert resp.status_code == 422
    ok = post_request(client, coordinator, notes="Aula\nlantai 2")
    assert ok.status_code == 201 and ok.get_json()["request"]["notes"] == "Aula\nlantai 2"


def test_huge_ids_in_paths_are_404(client, admin):
    resp = client.post(f"{URL}/{2**63}/approve", json=approve_body(), headers=admin.headers)
    assert resp.status_code == 404
    resp = upload(client, admin, 2**63, roster_csv([pupil(1)]))
    assert resp.status_code == 404


def test_an_oversized_roster_is_refused_before_it_is_read(client, coordinator, session, app):
    big = b"nik,name,birth_date,phone\n" + b"x" * (app.config["OUTREACH_ROSTER_MAX_BYTES"] + 70_000)
    resp = upload(client, coordinator, session.id, big)
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"
