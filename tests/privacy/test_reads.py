"""Every staff view of a person's record is audited: one entry per page view naming the
bookings shown, listed in the resident's access answer and in the admin's audit log."""

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.extensions import db
from scheduler.staff.models import AuditEntry, audit_entry_appointments
from tests.factories import make_appointment, make_user
from tests.privacy.conftest import login


def _shown(action):
    return db.session.execute(
        sa.select(AuditEntry.user_email, audit_entry_appointments.c.appointment_id)
        .join(audit_entry_appointments)
        .where(AuditEntry.action == action)
    ).all()


def test_the_roster_page_writes_one_entry_naming_everyone_on_it(client, clerk, site, today_slot):
    people = [make_appointment(today_slot, name=f"Warga {i}") for i in range(3)]
    login(client, clerk)
    assert client.get(f"/petugas/daftar?site_id={site.id}").status_code == 200
    # Refreshing within the quarter hour adds no entry.
    client.get(f"/petugas/daftar/bagian?site_id={site.id}")
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "view_roster"))
    assert len(entries.all()) == 1
    assert sorted(i for _e, i in _shown("view_roster")) == sorted(p.id for p in people)


def test_the_card_queue_and_print_list_are_audited(client, clerk, site, today_slot):
    person = make_appointment(today_slot)
    person.status, person.recorded_at = "recorded", clock.now()
    db.session.flush()
    cards.on_recorded(person)
    login(client, clerk)
    assert client.get("/petugas/antrean-kartu").status_code == 200
    assert _shown("view_card_queue") == [("clerk@example.test", person.id)]


def test_the_outbox_page_is_audited_by_booking(client, booked):
    body, a = booked
    admin = make_user("admin", email="boss@example.test")
    login(client, admin)
    assert client.get("/petugas/pesan-keluar").status_code == 200
    code_id = appointments.get_by_code(a["code"]).id
    assert _shown("view_outbox") == [("boss@example.test", code_id)]


def test_an_admin_finds_who_read_a_booking_by_its_code(client, clerk, site, today_slot):
    person = make_appointment(today_slot)
    login(client, clerk)
    client.get(f"/petugas/daftar?site_id={site.id}")
    client.post("/keluar")
    admin = make_user("admin", email="boss@example.test")
    login(client, admin)
    html = client.get(f"/petugas/audit?code={person.code}").get_data(as_text=True)
    assert "clerk@example.test" in html and "view_roster" in html
    assert "1 orang ditampilkan" in html and person.code in html


def test_a_page_showing_nobody_writes_nothing(client, clerk):
    login(client, clerk)
    assert client.get("/petugas/antrean-kartu").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
