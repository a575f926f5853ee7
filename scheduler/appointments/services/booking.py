"""Booking a slot: the web's and the API's booking (one read of the slot, its site and
what the NIK holds; the checks; an Idempotency-Key), and a booking inside another
service's transaction (a roster, a walk-in, a family, a home visit). Both are written by
`writing` (one draft, two writers).

The guarantees live in the database: the slot's seat counter is a conditional UPDATE
under a CHECK (booked_count <= capacity); one NIK holds at most one appointment that is
booked, checked in or recorded (a partial unique index); an Idempotency-Key is UNIQUE.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from scheduler import clock, metrics
from scheduler import nik as niks
from scheduler.appointments.models import Appointment, IdempotencyKey
from scheduler.appointments.services.applicants import check_applicant
from scheduler.appointments.services.writing import draft_booking, holding_query, write_booking
from scheduler.db import is_row_id, transactional
from scheduler.direct import DirectStatement
from scheduler.errors import DuplicateBooking, IdempotencyConflict
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.sites.models import Site, Slot


@dataclass
class SlotSnapshot:
    """A slot and its site as one statement read them, with the status of the booking the
    NIK already holds: all a booking attempt needs before it writes anything."""

    slot: SimpleNamespace
    site: SimpleNamespace
    holding: str | None


def _snapshot(slot_id, nik_hash):
    """One round trip for the slot, its site and the NIK's holding status; None when the
    slot does not exist."""
    if not is_row_id(slot_id):
        return None
    values = _SNAPSHOT.first({"slot_id": slot_id, "nik_hash": nik_hash})
    if values is None:
        return None
    n = len(Slot.__table__.c)
    return SlotSnapshot(
        slot=SimpleNamespace(**dict(zip(_column_keys(Slot.__table__), values[:n], strict=True))),
        site=SimpleNamespace(**dict(zip(_column_keys(Site.__table__), values[n:-1], strict=True))),
        holding=values[-1],
    )


@lru_cache(maxsize=2)
def _column_keys(table):
    return tuple(c.key for c in table.c)


def _snapshot_query():
    slots, site_table = Slot.__table__, Site.__table__
    holding = holding_query().scalar_subquery()
    return (
        sa.select(*slots.c, *(c.label(f"site_{c.key}") for c in site_table.c), holding)
        .join_from(slots, site_table, slots.c.site_id == site_table.c.id)
        .where(slots.c.id == sa.bindparam("slot_id"))
    )


# The one read of every booking attempt (83 % of a burst end with it).
_SNAPSHOT = DirectStatement(_snapshot_query)


def book_into_slot(
    slot,
    applicant,
    *,
    channel="web",
    status="booked",
    birth_date_override_reason=None,
):
    """Take a seat in `slot` and create the appointment in the caller's transaction
    (writes, never commits; sends no message). The applicant is checked already.

    A refusal leaves the caller's transaction as it was and usable (a roster goes on with
    its next row). Raises SlotFull, SlotClosed, DuplicateBooking, AlreadyRecorded.
    """
    draft = draft_booking(
        slot,
        applicant,
        channel=channel,
        status=status,
        birth_date_override_reason=birth_date_override_reason,
    )
    return write_booking(draft)


@metrics.counts_bookings
@transactional(keep_loaded=True)
def book_appointment(
    slot_id,
    applicant,
    *,
    channel="web",
    idempotency_key=None,
    body_hash=None,
    allow_private=False,
    field_errors=None,
):
    """Book a recording slot for a resident; returns (appointment, created).

    `field_errors` (what the edge refused already, such as the phone) are reported with
    the applicant's own faults, in one ValidationError.

    With an Idempotency-Key, the same key and body return the first appointment
    (created=False); another body raises IdempotencyConflict. Raises ValidationError,
    SlotFull, DuplicateBooking, AlreadyRecorded.
    """
    if idempotency_key:
        replay = _replay(idempotency_key, body_hash)
        if replay is not None:
            return replay, False
    nik_hash = niks.hash_nik(applicant.nik)
    snapshot = _snapshot(slot_id, nik_hash)
    slot, site = (snapshot.slot, snapshot.site) if snapshot else (None, None)
    sites.check_bookable(slot, site, allow_private)
    check_applicant(applicant, sites.to_local(site, slot.starts_at).date(), errors=field_errors)
    drafted = {
        "channel": channel,
        "notice": "booking_confirmed",
        "nik_hash": nik_hash,
        "site": site,
        "holding": snapshot.holding,
    }
    if not idempotency_key:
        return write_booking(draft_booking(slot, applicant, **drafted), alone=True), True
    return _book_with_key(idempotency_key, body_hash, slot, applicant, drafted)


def _book_with_key(key, body_hash, slot, applicant, drafted):
    """The booking and its Idempotency-Key in one savepoint; (appointment, created). A
    concurrent request with the same key that won the race (the NIK holds its booking, or
    the key is taken) is answered as it was."""
    try:
        with db.session.begin_nested():
            appointment = write_booking(draft_booking(slot, applicant, **drafted))
            db.session.add(
                IdempotencyKey(
                    key=key,
                    body_hash=body_hash,
                    appointment_id=appointment.id,
                    created_at=clock.now(),
                )
            )
            db.session.flush()
    except (IntegrityError, DuplicateBooking):
        sites.forget_seats(slot.id)
        replay = _replay(key, body_hash)
        if replay is not None:
            return replay, False
        raise
    return appointment, True


def _replay(key, body_hash):
    ttl = timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    row = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.key == key))
    if row is None:
        return None
    if row.created_at < clock.now() - ttl:
        db.session.delete(row)
        db.session.flush()
        return None
    if row.body_hash != body_hash:
        raise IdempotencyConflict()
    return db.session.get(Appointment, row.appointment_id)


@transactional
def purge_idempotency_keys():
    """Forget Idempotency-Keys older than their 24-hour life; returns how many."""
    cutoff = clock.now() - timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount
