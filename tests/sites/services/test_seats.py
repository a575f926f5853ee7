"""The seat counter (sites/services/seats.py) under the capacity CHECK."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock, constraints
from scheduler.errors import SlotClosed, SlotFull
from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Slot
from tests.factories import make_site
from tests.sites.services.days import generate, slots_of


def test_the_database_refuses_overbooking_a_generated_slot(ctx):
    from scheduler.errors import SlotFull

    site = make_site(stations=1, slot_minutes=15)
    generate(site, days=1)
    slot = slots_of(site)[0]
    services.take_seat(slot.id)
    with pytest.raises(SlotFull):
        services.take_seat(slot.id)
    services.release_seat(slot.id)
    services.release_seat(slot.id)  # never below zero
    db.session.expire_all()
    assert db.session.get(Slot, slot.id).booked_count == 0


def _slot(**kwargs):
    site = make_site()
    slot = Slot(
        site_id=site.id,
        starts_at=clock.now() + timedelta(days=2),
        ends_at=clock.now() + timedelta(days=2, minutes=30),
        capacity=kwargs.get("capacity", 2),
        booked_count=kwargs.get("booked_count", 0),
        closed=kwargs.get("closed", False),
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def test_a_seat_is_taken_and_given_back_once(ctx):
    slot = _slot(capacity=1)
    assert services.take_seat(slot.id) == 1
    with pytest.raises(SlotFull):
        services.take_seat(slot.id)
    services.release_seat(slot.id)
    services.release_seat(slot.id)  # never below zero
    assert db.session.get(Slot, slot.id).booked_count == 0


def test_a_closed_slot_takes_no_seat_and_says_so(ctx):
    slot = _slot(closed=True)
    with pytest.raises(SlotClosed):
        services.take_seat(slot.id)


@pytest.mark.parametrize(
    ("closed", "booked", "refusal"), [(False, 2, SlotFull), (True, 0, SlotClosed)]
)
def test_the_one_statement_increment_breaks_the_check_when_full_or_closed(
    ctx, closed, booked, refusal
):
    """The increment a one-statement booking runs has no WHERE on the seats left: the
    counter's CHECK refuses it, and the slot tells full from closed."""
    slot = _slot(capacity=2, booked_count=booked, closed=closed)
    with pytest.raises(sa.exc.IntegrityError) as info, db.session.begin_nested():
        db.session.execute(services.seat_increment(slot.id))
    assert constraints.refusal(info.value) is SlotFull
    with pytest.raises(refusal):
        services.raise_seat_refusal(slot.id)


def test_the_one_statement_increment_takes_a_free_seat(ctx):
    slot = _slot(capacity=2, booked_count=1)
    assert db.session.execute(services.seat_increment(slot.id)).scalar() == 2
