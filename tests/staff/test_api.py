"""The staff API of docs/api.md: check-in, outcomes, office cancel, walk-ins."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.sites.models import Slot
from scheduler.staff.models import AuditEntry
from tests.factories import make_nik, make_slot
from tests.staff.conftest import bearer, book, today_at


def post(client, path, user, body=None):
    return client.post(path, json=body if body is not None else {}, headers=bearer(user))


def error_code(resp):
    return resp.get_json()["error"]["code"]


def qr_of(appointment):
    return appointments.checkin_token(appointment)


# ------------------------------------------------------------------------------ check-in


def test_checkin_by_qr(client, clerk, appointment):
    resp = post(client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment)})
    assert resp.status_code == 200
    body = resp.get_json()["appointment"]
    assert body["status"] == "checked_in" and body["code"] == appointment.code
    assert db.session.get(Appointment, appointment.id).checked_in_at == clock.now()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "check_in"))
    assert entry.user_id == clerk.id and entry.appointment_code == appointment.code


def test_checkin_by_typed_code_in_lower_case(client, clerk, appointment):
    resp = post(client, "/api/v1/checkins", clerk, {"code": appointment.code.lower()})
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["status"] == "checked_in"


def test_unknown_typed_code_is_not_found(client, clerk, appointment):
    resp = post(client, "/api/v1/checkins", clerk, {"code": "XXXXXXXX"})
    assert resp.status_code == 404


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: "not-a-token",
        lambda t: t.split(".")[0],  # the bare code, unsigned
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # altered signature
        lambda t: ("Q" if t[0] != "Q" else "R") + t[1:],  # altered code, old signature
    ],
)
def test_forged_or_altered_qr_is_invalid(client, clerk, appointment, mangle):
    resp = post(client, "/api/v1/checkins", clerk, {"qr": mangle(qr_of(appointment))})
    assert resp.status_code == 422 and error_code(resp) == "invalid_qr"
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_cancelled_booking_qr_is_invalid(client, clerk, appointment):
    appointments.cancel_by_office(appointment, "test")
    resp = post(client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment)})
    assert resp.status_code == 422 and error_code(resp) == "invalid_qr"


def test_second_scan_is_already_checked_in(client, clerk, appointment):
    assert post(client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment)}).status_code == 200
    resp = post(client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment)})
    assert resp.status_code == 409 and error_code(resp) == "already_checked_in"


def test_another_sites_appointment_is_wrong_site(client, other_clerk, appointment):
    resp = post(client, "/api/v1/checkins", other_clerk, {"qr": qr_of(appointment)})
    assert resp.status_code == 409 and error_code(resp) == "wrong_site_or_day"
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_desk_site_must_match(client, admin, appointment, other_site):
    resp = post(
        client, "/api/v1/checkins", admin, {"qr": qr_of(appointment), "site_id": other_site.id}
    )
    assert resp.status_code == 409 and error_code(resp) == "wrong_site_or_day"
    # An admin without a desk site checks in anywhere.
    assert post(client, "/api/v1/checkins", admin, {"qr": qr_of(appointment)}).status_code == 200


def test_staff_cannot_claim_another_desk_site(client, clerk, appointment, other_site):
    resp = post(
        client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment), "site_id": other_site.id}
    )
    assert resp.status_code == 403


def test_another_days_appointment_is_wrong_day(client, clerk, site):
    tomorrow = book(make_slot(site, starts_at=today_at(8, 30) + timedelta(days=1)))
    resp = post(client, "/api/v1/checkins", clerk, {"qr": qr_of(tomorrow)})
    assert resp.status_code == 409 and error_code(resp) == "wrong_site_or_day"


def test_checkin_window_opens_early_minutes_before(app, client, clerk, site):
    later = book(make_slot(site, starts_at=today_at(10)))  # opens 09:00 with 60 minutes
    resp = post(client, "/api/v1/checkins", clerk, {"qr": qr_of(later)})
    assert resp.status_code == 409 and error_code(resp) == "wrong_site_or_day"
    clock.freeze(today_at(9))
    assert post(client, "/api/v1/checkins", clerk, {"qr": qr_of(later)}).status_code == 200


def test_checkin_early_minutes_is_configurable(app, client, clerk, site, monkeypatch):
    later = book(make_slot(site, starts_at=today_at(10)))
    monkeypatch.setitem(app.config, "CHECKIN_EARLY_MINUTES", 150)
    assert post(client, "/api/v1/checkins", clerk, {"qr": qr_of(later)}).status_code == 200


def test_checkin_allowed_until_site_closes(client, clerk, appointment):
    clock.freeze(today_at(15, 29))  # the office closes at 15:30 on Mondays
    assert post(client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment)}).status_code == 200


def test_no_checkin_after_close(client, clerk, appointment):
    clock.freeze(today_at(15, 30))
    resp = post(client, "/api/v1/checkins", clerk, {"qr": qr_of(appointment)})
    assert resp.status_code == 409 and error_code(resp) == "wrong_site_or_day"


def test_checkin_needs_qr_or_code(client, clerk, appointment):
    resp = post(client, "/api/v1/checkins", clerk, {"site_id": 1})
    assert resp.status_code == 422 and error_code(resp) == "validation_error"
    resp = client.post("/api/v1/checkins", data="{", headers=bearer(clerk))
    assert resp.status_code == 422


# ------------------------------------------------------------------------------ outcomes


def checked_in(client, user, appointment):
    assert post(client, "/api/v1/checkins", user, {"qr": qr_of(appointment)}).status_code == 200
    return appointment


def test_recorded(client, clerk, appointment):
    checked_in(client, clerk, appointment)
    resp = post(client, f"/api/v1/appointments/{appointment.code}/recorded", clerk)
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["status"] == "recorded"
    # the card joined the print queue in the same transaction (no blanks in stock here)
    card = resp.get_json()["appointment"]["card"]
    assert card["status"] == "awaiting_stock" and card["queue_position"] == 1
    row = db.session.get(Appointment, appointment.id)
    assert row.recorded_at == clock.now()
    again = post(client, f"/api/v1/appointments/{appointment.code}/recorded", clerk)
    assert again.status_code == 409 and error_code(again) == "invalid_state"


def test_recording_needs_checkin(client, clerk, appointment):
    resp = post(client, f"/api/v1/appointments/{appointment.code}/recorded", clerk)
    assert resp.status_code == 409 and error_code(resp) == "invalid_state"


def test_recording_a_cancelled_booking_is_invalid_state(client, clerk, appointment):
    appointments.cancel_by_office(appointment, "closure")
    resp = post(client, f"/api/v1/appointments/{appointment.code}/recorded", clerk)
    assert resp.status_code == 409 and error_code(resp) == "invalid_state"


def test_recording_failed_frees_the_nik(client, clerk, site, slot):
    nik = make_nik(date(1990, 1, 2))
    appointment = book(slot, birth_date=date(1990, 1, 2), nik=nik)
    checked_in(client, clerk, appointment)
    resp = post(
        client,
        f"/api/v1/appointments/{appointment.code}/recording-failed",
        clerk,
        {"reason": "Sidik jari aus"},
    )
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["status"] == "recording_failed"
    assert db.session.get(Appointment, appointment.id).outcome_reason == "Sidik jari aus"
    again = book(make_slot(site, days_ahead=3), birth_date=date(1990, 1, 2), nik=nik)
    assert again.status == "booked"


def test_recording_failed_needs_a_reason(client, clerk, appointment):
    checked_in(client, clerk, appointment)
    resp = post(client, f"/api/v1/appointments/{appointment.code}/recording-failed", clerk)
    assert resp.status_code == 422 and "reason" in resp.get_json()["error"]["fields"]


def test_no_show_after_the_slot_began(client, clerk, site, slot):
    appointment = book(slot)
    resp = post(client, f"/api/v1/appointments/{appointment.code}/no-show", clerk)
    assert resp.status_code == 409 and error_code(resp) == "invalid_state"  # 08:00 < 08:30
    clock.freeze(today_at(9))
    resp = post(client, f"/api/v1/appointments/{appointment.code}/no-show", clerk)
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["status"] == "no_show"
    assert db.session.get(Slot, slot.id).booked_count == 0


def test_office_cancel_frees_the_seat_and_tells_the_resident(client, clerk, slot, appointment):
    resp = post(
        client,
        f"/api/v1/appointments/{appointment.code}/office-cancel",
        clerk,
        {"reason": "Listrik padam"},
    )
    assert resp.status_code == 200
    assert resp.get_json()["appointment"]["status"] == "cancelled"
    assert db.session.get(Slot, slot.id).booked_count == 0
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.reference == appointment.code)
    )
    assert message.event == "appointment_cancelled_by_office"
    assert message.context["reason"] == "Listrik padam"


@pytest.mark.parametrize("action", ["recorded", "recording-failed", "no-show", "office-cancel"])
def test_another_sites_appointment_is_not_found(client, other_clerk, appointment, action):
    resp = post(
        client, f"/api/v1/appointments/{appointment.code}/{action}", other_clerk, {"reason": "x"}
    )
    assert resp.status_code == 404 and error_code(resp) == "not_found"
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_admin_acts_on_every_site(client, admin, appointment):
    resp = post(
        client, f"/api/v1/appointments/{appointment.code}/office-cancel", admin, {"reason": "x"}
    )
    assert resp.status_code == 200


def test_roles_and_tokens(client, coordinator, clerk, appointment):
    path = f"/api/v1/appointments/{appointment.code}/recorded"
    assert client.post(path, json={}).status_code == 401
    assert client.post(path, json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
    resp = post(client, path, coordinator)
    assert resp.status_code == 403 and error_code(resp) == "forbidden"


# ------------------------------------------------------------------------------ walk-ins


def walk_in_body(site, birth_date=date(1985, 8, 9), **extra):
    body = {
        "site_id": site.id,
        "nik": make_nik(birth_date),
        "name": "Siti Aminah",
        "birth_date": birth_date.isoformat(),
        "phone": "0812-3456-7890",
    }
    body.update(extra)
    return body


def test_walk_in_takes_the_current_slot_checked_in(client, clerk, site):
    clock.freeze(today_at(8, 40))
    current = make_slot(site, starts_at=today_at(8, 30), capacity=1)
    resp = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site))
    assert resp.status_code == 201
    body = resp.get_json()["appointment"]
    assert body["status"] == "checked_in" and body["slot"]["id"] == current.id
    row = db.session.scalar(sa.select(Appointment).where(Appointment.code == body["code"]))
    assert row.channel == "walk_in" and row.checked_in_at == clock.now()
    full = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site, date(1986, 1, 1)))
    assert full.status_code == 409 and error_code(full) == "slot_full"


def test_walk_in_name_is_kept_with_single_spaces(client, clerk, site):
    clock.freeze(today_at(8, 40))
    make_slot(site, starts_at=today_at(8, 30), capacity=1)
    resp = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site, name="Siti  Aminah"))
    assert resp.status_code == 201
    assert resp.get_json()["appointment"]["name"] == "Siti Aminah"


def test_walk_in_without_a_current_slot(client, clerk, site, slot):
    # 08:00: the only slot starts at 08:30.
    resp = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site))
    assert resp.status_code == 409 and error_code(resp) == "no_current_slot"


def test_walk_in_same_nik_rules(client, clerk, site, slot):
    clock.freeze(today_at(8, 40))
    body = walk_in_body(site)
    assert post(client, "/api/v1/walk-ins", clerk, body).status_code == 201
    again = post(client, "/api/v1/walk-ins", clerk, body)
    assert again.status_code == 409 and error_code(again) == "duplicate_booking"
    young = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site, date(2012, 1, 1)))
    assert young.status_code == 422 and "birth_date" in young.get_json()["error"]["fields"]


def test_walk_in_birth_date_mismatch_needs_a_reason(client, clerk, site, slot):
    clock.freeze(today_at(8, 40))
    body = walk_in_body(site, date(1985, 8, 9))
    body["birth_date"] = "1985-08-10"
    refused = post(client, "/api/v1/walk-ins", clerk, body)
    assert refused.status_code == 422 and "birth_date" in refused.get_json()["error"]["fields"]
    body["birth_date_override_reason"] = "Akta kelahiran menunjukkan 10-08-1985"
    resp = post(client, "/api/v1/walk-ins", clerk, body)
    assert resp.status_code == 201
    code = resp.get_json()["appointment"]["code"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.appointment_code == code))
    assert entry.action == "walk_in" and "Akta kelahiran" in entry.detail
    row = db.session.scalar(sa.select(Appointment).where(Appointment.code == code))
    assert row.birth_date_override_reason.startswith("Akta")


def test_walk_in_at_another_site_or_unknown_site(client, clerk, other_site, site):
    resp = post(client, "/api/v1/walk-ins", clerk, walk_in_body(other_site))
    assert resp.status_code == 403
    resp = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site, site_id=999999))
    assert resp.status_code == 422 and "site_id" in resp.get_json()["error"]["fields"]


def test_full_nik_never_in_the_response(client, clerk, site, slot):
    clock.freeze(today_at(8, 40))
    body = walk_in_body(site)
    resp = post(client, "/api/v1/walk-ins", clerk, body)
    assert body["nik"] not in resp.get_data(as_text=True)


def test_walk_in_refuses_a_name_with_hidden_characters(client, clerk, site):
    clock.freeze(today_at(8, 40))
    make_slot(site, starts_at=today_at(8, 30), capacity=1)
    resp = post(client, "/api/v1/walk-ins", clerk, walk_in_body(site, name="Siti\u200dAminah"))
    assert resp.status_code == 422
    assert "tersembunyi" in resp.get_json()["error"]["fields"]["name"]
    # The desk's own form: the same rule, through the walk-in service.
    from scheduler.errors import ValidationError

    with pytest.raises(ValidationError):
        appointments.register_walk_in(
            site.id,
            appointments.Applicant(
                nik=make_nik(date(1985, 8, 9)),
                name="Siti\u202eAminah",
                birth_date=date(1985, 8, 9),
                phone="+6281234567890",
            ),
        )
