"""A full slot offers the nearest other free times of its site (nearest first, a few),
and, once the resident has typed, books one of them with what was typed in one press."""

import re
from datetime import UTC, date, datetime

import pytest

from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from tests.factories import booking_form, make_appointment, make_site, make_slot

BIRTH = date(2000, 5, 17)
TUESDAY = date(2026, 12, 8)


def _at(hour, minute=0):
    return datetime(2026, 12, 8, hour, minute, tzinfo=UTC)  # 07:00 UTC is 14:00 WIB


@pytest.fixture
def slots(ctx):
    site = make_site(hours=False)
    full = make_slot(site, starts_at=_at(3), capacity=1)  # 10:00 WIB
    make_appointment(full)
    taken = make_slot(site, starts_at=_at(3, 15), capacity=1)
    make_appointment(taken)
    closed = make_slot(site, starts_at=_at(2, 45))
    closed.closed = True
    private = make_slot(site, starts_at=_at(3, 5), is_public=False)
    free = [make_slot(site, starts_at=_at(h, m)) for h, m in ((2, 30), (3, 30), (4, 30), (6, 0))]
    make_slot(starts_at=_at(3, 1))  # another site's
    db.session.flush()
    return full, free, (taken, closed, private)


def _form(**extra):
    return booking_form(BIRTH, email="siti@example.id", **extra)


def test_a_full_slot_lists_the_nearest_free_times(client, slots):
    full, free, _ = slots
    resp = client.get(f"/pesan/{full.id}")
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    offered = [int(i) for i in re.findall(r'class="button" href="/pesan/(\d+)"', html)]
    assert offered == [free[0].id, free[1].id, free[2].id]  # 09:30, 10:30, 11:30 WIB
    assert "09:30" in html and "Jam lain yang masih kosong" in html


def test_what_was_typed_books_another_time_in_one_press(client, slots):
    full, free, _ = slots
    typed = _form()
    resp = client.post(f"/pesan/{full.id}", data=typed)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert f'value="{typed["nik"]}"' in html and 'value="siti@example.id"' in html
    actions = re.findall(r'form="booking" formaction="/pesan/(\d+)"', html)
    assert [int(a) for a in actions] == [free[0].id, free[1].id, free[2].id]
    booked = client.post(f"/pesan/{actions[0]}", data=typed)
    assert booked.status_code == 302
    appointment = db.session.query(Appointment).filter_by(email="siti@example.id").one()
    assert appointment.slot_id == free[0].id


def test_in_english_and_when_nothing_is_free(client, slots):
    full, free, _ = slots
    english = client.get(f"/pesan/{full.id}?lang=en").get_data(as_text=True)
    assert "Other free times at this site" in english
    for slot in free:
        db.session.delete(slot)
    db.session.flush()
    html = client.get(f"/pesan/{full.id}?lang=id").get_data(as_text=True)
    assert "Tidak ada jam kosong lain di lokasi ini." in html
