"""Priority at the desk: the booking asks (optionally) whether help is needed; the desk
sees it and serves those residents first."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler.appointments import services
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from tests.factories import booking_body, make_nik, make_slot
from tests.staff.conftest import bearer, login, today_at


def test_api_booking_keeps_the_help_asked_for(client, site):
    slot = make_slot(site, days_ahead=2)
    resp = client.post("/api/v1/appointments", json=booking_body(slot, assistance="pregnant"))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()["appointment"]
    assert body["assistance"] == "pregnant"
    row = db.session.scalar(sa.select(Appointment).where(Appointment.code == body["code"]))
    assert row.assistance == "pregnant"


def test_api_booking_without_it_is_null_and_a_bad_value_is_refused(client, site):
    slot = make_slot(site, days_ahead=2)
    plain = client.post("/api/v1/appointments", json=booking_body(slot))
    assert plain.status_code == 201 and plain.get_json()["appointment"]["assistance"] is None
    bad = client.post(
        "/api/v1/appointments",
        json=booking_body(slot, birth_date=date(1970, 1, 1), assistance="vip"),
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"]["assistance"] == "Not a valid choice."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_the_booking_page_asks_and_keeps_it(client, site):
    future = make_slot(site, days_ahead=2)
    page = client.get(f"/pesan/{future.id}").get_data(as_text=True)
    assert 'name="assistance"' in page and "Lanjut usia" in page
    birth = date(1950, 2, 3)
    resp = client.post(
        f"/pesan/{future.id}",
        data={
            "nik": make_nik(birth),
            "name": "Mbah Sarinah",
            "birth_date": birth.isoformat(),
            "phone": "081234567890",
            "assistance": "elderly",
            "consent": "y",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db.session.scalar(sa.select(Appointment).where(Appointment.name == "Mbah Sarinah"))
    assert row.assistance == "elderly"


def test_the_database_refuses_an_unknown_kind(slot):
    appointment = services.book_into_slot(
        slot,
        services.Applicant(
            nik=make_nik(date(1980, 1, 1)),
            name="A",
            birth_date=date(1980, 1, 1),
            phone="+6281234567890",
        ),
    )
    try:
        with db.session.begin_nested():
            db.session.execute(
                sa.text("UPDATE appointments SET assistance = 'vip' WHERE id = :id"),
                {"id": appointment.id},
            )
    except IntegrityError:
        return
    raise AssertionError("the CHECK let an unknown kind in")


def test_the_roster_shows_priority_first_within_the_slot(client, clerk, slot):
    services.book_into_slot(
        slot,
        services.Applicant(
            nik=make_nik(date(1990, 1, 1)),
            name="Aan",
            birth_date=date(1990, 1, 1),
            phone="+6281234567890",
        ),
    )
    services.book_into_slot(
        slot,
        services.Applicant(
            nik=make_nik(date(1940, 1, 1)),
            name="Zainab",
            birth_date=date(1940, 1, 1),
            phone="+6281234567891",
            assistance="disabled",
        ),
    )
    login(client, clerk)
    page = client.get(f"/petugas/daftar?site_id={slot.site_id}").get_data(as_text=True)
    assert "Prioritas: Penyandang disabilitas" in page
    assert page.index("Zainab") < page.index("Aan")


def test_checkin_tells_the_desk_to_serve_first(client, clerk, slot):
    appointment = services.book_into_slot(
        slot,
        services.Applicant(
            nik=make_nik(date(1945, 1, 1)),
            name="Pak Darmo",
            birth_date=date(1945, 1, 1),
            phone="+6281234567890",
            assistance="elderly",
        ),
    )
    login(client, clerk)
    resp = client.post("/petugas/check-in/pindai?lang=en", json={"code": appointment.code})
    assert resp.status_code == 200
    assert "Priority (Elderly): serve first." in resp.get_json()["message"]
    make_slot(appointment.site, starts_at=today_at(7, 45), minutes=30)  # running now
    walk = client.post(
        "/api/v1/walk-ins",
        json={
            "site_id": slot.site_id,
            "nik": make_nik(date(1950, 6, 6)),
            "name": "Bu Tini",
            "birth_date": "1950-06-06",
            "phone": "081234567899",
            "assistance": "ill",
        },
        headers=bearer(clerk),
    )
    assert walk.status_code == 201 and walk.get_json()["appointment"]["assistance"] == "ill"
