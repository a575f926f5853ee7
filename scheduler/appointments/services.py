"""Booking, look-up, cancellation and rescheduling of recording appointments.

The guarantees live in the database: the slot's seat counter is a conditional UPDATE
under a CHECK (booked_count <= capacity); one NIK holds at most one appointment that is
booked, checked in or recorded (a partial unique index); an Idempotency-Key is UNIQUE.
"""

import io
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from types import SimpleNamespace

import phonenumbers
import qrcode
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from itsdangerous import BadSignature, Signer
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments.models import (
    ACTIVE_STATUSES,
    HOLDING_STATUSES,
    STATUSES,
    Appointment,
    IdempotencyKey,
)
from scheduler.db import (
    DirectStatement,
    adopt,
    detached,
    insert_unless_conflict,
    is_integrity_error_for,
    transactional,
)
from scheduler.errors import (
    AlreadyCheckedIn,
    AlreadyRecorded,
    DuplicateBooking,
    IdempotencyConflict,
    InvalidQR,
    InvalidState,
    NoCurrentSlot,
    NotFound,
    SlotFull,
    ValidationError,
    WrongSiteOrDay,
)
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.notifications.models import OutboxMessage
from scheduler.sites import services as sites
from scheduler.sites.models import Site, Slot

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
CODE_LENGTH = 8
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


@dataclass
class Applicant:
    """What a resident tells us about themselves when booking."""

    nik: str
    name: str
    birth_date: date
    phone: str
    email: str | None = None
    married: bool = False
    locale: str = "id"


# ------------------------------------------------------------------------------ checks


def normalize_code(raw):
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: CODE_LENGTH + 4]


def normalize_phone(raw, field="phone"):
    """An Indonesian (or international) mobile number in E.164 (+62...); raises ValidationError."""
    try:
        number = phonenumbers.parse(raw or "", "ID")
    except phonenumbers.NumberParseException:
        number = None
    # A number whose type is mobile is valid (number_type is is_valid_number's own test
    # of the national number): the usual answer costs one classification, not two.
    if number is not None and phonenumbers.number_type(number) in MOBILE_TYPES:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            fields={
                field: _l("Nomor HP tidak sah. Tulis seperti 081234567890 atau +6281234567890.")
            }
        )
    raise ValidationError(
        fields={field: _l("Gunakan nomor HP (WhatsApp/SMS), bukan nomor telepon rumah.")}
    )


def check_applicant(applicant, on_date, accept_mismatch_reason=None):
    """Validate NIK, birth date and age on the slot's date; returns the NikInfo."""
    info = niks.parse_nik(applicant.nik)
    today = clock.now().date()
    if applicant.birth_date > today:
        raise ValidationError(fields={"birth_date": _l("Tanggal lahir tidak boleh di masa depan.")})
    if not accept_mismatch_reason:
        niks.check_birth_date(info, applicant.birth_date)
    minimum = current_app.config["MINIMUM_RECORDING_AGE"]
    if relativedelta(on_date, applicant.birth_date).years < minimum:
        turns = applicant.birth_date + relativedelta(years=minimum)
        raise ValidationError(
            fields={
                "birth_date": _l(
                    "Perekaman KTP-el mulai usia %(age)s tahun. Anda dapat memesan jadwal mulai "
                    "%(on)s.",
                    age=minimum,
                    on=turns.isoformat(),
                )
            }
        )
    return info


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


