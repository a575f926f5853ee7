"""Writing a booking: one draft of it, handed to one of two writers by `write_booking`.

`draft_booking` works out, once, everything a booking writes, after refusing it in this
order: the NIK already holds a booking or a recording (as read with the slot, then under
an older hash key while the keys rotate), then the slot is full as this transaction read
it. The draft holds every value of the appointment but its code, and the event of the
message the booking sends (if it sends one).

`write_booking` hands the draft to one of two writers:
- in one statement (PostgreSQL, a booking that is the whole unit of work, no transaction
  begun): the appointment, its seat and its messages as data-modifying CTEs sent alone,
  one round trip without BEGIN or COMMIT; the answer's objects are detached.
- in the caller's transaction (any database; the web and the API with an Idempotency-Key,
  a roster, a walk-in, a family, a home visit): the seat by sites' conditional UPDATE, the
  appointment by an INSERT that does nothing on a conflict, the message through the
  outbox. A refusal leaves that transaction as it was and usable (a roster goes on with
  its next row).
Both draw a code again when the one drawn was taken (its UNIQUE), and tell that from the
NIK booking meanwhile (its partial unique index), refused as DuplicateBooking or
AlreadyRecorded. The seat counter is sites' (take_seat, seat_increment, release_seat);
what a constraint's refusal means is declared on the constraint (constraints.refusal).
"""

import secrets
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm.attributes import set_committed_value

from scheduler import clock, constraints
from scheduler import nik as niks
from scheduler.appointments.models import HOLDING_STATUSES, Appointment
from scheduler.appointments.services.applicants import CODE_ALPHABET, CODE_LENGTH
from scheduler.appointments.services.notices import message_about
from scheduler.direct import DirectStatement, adopt, detached
from scheduler.errors import AlreadyRecorded, DuplicateBooking, SlotClosed, SlotFull
from scheduler.notifications import services as notifications
from scheduler.notifications.models import OutboxMessage
from scheduler.sites import services as sites
from scheduler.sites.models import Site, Slot

# A code is drawn at random from 25^8; one taken already is drawn again, this often.
CODE_ATTEMPTS = 5

_UNREAD = object()  # what the NIK holds was not read with the slot: the draft reads it


@dataclass
class BookingDraft:
    """A booking worked out and not yet written (see `draft_booking`)."""

    slot: object  # the Slot, or the record of it read with the site (see `site`)
    site: object | None  # the site's record read with the slot; None: the Slot's own
    values: dict  # every column of the new appointment but its id ("code": the last drawn)
    notice: str | None  # the event of the message the booking sends; None: none

    @property
    def nik_hash(self):
        return self.values["nik_hash"]

    def codes(self):
        """Draw a new code into the values, up to CODE_ATTEMPTS times (the writer tries
        the next one when its INSERT met a code already taken)."""
        for _attempt in range(CODE_ATTEMPTS):
            self.values["code"] = _new_code()
            yield self.values["code"]
        raise RuntimeError("could not find a free booking code")

    def message(self):
        """(event, enqueue's keywords) of the booking's message with the code drawn last."""
        record = SimpleNamespace(**self.values, slot=self.slot, site=self.site or self.slot.site)
        return message_about(record, self.notice)


def draft_booking(
    slot,
    applicant,
    *,
    channel="web",
    status="booked",
    notice=None,
    birth_date_override_reason=None,
    nik_hash=None,
    site=None,
    holding=_UNREAD,
):
    """The draft of a booking of `slot` for `applicant`, or its refusal: AlreadyRecorded,
    DuplicateBooking, SlotFull. The applicant is checked already (check_applicant).

    `site` and `holding` are the site and the status of what the NIK holds when they were
    read with the slot (one round trip for all three); `nik_hash` spares the hashing.
    `notice`: the event of the message the booking sends (None for none)."""
    nik_hash = nik_hash or niks.hash_nik(applicant.nik)
    _refuse_holder(_holding_status(nik_hash) if holding is _UNREAD else holding)
    for older in niks.older_hashes(applicant.nik):
        # While the NIK keys rotate, a booking may still hold its hash under an older key,
        # which the partial unique index cannot compare with the new one: looked for by
        # hand (no statement at all outside a rotation). The rotation only ever turns an
        # old hash into the new one and every new row is written under the new key, so a
        # holder this misses is one the index sees.
        _refuse_holder(_holding_status(older))
    _refuse_full(slot)
    values = _appointment_values(slot, applicant, nik_hash, channel, status)
    values["birth_date_override_reason"] = birth_date_override_reason
    return BookingDraft(slot=slot, site=site, values=values, notice=notice)


