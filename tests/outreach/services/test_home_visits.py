"""Home visits: a family asks, an admin plans a team's day with a kit (the outreach team
and kit rules), the contact is told the window, the result is written as at the desk and
the card heads the print queue."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.outreach.models import HomeVisit, OutreachKit
from tests.factories import make_nik, make_site
from tests.outreach.conftest import NEXT_WEDNESDAY, approve, make_request

BIRTH = date(1941, 8, 17)
NIK = make_nik(BIRTH, female=True, serial=17)


@pytest.fixture
def offices(ctx):
    return make_site("Kantor Disdukcapil", kind="office"), make_site(
        "Kecamatan Kota Kudus", kind="subdistrict"
    )


def visit_body(**extra):
    body = {
        "nik": NIK,
        "name": "Mbah Sarinah",
        "birth_date": BIRTH.isoformat(),
        "reason": "bedridden",
        "reason_note": "Stroke, di kamar depan",
        "address": "Jl. Kenanga 3 RT 2 RW 1",
        "kecamatan": "Kota Kudus",
        "desa": "Purwosari",
        "contact_name": "Pak Joko",
        "contact_phone": "081234500001",
    }
    body.update(extra)
    return body


def ask(client, **extra):
    return client.post("/api/v1/outreach/home-visits", json=visit_body(**extra))


def plan(client, admin, ids, team="Tim Rumah", start="09:00", on="2026-12-09", minutes=60):
    return client.post(
        "/api/v1/outreach/home-visits/plan",
        json={"date": on, "team": team, "start": start, "minutes": minutes, "visits": ids},
        headers=admin.headers,
    )


def test_a_family_asks_without_login(client, offices):
    resp = ask(client)
    assert resp.status_code == 201, resp.get_json()
    visit = resp.get_json()["visit"]
    assert visit["status"] == "requested" and visit["reason"] == "bedridden"
    assert visit["nik_masked"].startswith("3319") and visit["window"] is None
    assert visit_body()["nik"] not in resp.get_data(as_text=True)
    again = ask(client)
    assert again.status_code == 422 and "nik" in again.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"birth_date": "1941-08-18"}, "birth_date"),
        ({"desa": "Atlantis"}, "desa"),
        ({"reason": "busy"}, "reason"),
        ({"contact_phone": "12"}, "contact_phone"),
    ],
)
def test_bad_requests_name_the_field(client, offices, extra, field):
    resp = ask(client, **extra)
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HomeVisit)) == 0


def test_plan_gives_windows_appointments_and_tells_the_contact(client, admin, offices):
    first = ask(client).get_json()["visit"]["id"]
    second = ask(
        client, nik=make_nik(date(1950, 1, 2)), name="Pak Karto", birth_date="1950-01-02"
    ).get_json()["visit"]["id"]
    resp = plan(client, admin, [first, second])
    assert resp.status_code == 200, resp.get_json()
    visits = resp.get_json()["visits"]
    assert [v["window"]["starts_at"] for v in visits] == [
        "2026-12-09T09:00:00+07:00",
        "2026-12-09T10:00:00+07:00",
    ]
    assert {v["status"] for v in visits} == {"planned"} and visits[0]["team"] == "Tim Rumah"
    appointment = db.session.scalar(
        sa.select(Appointment).where(Appointment.code == visits[0]["code"])
    )
    assert appointment.channel == "home_visit" and appointment.site_id == offices[1].id
    message = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.event == "home_visit_planned",
            OutboxMessage.reference == visits[0]["code"],
        )
    )
    assert message.phone == "+6281234500001"
    assert message.context["start"] == "09:00" and message.context["end"] == "10:00"
    kits = db.session.scalars(sa.select(OutreachKit)).all()
    assert len(kits) == 1 and kits[0].held_on == NEXT_WEDNESDAY
    twice = plan(client, admin, [first])
    assert twice.status_code == 409


def test_the_outreach_team_and_kit_rules_hold(client, app, admin, coordinator, offices):
    session_request = make_request(coordinator.user)
    approve(session_request, admin.user, kits=2, team="Tim A")
    visit = ask(client).get_json()["visit"]["id"]
    busy_team = plan(client, admin, [visit], team="tim  a")
    assert busy_team.status_code == 409
    app.config["OUTREACH_KITS"], owned = 2, app.config["OUTREACH_KITS"]
    try:
        no_kit = plan(client, admin, [visit], team="Tim B")
        assert no_kit.status_code == 409
        assert "perangkat" in no_kit.get_json()["error"]["message"]
    finally:
        app.config["OUTREACH_KITS"] = owned
    assert db.session.get(HomeVisit, visit).status == "requested"


def test_result_recorded_puts_the_card_at_the_head_of_the_queue(
    client, admin, staff_member, offices
):
    visit = ask(client).get_json()["visit"]["id"]
    code = plan(client, admin, [visit]).get_json()["visits"][0]["code"]
    path = f"/api/v1/outreach/home-visits/{visit}/result"
    early = client.post(path, json={"outcome": "recorded"}, headers=staff_member.headers)
    assert early.status_code == 409
    clock.freeze(datetime(2026, 12, 9, 2, 30, tzinfo=UTC))  # 09:30 WIB
    resp = client.post(path, json={"outcome": "recorded"}, headers=staff_member.headers)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["visit"]["outcome"] == "recorded"
    appointment = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
    assert appointment.status == "recorded"
    card = db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )
    assert card.priority == 2
    again = client.post(path, json={"outcome": "failed"}, headers=staff_member.headers)
    assert again.status_code == 409


def test_result_failed_frees_the_nik(client, admin, staff_member, offices):
    visit = ask(client).get_json()["visit"]["id"]
    code = plan(client, admin, [visit]).get_json()["visits"][0]["code"]
    clock.freeze(datetime(2026, 12, 9, 2, 30, tzinfo=UTC))
    resp = client.post(
        f"/api/v1/outreach/home-visits/{visit}/result",
        json={"outcome": "failed", "reason": "Sidik jari tidak terbaca"},
        headers=staff_member.headers,
    )
    assert resp.status_code == 200
    appointment = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
    assert appointment.status == "recording_failed" and "Sidik jari" in appointment.outcome_reason


def test_only_admins_plan_and_staff_list(client, admin, staff_member, coordinator, offices):
    visit = ask(client).get_json()["visit"]["id"]
    assert plan(client, staff_member, [visit]).status_code == 403
    listed = client.get("/api/v1/outreach/home-visits", headers=staff_member.headers)
    assert listed.status_code == 200 and listed.get_json()["visits"][0]["id"] == visit
    assert (
        client.get("/api/v1/outreach/home-visits", headers=coordinator.headers).status_code == 403
    )


def test_the_pages(client, admin, offices):
    page = client.get("/kunjungan-rumah")
    assert page.status_code == 200 and "Perekaman KTP-el di rumah" in page.get_data(as_text=True)
    body = {**visit_body(), "kecamatan": "33.19.02", "consent": "y"}
    sent = client.post("/kunjungan-rumah", data=body)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    visit = db.session.scalar(sa.select(HomeVisit))
    client.post("/masuk", data={"email": admin.user.email, "password": "correct-horse-battery"})
    listing = client.get("/petugas/kunjungan-rumah").get_data(as_text=True)
    assert "Mbah Sarinah" in listing and "Jadwalkan" in listing
    planned = client.post(
        "/petugas/kunjungan-rumah/rencana",
        data={
            "date": "2026-12-09",
            "team": "Tim Rumah",
            "start": "09:00",
            "minutes": "45",
            "visit": str(visit.id),
        },
    )
    assert planned.status_code == 302, planned.get_data(as_text=True)
    assert db.session.get(HomeVisit, visit.id).status == "planned"
    english = client.get("/kunjungan-rumah?lang=en").get_data(as_text=True)
    assert "e-KTP recording at home" in english


def test_erasing_a_planned_visit_closes_it_and_removes_the_person(client, admin, offices):
    from scheduler.outreach.models import HomeVisit

    visit = ask(client).get_json()["visit"]["id"]
    code = plan(client, admin, [visit]).get_json()["visits"][0]["code"]
    resp = client.post(f"/api/v1/appointments/{code}/erase", json={"nik": NIK})
    assert resp.status_code == 200, resp.get_json()
    assert "home_visit" in {item["what"] for item in resp.get_json()["removed"]}
    db.session.expire_all()
    row = db.session.get(HomeVisit, visit)
    assert row.status == "declined"
    assert (row.name, row.address, row.contact_phone, row.nik_encrypted) == ("", "", "", "")
    assert ask(client).status_code == 201  # the person may ask again


def test_the_access_answer_shows_the_home_visit(client, admin, offices):
    visit = ask(client).get_json()["visit"]["id"]
    code = plan(client, admin, [visit]).get_json()["visits"][0]["code"]
    resp = client.post(f"/api/v1/appointments/{code}/my-data", json={"nik": NIK})
    assert resp.status_code == 200, resp.get_json()
    shown = resp.get_json()["home_visit"]
    assert shown["status"] == "planned" and shown["address"] == "Jl. Kenanga 3 RT 2 RW 1"
    assert shown["contact_phone_masked"] and "081234500001" not in resp.get_data(as_text=True)
    assert shown["window"]["starts_at"] == "2026-12-09T09:00:00+07:00"
    for lang, words in (("id", "Perekaman di rumah"), ("en", "Recording at home")):
        page = client.post(f"/data-saya?lang={lang}", data={"code": code, "nik": NIK}).get_data(
            as_text=True
        )
        assert words in page and "Jl. Kenanga 3" in page