def _refuse_holder(status):
    if status is None:
        return
    if status == "recorded":
        raise AlreadyRecorded()
    raise DuplicateBooking()


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# ----------------------------------------------------------------------------- booking


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
    if not (isinstance(slot_id, int) and 0 < slot_id <= sites.MAX_ID):
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
        "phone": applicant.phone,
        "email": applicant.email or None,
        "locale": applicant.locale,
        "consent_at": now,
        "booked_at": now,
        "status_changed_at": now,
        "checked_in_at": now if status == "checked_in" else None,
        "recorded_at": None,
        "cancelled_at": None,
        "outcome_reason": None,
        "birth_date_override_reason": None,
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
    filled meanwhile makes the counter break its CHECK, and the whole statement with it.
    Answers as `book_into_slot` then `_notify` would; raises SlotFull, DuplicateBooking,
    AlreadyRecorded."""
    slot = snapshot.slot
    _refuse_holder(snapshot.holding)
    _refuse_full(slot)
    values = _appointment_values(slot, applicant, nik_hash, channel, "booked")
    for _attempt in range(5):
        values["code"] = _new_code()
        draft = SimpleNamespace(**values, slot=slot, site=snapshot.site)
        event, message = _message(draft, "booking_confirmed")
        messages = notifications.outbox_rows(event, **message)
        params = {f"a_{key}": value for key, value in values.items()}
        for n, row in enumerate(messages):
            params.update({f"m{n}_{key}": value for key, value in row.items()})
        try:
            row = _one_statement_booking(len(messages)).first(params)
        except sa.exc.DBAPIError as exc:
            # Filled since it was read (the counter's CHECK), or gone (the foreign key).
            if is_integrity_error_for(exc, "ck_slots_capacity") or is_integrity_error_for(
                exc, "fk_appointments_slot_id_slots"
            ):
                raise SlotFull() from None
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
    seat = (
        sa.update(slots)
        .where(slots.c.id == booked.c.slot_id)
        .values(booked_count=slots.c.booked_count + 1)
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


@transactional(keep_loaded=True)
def book_appointment(
    slot_id, applicant, *, channel="web", idempotency_key=None, body_hash=None, allow_private=False
):
    """Book a recording slot for a resident; returns (appointment, created).

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
    check_applicant(applicant, sites.to_local(site, slot.starts_at).date())
    if not idempotency_key:
        engine = DirectStatement.alone()
        if engine is not None and engine.dialect.name == "postgresql":
            return _book_in_one_statement(snapshot, applicant, nik_hash, channel), True
        appointment = book_into_slot(
            slot, applicant, channel=channel, snapshot=snapshot, nik_hash=nik_hash
        )
        _notify(appointment, "booking_confirmed")
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
    _notify(appointment, "booking_confirmed")
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


# -------------------------------------------------------------------- look-up and change


def get_by_code(code):
    """An appointment by its code (staff side); raises NotFound."""
    appointment = db.session.scalar(
        sa.select(Appointment).where(Appointment.code == normalize_code(code))
    )
    if appointment is None:
        raise NotFound()
    return appointment


def list_for_slots(slot_ids, statuses=None):
    """The appointments booked into these slots (optionally only in `statuses`), by slot
    then booking time."""
    if not slot_ids:
        return []
    query = (
        sa.select(Appointment)
        .where(Appointment.slot_id.in_(list(slot_ids)))
        .order_by(Appointment.slot_id, Appointment.booked_at, Appointment.id)
    )
    if statuses:
        query = query.where(Appointment.status.in_(list(statuses)))
    return db.session.scalars(query).all()


def find_for_resident(code, nik):
    """The appointment for a code and NIK; a wrong NIK is the same NotFound as a wrong code."""
    appointment = db.session.scalar(
        sa.select(Appointment).where(Appointment.code == normalize_code(code))
    )
    given = niks.hash_nik(nik or "")
    if appointment is None or not secrets.compare_digest(given, appointment.nik_hash):
        raise NotFound(_l("Kode booking atau NIK tidak cocok."))
    return appointment


@transactional
def cancel_appointment(code, nik, reason=None):
    """Cancel a booked appointment and free its seat at once; raises NotFound, InvalidState."""
    appointment = find_for_resident(code, nik)
    _cancel(appointment, reason)
    _notify(appointment, "appointment_cancelled")
    return appointment


