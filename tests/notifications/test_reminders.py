from datetime import UTC, datetime, timedelta

from scheduler import clock
from scheduler.appointments import jobs
from scheduler.appointments import services as appointments
from scheduler.extensions import db
from tests.factories import booking_body, make_site, make_slot
from tests.notifications.conftest import outbox_rows


def book(client, slot, **extra):
    resp = client.post("/api/v1/appointments", json=booking_body(slot, **extra))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["appointment"]["code"]


def reminders():
    return [r for r in outbox_rows() if r.event == "appointment_reminder"]


def test_tomorrows_bookings_are_reminded_once(client):
    tomorrow = make_slot(capacity=4)
    later = make_slot(capacity=4, days_ahead=2)
    code = book(client, tomorrow)
    book(client, later, phone="081234567891")
    assert jobs.send_reminders() == 1
    assert jobs.send_reminders() == 0  # run twice: nothing twice
    (reminder,) = reminders()
    assert reminder.reference == code
    assert reminder.context["code"] == code
    assert reminder.context["starts_at"] == "2026-12-08T10:00:00+07:00"


def test_cancelled_bookings_are_not_reminded(client):
    slot = make_slot(capacity=4)
    body = booking_body(slot)
    code = client.post("/api/v1/appointments", json=body).get_json()["appointment"]["code"]
    appointments.cancel_appointment(code, body["nik"])
    assert jobs.send_reminders() == 0 and reminders() == []


def test_not_before_the_reminder_hour_in_the_sites_zone(client):
    clock.freeze(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))  # Mon 06:30 WIB, 08:30 WIT
    jayapura = make_site(timezone="Asia/Jayapura", hours=False)
    east = make_slot(jayapura, starts_at=datetime(2026, 12, 8, 1, 0, tzinfo=UTC))  # 10:00 WIT
    west = make_slot(starts_at=datetime(2026, 12, 8, 3, 0, tzinfo=UTC))  # 10:00 WIB
    east_code = book(client, east)
    book(client, west, phone="081234567891")
    assert jobs.send_reminders() == 1
    assert [r.reference for r in reminders()] == [east_code]
    clock.freeze(clock.now() + timedelta(hours=2))  # 08:30 WIB
    assert jobs.send_reminders() == 1
    assert len(reminders()) == 2


def test_a_booking_moved_to_another_day_is_reminded_again(client):
    first = make_slot(capacity=4)
    body = booking_body(first)
    code = client.post("/api/v1/appointments", json=body).get_json()["appointment"]["code"]
    assert jobs.send_reminders() == 1
    moved = make_slot(capacity=4, days_ahead=2)
    db.session.commit()
    appointments.reschedule_appointment(code, body["nik"], moved.id)
    clock.freeze(clock.now() + timedelta(days=1))
    assert jobs.send_reminders() == 1
    assert [r.context["starts_at"][:10] for r in reminders()] == ["2026-12-08", "2026-12-09"]


def test_the_reminder_has_a_phone_and_an_email_delivery(client):
    book(client, make_slot(), email="budi@example.com")
    jobs.send_reminders()
    assert {r.route for r in reminders()} == {"phone", "email"}
