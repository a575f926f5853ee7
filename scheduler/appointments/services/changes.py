"""A resident's own booking: look it up, cancel it, move it; the office's cancellation."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments.models import (
    Appointment,
)
from scheduler.appointments.services.applicants import Applicant, check_applicant, normalize_code
from scheduler.appointments.services.notices import notify
from scheduler.db import (
    transactional,
)
from scheduler.errors import (
    InvalidState,
    NotFound,
    ValidationError,
)
from scheduler.extensions import db
from scheduler.sites import services as sites


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
    # The hash is computed for an unknown code too: both answers take the same time.
    matches = niks.nik_matches(nik or "", appointment.nik_hash if appointment else "")
    if appointment is None or not matches:
        raise NotFound(_l("Kode booking atau NIK tidak cocok."))
    return appointment


@transactional
def cancel_appointment(code, nik, reason=None):
    """Cancel a booked appointment and free its seat at once; raises NotFound, InvalidState."""
    appointment = find_for_resident(code, nik)
    _cancel(appointment, reason)
    notify(appointment, "appointment_cancelled")
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
def cancel_without_message(appointment, reason=None):
    """Cancel a booked appointment and free its seat, telling nobody (the resident asked
    for their data to be erased: there is no one left to tell). Raises InvalidState."""
    _cancel(appointment, reason)
    return appointment


@transactional
def cancel_by_office(appointment, reason):
    """The office cancels (closure, device fault); the resident is told."""
    _cancel(appointment, reason)
    notify(appointment, "appointment_cancelled_by_office", reason=reason)
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
        Applicant.of(
            nik=nik,
            name=appointment.name,
            birth_date=appointment.birth_date,
            phone=appointment.phone,
        ),
        sites.to_local(slot.site, slot.starts_at).date(),
        accept_mismatch_reason=appointment.birth_date_override_reason,
        new_name=False,
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
    notify(appointment, "appointment_rescheduled")
    return appointment
