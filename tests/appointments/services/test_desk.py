"""The day at the desk (services/desk.py): check-in, outcomes, no-shows."""

from datetime import date, timedelta

import pytest

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.errors import AlreadyCheckedIn, InvalidState, WrongSiteOrDay
from scheduler.extensions import db
from scheduler.sites.models import Slot
from tests.factories import make_appointment as book
from tests.factories import make_site, make_slot
from tests.staff.conftest import today_at


def test_no_shows_are_marked_after_close_only_and_twice_is_safe(ctx):
    site = make_site("Kantor Disdukcapil Uji")
    slot = make_slot(site, starts_at=today_at(8, 30), capacity=4)
    waiting = book(slot)
    came = book(slot, birth_date=date(1991, 2, 3))
    outreach_site = make_site("SMA Uji", kind="school", hours=False)
    evening = book(make_slot(outreach_site, starts_at=today_at(16), minutes=60))
    db.session.commit()
    appointments.check_in(came)
    clock.freeze(today_at(15, 29))
    assert appointments.mark_no_shows_after_close() == []
    clock.freeze(today_at(15, 30))
    assert [a.code for a in appointments.mark_no_shows_after_close()] == [waiting.code]
    assert appointments.mark_no_shows_after_close() == []
    assert db.session.get(Appointment, waiting.id).status == "no_show"
    assert db.session.get(Appointment, came.id).status == "checked_in"
    assert db.session.get(Slot, slot.id).booked_count == 1
    # A school session after office hours waits for its own end.
    assert db.session.get(Appointment, evening.id).status == "booked"
    clock.freeze(today_at(17))
    assert [a.code for a in appointments.mark_no_shows_after_close()] == [evening.code]


def test_outreach_bookings_wait_for_the_tally_before_they_lapse(ctx):
    school = make_site("SMA Tally", kind="school", hours=False)
    session_slot = make_slot(
        school, starts_at=today_at(9), minutes=60, session_kind="outreach", is_public=False
    )
    pupil = book(session_slot)
    db.session.commit()
    clock.freeze(today_at(12) + timedelta(days=6))
    assert appointments.mark_no_shows_after_close() == []  # the paper tally may still come
    clock.freeze(today_at(10) + timedelta(days=7))
    assert [a.code for a in appointments.mark_no_shows_after_close()] == [pupil.code]
    assert db.session.get(Slot, session_slot.id).booked_count == 0


def test_check_in_opens_before_the_slot_and_happens_once(ctx):
    slot = make_slot(make_site("Kantor Cek"), starts_at=today_at(9, 30), capacity=2)
    appointment = book(slot)
    db.session.commit()  # a refusal rolls the service's transaction back
    with pytest.raises(WrongSiteOrDay):
        appointments.check_in(appointment)  # 08:00: check-in opens an hour before
    clock.freeze(today_at(8, 30))
    with pytest.raises(WrongSiteOrDay):
        appointments.check_in(appointment, site_ids={slot.site_id + 1})
    appointments.check_in(appointment, site_ids={slot.site_id})
    assert appointment.status == "checked_in"
    with pytest.raises(AlreadyCheckedIn):
        appointments.check_in(appointment)


def test_an_outcome_needs_a_check_in_first(ctx):
    appointment = book(make_slot(make_site("Kantor Hasil"), starts_at=today_at(8, 30)))
    db.session.commit()
    with pytest.raises(InvalidState):
        appointments.mark_recorded(appointment)
    clock.freeze(today_at(8, 30))
    appointments.check_in(appointment)
    appointments.mark_recorded(appointment)
    assert db.session.get(Appointment, appointment.id).status == "recorded"
