"""Re-recording: the centre rejects a recording; the card is withdrawn, the NIK may book
again (the database allows exactly this way out of `recorded`), the resident is invited."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.cards import services as cards
from scheduler.cards import stock
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.staff import desk
from scheduler.staff.models import AuditEntry
from tests.factories import booking_body, make_nik, make_slot
from tests.staff.conftest import bearer, book, login

BIRTH = date(1990, 3, 14)


@pytest.fixture
def nik():
    return make_nik(BIRTH)


@pytest.fixture
def recorded(slot, clerk, nik):
    appointment = book(slot, birth_date=BIRTH, nik=nik)
    appointments.check_in(appointment)
    desk.mark_recorded(clerk, appointment.code)
    return appointment


def reject(client, user, code, body=None):
    return client.post(
        f"/api/v1/appointments/{code}/recording-rejected",
        json=body if body is not None else {"reason": "duplicate_biometrics", "note": "Surat 12"},
        headers=bearer(user),
    )


def card_of(appointment):
    return db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )


def test_rejection_withdraws_the_card_invites_and_frees_the_nik(client, clerk, site, recorded, nik):
    assert card_of(recorded).status == "awaiting_stock"
    future = make_slot(site, days_ahead=2)
    refused = client.post(
        "/api/v1/appointments", json=booking_body(future, birth_date=BIRTH, nik=nik)
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "already_recorded"

    resp = reject(client, clerk, recorded.code)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["appointment"]["status"] == "recording_rejected"
    assert nik not in resp.get_data(as_text=True)
    row = db.session.get(Appointment, recorded.id)
    assert row.rejection_kind == "duplicate_biometrics" and row.outcome_reason == "Surat 12"
    assert card_of(recorded).status == "cancelled"
    message = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.reference == recorded.code, OutboxMessage.event == "recording_rejected"
        )
    )
    assert message is not None and message.context["kind"] == "duplicate_biometrics"
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "recording_rejected")
    )
    assert entry.user_id == clerk.id and entry.appointment_code == recorded.code

    again = client.post(
        "/api/v1/appointments", json=booking_body(future, birth_date=BIRTH, nik=nik)
    )
    assert again.status_code == 201, again.get_json()


def test_a_second_rejection_or_one_before_recording_is_invalid_state(client, clerk, slot, recorded):
    assert reject(client, clerk, recorded.code).status_code == 200
    second = reject(client, clerk, recorded.code)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "invalid_state"
    booked = book(slot)
    resp = reject(client, clerk, booked.code)
    assert resp.status_code == 409
    assert db.session.get(Appointment, booked.id).status == "booked"


def test_a_printed_card_cannot_be_withdrawn(client, clerk, site, recorded):
    stock.save_print_site(site.id, printers=1, operators=1, cards_per_printer=5)
    stock.receive_delivery(3, cards.today(), reference="SP-1")
    cards.mark_printed(recorded.code)
    resp = reject(client, clerk, recorded.code)
    assert resp.status_code == 409
    assert db.session.get(Appointment, recorded.id).status == "recorded"
    assert card_of(recorded).status == "printed"


def test_unknown_reason_and_other_sites_staff(client, clerk, other_clerk, recorded):
    bad = reject(client, clerk, recorded.code, {"reason": "bosan"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["error"]["fields"]
    assert reject(client, other_clerk, recorded.code).status_code == 404
    assert db.session.get(Appointment, recorded.id).status == "recorded"


def _raw_status(appointment_id, status):
    with db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE appointments SET status = :s WHERE id = :id"),
            {"s": status, "id": appointment_id},
        )


@pytest.mark.parametrize("status", ["cancelled", "no_show", "recording_failed", "booked"])
def test_the_database_keeps_a_recording_recorded(recorded, status):
    """Raw SQL cannot free a recorded NIK by any other status."""
    with pytest.raises(IntegrityError):
        _raw_status(recorded.id, status)


def test_the_database_refuses_a_rejection_without_its_reason(recorded):
    with pytest.raises(IntegrityError):
        _raw_status(recorded.id, "recording_rejected")


def test_the_database_frees_the_nik_only_after_the_rejection(clerk, site, recorded, nik):
    future = make_slot(site, days_ahead=2)
    applicant = appointments.Applicant(
        nik=nik, name="Budi", birth_date=BIRTH, phone="+6281234567890"
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text(
                "INSERT INTO appointments (code, slot_id, site_id, status, channel, nik_hash,"
                " nik_encrypted, nik_masked, name, birth_date, female, married, phone, locale,"
                " consent_at, booked_at, status_changed_at) SELECT 'RAWRAW34', :slot, site_id,"
                " 'booked', channel, nik_hash, nik_encrypted, nik_masked, name, birth_date,"
                " female, married, phone, locale, consent_at, booked_at, status_changed_at"
                " FROM appointments WHERE id = :id"
            ),
            {"slot": future.id, "id": recorded.id},
        )
    desk.mark_recording_rejected(clerk, recorded.code, "bad_capture")
    rebooked = appointments.book_into_slot(future, applicant)
    assert rebooked.status == "booked"


def test_desk_page_records_the_rejection(client, clerk, recorded):
    login(client, clerk)
    page = client.get("/petugas/tolak-rekam")
    assert page.status_code == 200
    resp = client.post(
        "/petugas/tolak-rekam",
        data={"code": recorded.code.lower(), "reason": "bad_capture", "note": ""},
    )
    assert resp.status_code == 302
    assert db.session.get(Appointment, recorded.id).status == "recording_rejected"
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "rekam ulang" in shown


def test_desk_page_refusal_is_shown_next_to_the_form(client, clerk, slot):
    login(client, clerk)
    booked = book(slot)
    resp = client.post("/petugas/tolak-rekam", data={"code": booked.code, "reason": "bad_capture"})
    assert resp.status_code == 409
    assert "Hanya perekaman yang sudah terekam" in resp.get_data(as_text=True)


def test_desk_page_in_english(client, clerk):
    login(client, clerk)
    text = client.get("/petugas/tolak-rekam?lang=en").get_data(as_text=True)
    assert "Duplicate biometrics" in text
