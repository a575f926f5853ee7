"""Booking a slot: the one read of an attempt, the seat, the appointment, its message.

The guarantees live in the database: the slot's seat counter is a conditional UPDATE
under a CHECK (booked_count <= capacity); one NIK holds at most one appointment that is
booked, checked in or recorded (a partial unique index); an Idempotency-Key is UNIQUE.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from scheduler import clock, metrics
from scheduler import nik as niks
from scheduler.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    IdempotencyKey,
)
from scheduler.appointments.services.applicants import CODE_ALPHABET, CODE_LENGTH, check_applicant
from scheduler.appointments.services.notices import message_about, notify
from scheduler.constraints import insert_unless_conflict, is_integrity_error_for
from scheduler.db import is_row_id, transactional
from scheduler.direct import DirectStatement, adopt, detached
from scheduler.errors import (
    AlreadyRecorded,
    DuplicateBooking,
    IdempotencyConflict,
    SlotFull,
)
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.notifications.models import OutboxMessage
from scheduler.sites import services as sites
from scheduler.sites.models import Site, Slot


def _holding_status(nik_hash):
    """The status of the appointment this NIK holds (booked, checked in or recorded), or
    None (only the status: a whole Appointment would cost a row of every column)."""
    row = _HOLDING.first({"nik_hash": nik_hash})
    return None if row is None else row[0]


@lru_cache(maxsize=1)
def _holding_query():
    # The literal statuses are the partial unique index's own predicate, so PostgreSQL
    # answers from that index (bound parameters would hide the match from the planner).
    appointments = Appointment.__table__
    return (
        sa.select(appointments.c.status)
        .where(
            appointments.c.nik_hash == sa.bindparam("nik_hash"),
            appointments.c.status.in_([sa.literal_column(f"'{s}'") for s in HOLDING_STATUSES]),
        )
        .limit(1)
    )


def _refuse_holder_under_older_keys(nik):
    """While the NIK keys rotate, a booking may still hold its hash under an older key,
    which the partial unique index cannot compare with the new one: look for it by hand
    (no statement at all outside a rotation). The rotation only ever turns an old hash
    into the new one, and every new row is written under the new key, so a holder the
    look-up misses is one the index sees."""
    for older in niks.older_hashes(nik):
        _refuse_holder(_holding_status(older))


def _refuse_holder(status):
    if status is None:
        return
    if status == "recorded":
        raise AlreadyRecorded()
    raise DuplicateBooking()


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


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
    holding = _holding_query().scalar_subquery()
    return (
        sa.select(*slots.c, *(c.label(f"site_{c.key}") for c in site_table.c), holding)
        .join_from(slots, site_table, slots.c.site_id == site_table.c.id)
        .where(slots.c.id == sa.bindparam("slot_id"))
    )


# The one read of every booking attempt (83 % of a burst end with it), and the look-up
# of what a NIK holds after a conflict.
_SNAPSHOT = DirectStatement(_snapshot_query)
_HOLDING = DirectStatement(_holding_query)


def book_into_slot(
    slot,
    applicant,
    *,
    channel="web",
    status="booked",
    birth_date_override_reason=None,
    snapshot=None,
    nik_hash=None,
):
    """Take a seat in `slot` and create the appointment (writes, never commits).

    A refusal leaves the caller's transaction as it was and usable (a roster goes on with
    its next row): the seat is a conditional UPDATE under a CHECK, and the appointment an
    INSERT that does nothing when the NIK's partial unique index already holds a booking,
    after which the seat is given back. `snapshot` (from `_snapshot`) spares the NIK's
    look-up and the loading of the slot, `nik_hash` the NIK's hashing. Raises SlotFull,
    DuplicateBooking, AlreadyRecorded.
    """
    nik_hash = nik_hash or niks.hash_nik(applicant.nik)
    _refuse_holder(snapshot.holding if snapshot else _holding_status(nik_hash))
    _refuse_holder_under_older_keys(applicant.nik)
    _refuse_full(slot)
    values = _appointment_values(slot, applicant, nik_hash, channel, status)
    values["birth_date_override_reason"] = birth_date_override_reason
    booked = sites.take_seat(slot.id)
    for _attempt in range(5):
        values["code"] = _new_code()
        appointment_id = insert_unless_conflict(
            Appointment.__table__, values, Appointment.__table__.c.id
        )
        if appointment_id is not None:
            break
        holding = _holding_status(nik_hash)
        if holding is not None:  # not a code that was taken: the NIK holds a booking
            sites.release_seat(slot.id)
            _refuse_holder(holding)
            raise DuplicateBooking()
    else:
        raise RuntimeError("could not find a free booking code")
    appointment = _adopt_booking(values, appointment_id, snapshot, booked)
    if snapshot is None:  # with a snapshot, the adopted slot already has the counter
        sites.note_seats(slot, booked)
    return appointment


def _refuse_full(slot):
    if slot.booked_count >= slot.capacity:
        # Full when this transaction read it (or by its own seats, whose row lock it
        # holds): refuse without the UPDATE. A slot that looks free is still decided by
        # the database: a conditional UPDATE, or the CHECK, of the seat counter.
        raise SlotFull()


def _appointment_values(slot, applicant, nik_hash, channel, status):
    """Every column of a new appointment but its id and code."""
    now = clock.now()
    return {
        "slot_id": slot.id,
        "site_id": slot.site_id,
        "status": status,
        "channel": channel,
        "nik_hash": nik_hash,
        "nik_encrypted": niks.encrypt_nik(applicant.nik),
        "nik_masked": niks.mask_nik(applicant.nik),
        "name": applicant.name,
        "birth_date": applicant.birth_date,
        "female": niks.parse_nik(applicant.nik).female,
        "married": applicant.married,
        "assistance": applicant.assistance or None,
        "phone": applicant.phone,
        "email": applicant.email or None,
        "locale": applicant.locale,
        "consent_at": now,
        "booked_at": now,
        "status_changed_at": now,
        "checked_in_at": now if status == "checked_in" else None,
        "recorded_at": None,
        "ikd_activated_at": None,
        "cancelled_at": None,
        "outcome_reason": None,
        "birth_date_override_reason": None,
        "rejected_at": None,
        "rejection_kind": None,
        "erased_at": None,
        "erased_how": None,
    }


def _adopt_booking(values, appointment_id, snapshot, booked, make=adopt):
    """The new appointment as a persistent object (`make=detached`: a detached one, for a
    booking already committed), with the slot (its counter as the booking left it) and
    the site it was read with: the answer loads nothing again."""
    appointment = make(Appointment, {**values, "id": appointment_id})
    if snapshot is not None:
        # The identity map holds objects weakly: the appointment keeps its slot and site.
        slot = make(Slot, {**vars(snapshot.slot), "booked_count": booked})
        set_committed_value(appointment, "slot", slot)
        set_committed_value(appointment, "site", make(Site, vars(snapshot.site)))
    return appointment


def _book_in_one_statement(snapshot, applicant, nik_hash, channel):
    """PostgreSQL, no transaction begun: the appointment, its seat and its messages in one
    statement of data-modifying CTEs, sent alone (one round trip, no BEGIN or COMMIT).

    The appointment is an INSERT ... ON CONFLICT DO NOTHING; the seat UPDATE joins what it
    inserted, and the outbox INSERTs too, so a conflict writes nothing at all. A slot
    filled or closed meanwhile makes the counter break its CHECK, and the whole statement
    with it. Answers as `book_into_slot` then `_notify` would; raises SlotFull,
    SlotClosed, DuplicateBooking, AlreadyRecorded."""
    slot = snapshot.slot
    _refuse_holder(snapshot.holding)
    _refuse_full(slot)
    values = _appointment_values(slot, applicant, nik_hash, channel, "booked")
    for _attempt in range(5):
        values["code"] = _new_code()
        draft = SimpleNamespace(**values, slot=slot, site=snapshot.site)
        event, message = message_about(draft, "booking_confirmed")
        messages = notifications.outbox_rows(event, **message)
        params = {f"a_{key}": value for key, value in values.items()}
        for n, row in enumerate(messages):
            params.update({f"m{n}_{key}": value for key, value in row.items()})
        try:
            row = _one_statement_booking(len(messages)).first(params)
        except sa.exc.DBAPIError as exc:
            # Filled or closed since it was read (the counter's CHECK), or deleted by a
            # closure (the foreign key).
            if is_integrity_error_for(exc, "ck_slots_capacity") or is_integrity_error_for(
                exc, "fk_appointments_slot_id_slots"
            ):
                sites.raise_seat_refusal(slot.id)
            raise
        appointment_id, booked = row[0], row[1]
        if appointment_id is not None:
            # Committed already (the statement ran alone): the answer's objects need no
            # session.
            return _adopt_booking(values, appointment_id, snapshot, booked, make=detached)
        holding = _holding_status(nik_hash)
        if holding is not None:  # not a code that was taken: the NIK holds a booking
            _refuse_holder(holding)
            raise DuplicateBooking()
    raise RuntimeError("could not find a free booking code")


@lru_cache(maxsize=2)
def _one_statement_booking(message_count):
    appointments, slots = Appointment.__table__, Slot.__table__
    outbox = OutboxMessage.__table__
    written = [c for c in appointments.c if c.key != "id"]
    booked = (
        postgresql.insert(appointments)
        .from_select(
            [c.key for c in written],
            sa.select(*(sa.bindparam(f"a_{c.key}", type_=c.type) for c in written)),
        )
        .on_conflict_do_nothing()
        .returning(appointments.c.id, appointments.c.slot_id)
        .cte("booked")
    )
    # A closed slot's counter is set to -1, which breaks the counter's CHECK: the UPDATE
    # alone cannot undo the INSERT beside it, the failed statement can. The row is read
    # as it is once its lock is free, so a closure committed meanwhile counts.
    seat = (
        sa.update(slots)
        .where(slots.c.id == booked.c.slot_id)
        .values(booked_count=sa.case((slots.c.closed, -1), else_=slots.c.booked_count + 1))
        .returning(slots.c.booked_count)
        .cte("seat")
    )
    columns = [outbox.c[key] for key in notifications.OUTBOX_ROW_KEYS]
    messages = [
        postgresql.insert(outbox)
        .from_select(
            [c.key for c in columns],
            sa.select(*(sa.bindparam(f"m{n}_{c.key}", type_=c.type) for c in columns)).select_from(
                booked
            ),
        )
        .returning(outbox.c.id)
        .cte(f"message_{n}")
        for n in range(message_count)
    ]
    # Only the CTEs the final SELECT names are written out, so it names each message's;
    # what it reads of them is unused.
    return DirectStatement(
        lambda: sa.select(
            sa.select(booked.c.id).scalar_subquery(),
            sa.select(seat.c.booked_count).scalar_subquery(),
            *(sa.select(sa.func.count()).select_from(m).scalar_subquery() for m in messages),
        )
    )


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
    _refuse_holder_under_older_keys(applicant.nik)
    slot, site = (snapshot.slot, snapshot.site) if snapshot else (None, None)
    sites.check_bookable(slot, site, allow_private)
    check_applicant(applicant, sites.to_local(site, slot.starts_at).date(), errors=field_errors)
    if not idempotency_key:
        engine = DirectStatement.alone()
        if engine is not None and engine.dialect.name == "postgresql":
            return _book_in_one_statement(snapshot, applicant, nik_hash, channel), True
        appointment = book_into_slot(
            slot, applicant, channel=channel, snapshot=snapshot, nik_hash=nik_hash
        )
        notify(appointment, "booking_confirmed")
        return appointment, True
    try:
        with db.session.begin_nested():
            appointment = book_into_slot(
                slot, applicant, channel=channel, snapshot=snapshot, nik_hash=nik_hash
            )
            db.session.add(
                IdempotencyKey(
                    key=idempotency_key,
                    body_hash=body_hash,
                    appointment_id=appointment.id,
                    created_at=clock.now(),
                )
            )
            db.session.flush()
    except (IntegrityError, DuplicateBooking):
        # A concurrent request with the same key won the race: answer as it did.
        sites.forget_seats(slot.id)
        replay = _replay(idempotency_key, body_hash)
        if replay is not None:
            return replay, False
        raise
    notify(appointment, "booking_confirmed")
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