def _cancel(appointment, reason):
    now = clock.now()
    # RETURNING the slot the row is in once locked: a reschedule that committed meanwhile
    # moved it, and its new seat is the one to free.
    slot_id = db.session.execute(
        sa.update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status == "booked")
        .values(status="cancelled", cancelled_at=now, status_changed_at=now, outcome_reason=reason)
        .returning(Appointment.slot_id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if slot_id is None:
        db.session.refresh(appointment)
        raise InvalidState(
            _l("Janji temu ini tidak dapat dibatalkan lagi (status: %(s)s).", s=appointment.status)
        )
    sites.release_seat(slot_id)
    db.session.refresh(appointment)


@transactional
def cancel_by_office(appointment, reason):
    """The office cancels (closure, device fault); the resident is told."""
    _cancel(appointment, reason)
    _notify(appointment, "appointment_cancelled_by_office", reason=reason)
    return appointment


@transactional
def reschedule_appointment(code, nik, slot_id, allow_private=False):
    """Move a booking to another slot atomically: the old seat is freed only if the new one
    is taken. Raises NotFound, InvalidState, ValidationError, SlotFull."""
    appointment = find_for_resident(code, nik)
    if appointment.status != "booked":
        raise InvalidState(_l("Hanya janji temu berstatus 'dipesan' yang dapat dijadwalkan ulang."))
    if slot_id == appointment.slot_id:
        raise ValidationError(fields={"slot_id": _l("Pilih jadwal yang berbeda dari sekarang.")})
    slot = sites.get_bookable_slot(slot_id, allow_private=allow_private)
    check_applicant(
        Applicant(
            nik=nik,
            name=appointment.name,
            birth_date=appointment.birth_date,
            phone=appointment.phone,
        ),
        sites.to_local(slot.site, slot.starts_at).date(),
        accept_mismatch_reason=appointment.birth_date_override_reason,
    )
    old_slot_id = appointment.slot_id
    # Lock the appointment's row first (as a cancel does), then the two slots in id order,
    # so that a cancel racing a reschedule, or crossing reschedules, cannot deadlock.
    with db.session.begin_nested():
        result = db.session.execute(
            sa.update(Appointment)
            .where(
                Appointment.id == appointment.id,
                Appointment.status == "booked",
                Appointment.slot_id == old_slot_id,
            )
            .values(slot_id=slot.id, site_id=slot.site_id, status_changed_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise InvalidState()
        for sid in sorted((old_slot_id, slot.id)):
            if sid == slot.id:
                sites.take_seat(sid)
            else:
                sites.release_seat(sid)
    db.session.refresh(appointment)
    _notify(appointment, "appointment_rescheduled")
    return appointment


# ------------------------------------------------------------------- the day at the desk


def _transition(appointment, from_statuses, **values):
    """Move an appointment on with a conditional UPDATE; True when this call did it.

    The WHERE on the current status is the guarantee: of two desks acting on the same
    appointment at the same moment, exactly one UPDATE matches a row.
    """
    now = clock.now()
    result = db.session.execute(
        sa.update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status.in_(from_statuses))
        .values(status_changed_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(appointment)
    return result.rowcount == 1


def closing_time(site, on, slot_ends_at=None):
    """When a site closes on a local date (the end of its last opening period), never before
    the end of a slot held that day (outreach sessions may run outside office hours)."""
    plan = sites.plan_days(site, on, on)[0]
    closes = sites.local_datetime(site, on, plan.periods[-1][1]) if plan.periods else None
    if slot_ends_at is not None and (closes is None or slot_ends_at > closes):
        closes = slot_ends_at
    return closes


def checkin_window(appointment):
    """(opens, closes): check-in opens CHECKIN_EARLY_MINUTES before the slot and ends
    when the site closes that day."""
    slot, site = appointment.slot, appointment.site
    early = timedelta(minutes=current_app.config["CHECKIN_EARLY_MINUTES"])
    day = sites.to_local(site, slot.starts_at).date()
    return slot.starts_at - early, closing_time(site, day, slot.ends_at)


def _refuse_checkin(appointment):
    if appointment.status == "cancelled":
        raise InvalidQR(_l("Janji temu ini sudah dibatalkan."))
    if appointment.status in ("checked_in", "recorded", "recording_failed"):
        raise AlreadyCheckedIn(
            _l(
                "%(name)s sudah check-in pukul %(at)s.",
                name=appointment.name,
                at=sites.to_local(appointment.site, appointment.checked_in_at).strftime("%H:%M")
                if appointment.checked_in_at
                else "-",
            )
        )
    if appointment.status != "booked":
        raise InvalidState(
            _l("Janji temu ini tidak dapat check-in (status: %(s)s).", s=appointment.status)
        )


@transactional
def check_in(appointment, site_ids=None, on_the_day=True):
    """Check a booked resident in at a desk of one of `site_ids` (None: any site).

    `on_the_day=False` is for an outreach team's tally, written after the session: the
    resident was seen on the day, so the day and the check-in window are not checked.
    Raises InvalidQR (cancelled), WrongSiteOrDay (another site, another day, outside the
    window), AlreadyCheckedIn (second scan), InvalidState.
    """
    if appointment.status == "cancelled":
        _refuse_checkin(appointment)
    site = appointment.site
    if site_ids is not None and appointment.site_id not in site_ids:
        raise WrongSiteOrDay(_l("Janji temu ini untuk lokasi lain: %(site)s.", site=site.name))
    if not on_the_day:
        _refuse_checkin(appointment)
        if not _transition(
            appointment, ("booked",), status="checked_in", checked_in_at=clock.now()
        ):
            _refuse_checkin(appointment)
            raise InvalidState()
        return appointment
    today = sites.to_local(site, clock.now()).date()
    day = sites.to_local(site, appointment.slot.starts_at).date()
    if day != today:
        raise WrongSiteOrDay(
            _l("Janji temu ini untuk tanggal lain: %(day)s.", day=day.strftime("%d-%m-%Y"))
        )
    _refuse_checkin(appointment)
    opens, closes = checkin_window(appointment)
    now = clock.now()
    if now < opens:
        raise WrongSiteOrDay(
            _l(
                "Terlalu awal: check-in dibuka pukul %(at)s.",
                at=sites.to_local(site, opens).strftime("%H:%M"),
            )
        )
    if now >= closes:
        raise WrongSiteOrDay(_l("Layanan hari ini sudah tutup; check-in tidak dapat dilakukan."))
    if not _transition(appointment, ("booked",), status="checked_in", checked_in_at=now):
        _refuse_checkin(appointment)
        raise InvalidState()
    return appointment


def appointment_for_checkin(qr=None, code=None):
    """The appointment named by a scanned QR text or a typed booking code.

    Raises InvalidQR for a forged or altered token, NotFound for an unknown typed code.
    """
    if qr is not None:
        try:
            code = code_from_checkin_token(qr)
        except (BadSignature, UnicodeDecodeError):
            raise InvalidQR(_l("Kode QR tidak sah (palsu atau diubah).")) from None
        try:
            return get_by_code(code)
        except NotFound:
            raise InvalidQR() from None
    return get_by_code(code)


@transactional
def mark_recorded(appointment):
    """Biometrics taken: the appointment is recorded. Raises InvalidState unless checked in."""
    if not _transition(appointment, ("checked_in",), status="recorded", recorded_at=clock.now()):
        raise InvalidState(
            _l(
                "Hanya penduduk yang sudah check-in dapat ditandai terekam (status: %(s)s).",
                s=appointment.status,
            )
        )
    for listener in _recording_listeners:
        listener(appointment)
    return appointment


_recording_listeners = []


def register_recording_listener(fn):
    """Another feature is told of every recording, in its transaction (coverage counts)."""
    if fn not in _recording_listeners:
        _recording_listeners.append(fn)


@transactional
def mark_recording_failed(appointment, reason):
    """Recording failed (device fault, worn fingerprints): the NIK may book again.
    Raises InvalidState unless checked in."""
    if not _transition(
        appointment, ("checked_in",), status="recording_failed", outcome_reason=reason
    ):
        raise InvalidState(
            _l(
                "Hanya penduduk yang sudah check-in dapat ditandai gagal rekam (status: %(s)s).",
                s=appointment.status,
            )
        )
    return appointment


@transactional
def mark_no_show(appointment):
    """The resident did not come: frees the seat and the NIK. Raises InvalidState unless
    booked and the slot has begun."""
    if appointment.status == "booked" and clock.now() < appointment.slot.starts_at:
        raise InvalidState(_l("Jadwal ini belum dimulai; penduduk masih dapat datang."))
    if not _transition(appointment, ("booked",), status="no_show"):
        raise InvalidState(
            _l(
                "Hanya janji temu berstatus 'dipesan' dapat ditandai tidak hadir (status: %(s)s).",
                s=appointment.status,
            )
        )
    sites.release_seat(appointment.slot_id)
    db.session.refresh(appointment)
    return appointment


@transactional
def mark_no_shows_after_close():
    """Mark every booking still `booked` after its site closed that day as no-show; returns
    the appointments changed. Safe to run twice (conditional UPDATE on status).

    Outreach sessions are often worked on paper and settled by the tally afterwards, so
    their bookings wait OUTREACH_TALLY_GRACE_DAYS after the session before they lapse."""
    now = clock.now()
    grace = timedelta(days=current_app.config["OUTREACH_TALLY_GRACE_DAYS"])
    candidates = db.session.scalars(
        sa.select(Appointment)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.status == "booked", Slot.starts_at < now)
        .order_by(Appointment.site_id, Slot.starts_at)
    ).all()
    closes = {}
    changed = []
    for appointment in candidates:
        site, slot = appointment.site, appointment.slot
        day = sites.to_local(site, slot.starts_at).date()
        if (site.id, day) not in closes:
            closes[(site.id, day)] = closing_time(site, day)
        close = closes[(site.id, day)]
        if close is None or close < slot.ends_at:
            close = slot.ends_at
        if slot.session_kind == "outreach":
            close += grace
        if now < close:
            continue
        if _transition(appointment, ("booked",), status="no_show"):
            sites.release_seat(appointment.slot_id)
            changed.append(appointment)
    return changed


@transactional
def register_walk_in(site_id, applicant, birth_date_override_reason=None):
    """A resident without a booking, checked in at once into the site's current slot.

    Raises ValidationError, NoCurrentSlot, SlotFull, DuplicateBooking, AlreadyRecorded.
    """
    site = sites.get_site(site_id)
    slot = sites.current_slot(site.id)
    if slot is None:
        raise NoCurrentSlot()
    check_applicant(
        applicant,
        sites.to_local(site, slot.starts_at).date(),
        accept_mismatch_reason=birth_date_override_reason,
    )
    return book_into_slot(
        slot,
        applicant,
        channel="walk_in",
        status="checked_in",
        birth_date_override_reason=birth_date_override_reason,
    )


def list_day(site, on):
    """The appointments of a site on a local date, by slot time, and their counts."""
    start = sites.local_datetime(site, on, time(0))
    end = start + timedelta(days=1)
    rows = db.session.scalars(
        sa.select(Appointment)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.site_id == site.id, Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Appointment.name, Appointment.id)
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    for a in rows:
        counts[a.status] += 1
    return rows, counts


# ------------------------------------------------------------------ tokens, QR, calendar


def _signer(salt):
    return _cached_signer(current_app.config["SECRET_KEY"], salt)


@lru_cache(maxsize=8)
def _cached_signer(secret, salt):
    # One Signer per key and salt, built once: every booking signs twice (the answer's
    # links and the message's).
    return Signer(secret, salt=salt, sep=".")


def checkin_token(appointment):
    """The QR code's text: the booking code, signed. It names the appointment, never the NIK."""
    return _signer("antre-checkin").sign(appointment.code).decode()


def code_from_checkin_token(token):
    """The booking code in a check-in token; raises BadSignature for a forged or altered one."""
    return _signer("antre-checkin").unsign((token or "").strip()).decode()


def link_signature(code):
    """Signature for URLs that only the holder of an appointment can open."""
    return _cached_link_signature(current_app.config["SECRET_KEY"], code)


@lru_cache(maxsize=64)
def _cached_link_signature(secret, code):
    # A booking signs its code twice (the message's link, the answer's links).
    return _cached_signer(secret, "antre-link").get_signature(code).decode()


def verify_link(code, signature):
    """True when a URL signature belongs to the code."""
    try:
        return _signer("antre-link").verify_signature(code, signature or "")
    except BadSignature:
        return False


def appointment_link(appointment):
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/janji/{appointment.code}?s={link_signature(appointment.code)}"


def qr_png(appointment, box_size=8):
    """A PNG of the check-in QR code."""
    image = qrcode.make(
        checkin_token(appointment),
        box_size=box_size,
        border=3,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def ics_bytes(appointment):
    """An iCalendar file of the appointment, in the site's local time."""
    site, slot = appointment.site, appointment.slot
    cal = Calendar()
    cal.add("prodid", "-//Antre KTP-el//id")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.code}@antre-ktp-el")
    event.add("dtstamp", clock.now())
    event.add("dtstart", sites.to_local(site, slot.starts_at))
    event.add("dtend", sites.to_local(site, slot.ends_at))
    event.add("summary", f"Perekaman KTP-el - {site.name}")
    event.add("location", ", ".join(p for p in (site.name, site.address) if p))
    event.add(
        "description",
        (
            f"Kode booking: {appointment.code}\n"
            "Bawa HP berisi kode QR atau cetakannya. Datang 15 menit sebelum jadwal.\n"
            f"{appointment_link(appointment)}"
        ),
    )
    event.add("status", "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


# ----------------------------------------------------------------------- card summary

_card_provider = None


def register_card_provider(fn):
    """The cards feature tells appointments how to describe an appointment's card."""
    global _card_provider
    _card_provider = fn


def card_summary(appointment, *, booked_now=False):
    """Card `C` of API.md for an appointment. `booked_now`: the appointment was created in
    this request's transaction, so no card request can point at it (saves the look-up)."""
    if _card_provider is not None and not booked_now:
        return _card_provider(appointment)
    return {
        "status": "not_recorded",
        "print_on": None,
        "pickup_from": None,
        "pickup_site": None,
        "queue_position": None,
    }


# ------------------------------------------------------------------------ notifications


def _notify(appointment, event, **extra):
    event, message = _message(appointment, event, **extra)
    notifications.enqueue(event, **message)


def _message(appointment, event, **extra):
    """(event, enqueue's keywords) of a message about an appointment (or a record with
    the same attributes, its slot and site included)."""
    site, slot = appointment.site, appointment.slot
    starts = sites.to_local(site, slot.starts_at)
    return event, {
        "name": appointment.name,
        "phone": appointment.phone,
        "email": appointment.email,
        "locale": appointment.locale,
        "reference": appointment.code,
        "nik_masked": appointment.nik_masked,
        "context": {
            "code": appointment.code,
            "site": site.name,
            "address": site.address,
            "starts_at": starts.isoformat(),
            "link": appointment_link(appointment),
            **extra,
        },
    }


def notify(appointment, event, **extra):
    """Queue a message about an appointment (other features' events use this)."""
    _notify(appointment, event, **extra)


def is_active(appointment):
    return appointment.status in ACTIVE_STATUSES
