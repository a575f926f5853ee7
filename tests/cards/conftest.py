"""Fixtures for cards: a printing office, recorded residents, stock."""

import itertools
from datetime import date

import pytest

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import services, stock
from scheduler.extensions import db
from tests.factories import make_nik, make_site, make_slot

_phones = itertools.count(1000)


@pytest.fixture
def office(ctx):
    """An office open Monday to Friday that prints 2 cards a day."""
    site = make_site(name="Kantor Uji", kind="office")
    stock.save_print_site(site.id, printers=1, operators=1, cards_per_printer=2)
    db.session.commit()
    return site


@pytest.fixture
def record(office):
    """record(birth_date=..., married=False, site=office): a resident recorded now, with
    their card queued through cards.services.on_recorded."""
    slot = make_slot(site=office, capacity=500, days_ahead=0, at=clock.now().time())

    def _record(birth_date=date(1990, 5, 17), married=False, site=None, name="Siti Aminah"):
        target = slot if site is None else make_slot(site=site, capacity=50, days_ahead=0)
        applicant = appointments.Applicant(
            nik=make_nik(birth_date),
            name=name,
            birth_date=birth_date,
            phone=f"+62812{next(_phones):07d}",
            married=married,
        )
        appointment = appointments.book_into_slot(target, applicant, status="checked_in")
        appointment.status = "recorded"
        appointment.recorded_at = clock.now()
        db.session.flush()
        card = services.on_recorded(appointment)
        db.session.commit()
        return appointment, card

    return _record


def deliver(quantity, on=None):
    stock.receive_delivery(quantity, on or services.today(), reference="SP-UJI")
    db.session.commit()
