"""A slot's seat counter: conditional UPDATEs guarded by the capacity CHECK."""

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from scheduler.errors import SlotClosed, SlotFull
from scheduler.extensions import db
from scheduler.sites.models import (
    Slot,
)


def take_seat(slot_id):
    """Take one seat (conditional UPDATE); returns the slot's new `booked_count` (see
    `note_seats`); raises SlotFull when none is left, SlotClosed when its day closed."""
    booked = db.session.execute(_take_seat(), {"slot_id": slot_id}).scalar()
    if booked is None:
        raise_seat_refusal(slot_id)
    _expire_seats(slot_id)
    return booked


def seat_increment(slot_id):
    """The UPDATE that takes one seat of slot `slot_id` (a column or parameter of the
    statement it joins, as a CTE) and returns the new counter: for a booking written in
    one statement. It has no condition on the seats left: a full slot breaks the counter's
    CHECK, and a closed slot's counter is set to -1, which breaks it too, so the failed
    statement undoes whatever it wrote beside the seat (an UPDATE that matched no row
    could not). The row is read as it is once its lock is free, so a closure committed
    meanwhile counts."""
    slots = Slot.__table__
    return (
        sa.update(slots)
        .where(slots.c.id == slot_id)
        .values(booked_count=sa.case((slots.c.closed, -1), else_=slots.c.booked_count + 1))
        .returning(slots.c.booked_count)
    )


def raise_seat_refusal(slot_id):
    """Raise why the database refused a seat: SlotClosed for a slot whose day closed (or
    that a closure deleted meanwhile), else SlotFull."""
    closed = db.session.scalar(sa.select(Slot.closed).where(Slot.id == slot_id))
    if closed is None or closed:
        raise SlotClosed()
    raise SlotFull()


def note_seats(slot, booked_count):
    """Set a loaded slot's counter to what `take_seat` returned, once the savepoint that
    took the seat is released: the UPDATE holds the row's lock until the commit, so this
    is the committed value, and the answer need not load the slot again."""
    set_committed_value(slot, "booked_count", booked_count)


def forget_seats(slot_id):
    """Undo `note_seats` after a savepoint around it was rolled back."""
    _expire_seats(slot_id)


def release_seat(slot_id):
    """Give one seat back."""
    db.session.execute(_release_seat(), {"slot_id": slot_id})
    _expire_seats(slot_id)


# Core statements built once: the seat counter is the booking burst's hottest row, and an
# ORM-enabled UPDATE costs several times the Core one to prepare.
@lru_cache(maxsize=1)
def _take_seat():
    slots = Slot.__table__
    return (
        sa.update(slots)
        .where(
            slots.c.id == sa.bindparam("slot_id"),
            slots.c.booked_count < slots.c.capacity,
            slots.c.closed.is_(False),
        )
        .values(booked_count=slots.c.booked_count + 1)
        .returning(slots.c.booked_count)
    )


@lru_cache(maxsize=1)
def _release_seat():
    slots = Slot.__table__
    return (
        sa.update(slots)
        .where(slots.c.id == sa.bindparam("slot_id"), slots.c.booked_count > 0)
        .values(booked_count=slots.c.booked_count - 1)
    )


def _expire_seats(slot_id):
    # Only the counter changed: expiring everything would reload every object in the
    # session (two more round trips per booking).
    slot = db.session.identity_map.get(db.session.identity_key(Slot, slot_id))
    if slot is not None:
        db.session.expire(slot, ["booked_count"])