def write_booking(draft, *, alone=False):
    """Write the draft; returns the new appointment (its slot's counter as the booking left
    it). `alone`: the booking is the whole unit of work, so on PostgreSQL, with no
    transaction begun, it is one statement that commits itself. Otherwise (and on any
    other database) it writes in the caller's transaction and never commits. Raises
    SlotFull, SlotClosed, DuplicateBooking, AlreadyRecorded."""
    if alone:
        engine = DirectStatement.alone()
        if engine is not None and engine.dialect.name == "postgresql":
            return _write_in_one_statement(draft)
    return _write_in_transaction(draft)


def _write_in_transaction(draft):
    slot = draft.slot
    booked = sites.take_seat(slot.id)
    table = Appointment.__table__
    for _code in draft.codes():
        appointment_id = constraints.insert_unless_conflict(table, draft.values, table.c.id)
        if appointment_id is not None:
            break
        _refuse_if_booked_meanwhile(draft, give_back_seat=True)
    appointment = _adopt_booking(draft, appointment_id, booked, make=adopt)
    if draft.site is None:  # read with its site, the adopted slot has the counter already
        sites.note_seats(slot, booked)
    if draft.notice is not None:
        event, message = draft.message()
        notifications.enqueue(event, **message)
    return appointment


def _write_in_one_statement(draft):
    """The appointment is an INSERT ... ON CONFLICT DO NOTHING; the seat UPDATE (sites'
    seat_increment) joins what it inserted, and so do the outbox INSERTs, so a conflict
    writes nothing at all, and a slot filled or closed meanwhile fails the whole
    statement (the counter's CHECK)."""
    for _code in draft.codes():
        messages = []
        if draft.notice is not None:
            event, message = draft.message()
            messages = notifications.outbox_rows(event, **message)
        params = {f"a_{key}": value for key, value in draft.values.items()}
        for n, row in enumerate(messages):
            params.update({f"m{n}_{key}": value for key, value in row.items()})
        try:
            row = _one_statement_booking(len(messages)).first(params)
        except sa.exc.DBAPIError as exc:
            # Filled or closed since it was read, or deleted by a closure: which of the
            # two, the slot tells.
            if constraints.refusal(exc) in (SlotFull, SlotClosed):
                sites.raise_seat_refusal(draft.slot.id)
            raise
        appointment_id, booked = row[0], row[1]
        if appointment_id is not None:
            # Committed already (the statement ran alone): the answer needs no session.
            return _adopt_booking(draft, appointment_id, booked, make=detached)
        _refuse_if_booked_meanwhile(draft, give_back_seat=False)


def _refuse_if_booked_meanwhile(draft, give_back_seat):
    """After an INSERT that met a conflict: refuse the booking when the NIK holds one now
    (giving the seat this transaction took back); otherwise it was the code, and the
    writer draws another."""
    holding = _holding_status(draft.nik_hash)
    if holding is None:
        return
    if give_back_seat:
        sites.release_seat(draft.slot.id)
    raise _holder_refusal(holding)


def _refuse_full(slot):
    if slot.booked_count >= slot.capacity:
        # Full when this transaction read it (or by its own seats, whose row lock it
        # holds): refused without an UPDATE. A slot that looks free is still decided by
        # the database: the seat's conditional UPDATE, or the counter's CHECK.
        raise SlotFull()


def _refuse_holder(status):
    """Refuse a NIK that holds an appointment of `status` (None: it holds none)."""
    if status is not None:
        raise _holder_refusal(status)


def _holder_refusal(status):
    return AlreadyRecorded() if status == "recorded" else DuplicateBooking()


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


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


def _adopt_booking(draft, appointment_id, booked, make):
    """The new appointment as a persistent object (`make=detached`: a detached one, for a
    booking already committed); a draft read with its site gets that slot (its counter as
    the booking left it) and site, so the answer loads nothing again."""
    appointment = make(Appointment, {**draft.values, "id": appointment_id})
    if draft.site is not None:
        # The identity map holds objects weakly: the appointment keeps its slot and site.
        slot = make(Slot, {**vars(draft.slot), "booked_count": booked})
        set_committed_value(appointment, "slot", slot)
        set_committed_value(appointment, "site", make(Site, vars(draft.site)))
    return appointment


def _holding_status(nik_hash):
    """The status of the appointment this NIK holds (booked, checked in or recorded), or
    None (only the status: a whole Appointment would cost a row of every column)."""
    row = _HOLDING.first({"nik_hash": nik_hash})
    return None if row is None else row[0]


@lru_cache(maxsize=1)
def holding_query():
    """The status a NIK's hash holds, one row at most (parameter `nik_hash`)."""
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


_HOLDING = DirectStatement(holding_query)


@lru_cache(maxsize=2)
def _one_statement_booking(message_count):
    appointments, outbox = Appointment.__table__, OutboxMessage.__table__
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
    seat = sites.seat_increment(booked.c.slot_id).cte("seat")
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
