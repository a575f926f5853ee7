"""Fixtures for cards: a printing office, recorded residents, stock."""

import itertools
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import services, stock
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
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


# Monday 2026-12-07: the day the clock stands at.
MON = date(2026, 12, 7)


def events(code):
    """The events of the messages queued for a booking or card code, in order."""
    return [
        m.event
        for m in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.reference == code)
            .order_by(OutboxMessage.id)
        )
    ]


def at_day(on, hour=1):
    """Move the clock to `hour` UTC of `on`."""
    clock.freeze(datetime(on.year, on.month, on.day, hour, tzinfo=UTC))
