"""A resident's erasure: what is open is cancelled, the person's data is gone, counts and
the law's record stay, and the answer says which is which."""

from datetime import date

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.cards import services as cards
from scheduler.cards import stock
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.sites.models import Slot
from scheduler.staff.models import AuditEntry
from tests.factories import booking_body, make_nik


def erase(client, code, nik):
    return client.post(f"/api/v1/appointments/{code}/erase", json={"nik": nik})


def _row(code):
    return db.session.scalar(sa.select(Appointment).where(Appointment.code == code))


def test_erasing_a_booking_cancels_it_frees_the_seat_and_removes_the_person(client, booked, slot):
    body, a = booked
    resp = erase(client, a["code"], body["nik"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    answer = resp.get_json()
    removed = {item["what"] for item in answer["removed"]}
    assert removed >= {"seat", "name", "phone", "email", "nik", "birth_date", "messages"}
    assert {item["what"] for item in answer["kept"]} == {"booking_counts", "audit"}
    assert answer["complete"] is True
    assert all(item["why"] for item in answer["kept"])
    db.session.expire_all()
    row = _row(a["code"])
    assert row.status == "cancelled" and row.erased_how == "resident"
    assert (row.name, row.phone, row.email, row.nik_encrypted, row.nik_masked, row.nik_hash) == (
        "",
        "",
        None,
        "",
        "",
        "",
    )
    assert row.birth_date == date(2000, 1, 1)
    assert db.session.get(Slot, slot.id).booked_count == 0
    # The booking confirmation went nowhere yet: nobody is left to send it to.
    assert db.session.scalars(sa.select(OutboxMessage)).all() == []
    line = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "resident_erasure"))
    assert line.appointment_code == a["code"] and "Budi" not in line.detail
    # Afterwards the code answers like any unknown one, and the NIK books again.
    assert erase(client, a["code"], body["nik"]).status_code == 404
    lookup = client.post(f"/api/v1/appointments/{a['code']}/lookup", json={"nik": body["nik"]})
    assert lookup.status_code == 404
    again = client.post("/api/v1/appointments", json=body)
    assert again.status_code == 201


def test_sent_messages_keep_their_event_and_lose_their_address(client, booked):
    body, a = booked
    db.session.execute(sa.update(OutboxMessage).values(status="sent", sent_at=clock.now()))
    db.session.commit()
    assert erase(client, a["code"], body["nik"]).status_code == 200
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert len(rows) == 2
    for row in rows:
        assert row.event == "booking_confirmed" and row.status == "sent"
        assert (row.phone, row.email, row.recipient_name, row.nik_masked) == (None, None, "", None)
        assert row.context == {}


def test_a_wrong_nik_erases_nothing_and_answers_not_found(client, booked):
    body, a = booked
    resp = erase(client, a["code"], make_nik(date(2000, 5, 17), serial=4321))
    assert resp.status_code == 404
    db.session.expire_all()
    assert _row(a["code"]).name == "Budi Santoso"


def test_a_checked_in_resident_is_sent_to_the_desk(client, booked):
    body, a = booked
    db.session.execute(sa.update(Appointment).values(status="checked_in"))
    db.session.commit()
    resp = erase(client, a["code"], body["nik"])
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "invalid_state"
    db.session.expire_all()
    assert _row(a["code"]).name == "Budi Santoso"


def _recorded(client, slot, quantity=0):
    body = booking_body(slot, email="siti@contoh.co.id")
    code = client.post("/api/v1/appointments", json=body).get_json()["appointment"]["code"]
    row = _row(code)
    row.status, row.recorded_at = "recorded", clock.now()
    db.session.flush()
    if quantity:
        stock.receive_delivery(quantity, cards.today(), reference="SP-UJI")
    cards.on_recorded(row)
    db.session.commit()
    return body, code


def test_a_recording_is_kept_by_law_and_its_unprinted_card_withdrawn(client, site, slot):
    stock.save_print_site(site.id, printers=1, operators=1, cards_per_printer=2)
    body, code = _recorded(client, slot, quantity=5)
    card = db.session.scalar(sa.select(CardRequest).where(CardRequest.code == code))
    assert card.status in ("scheduled", "awaiting_stock")
    resp = erase(client, code, body["nik"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    answer = resp.get_json()
    assert answer["complete"] is False
    assert {i["what"] for i in answer["removed"]} == {"card_request", "phone", "email", "messages"}
    recording = next(i for i in answer["kept"] if i["what"] == "recording")
    assert site.name in recording["why"] and "UU" in recording["why"]
    assert answer["office"]["name"] == site.name
    db.session.expire_all()
    assert db.session.get(CardRequest, card.id).status == "cancelled"
    row = _row(code)
    # The recording record: name, NIK and its hash stay, so the NIK cannot book again.
    assert row.name == "Budi Santoso" and row.nik_encrypted and row.nik_hash
    assert (row.phone, row.email) == ("", None)
    again = client.post("/api/v1/appointments", json={**body, "slot_id": slot.id})
    assert again.get_json()["error"]["code"] == "already_recorded"


def test_a_printed_card_is_not_erased_silently(client, slot):
    body, code = _recorded(client, slot)
    db.session.execute(
        sa.update(CardRequest).values(
            status="printed",
            printed_at=clock.now(),
            print_on=cards.today(),
            pickup_from=cards.today(),
        )
    )
    db.session.commit()
    resp = erase(client, code, body["nik"])
    answer = resp.get_json()
    assert resp.status_code == 200 and answer["removed"] == [] and answer["complete"] is False
    assert {i["what"] for i in answer["kept"]} == {"printed_card", "recording", "audit"}
    db.session.expire_all()
    assert _row(code).phone.endswith("890")
