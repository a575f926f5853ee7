"""Removing a person's data from the rows that hold it, in bulk and in the caller's
transaction (flushes, never commits). Used by erasure and by the retention purge.

What stays is what counts need: the booking row with its status, site, slot, times,
channel, sex, marital status and birth year; the outbox row's event, channel and times;
the card's status and dates. A scrubbed booking has `erased_at` set. A recorded booking
is the office's recording record (name, NIK, birth date) and only loses its contact.
"""

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment, IdempotencyKey
from scheduler.cards.models import CLOSED_STATUSES, CardRequest
from scheduler.extensions import db
from scheduler.notifications.models import UNSENT_STATUSES, OutboxMessage
from scheduler.outreach.models import CLOSED_VISIT_STATUSES, OPEN_VISIT_STATUSES, HomeVisit


def _birth_year(column):
    """The birth date cut to 1 January of its year (a count by age stays possible)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return sa.func.make_date(sa.extract("year", column).cast(sa.Integer), 1, 1)
    return sa.func.date(column, "start of year")


def scrub_appointments(ids, *, how="retention"):
    """Remove name, phone, email, the NIK (encrypted, masked, its keyed hash), the exact
    birth date and free-text reasons of these bookings (never recorded ones: see
    erasure), their unsent messages and the addresses of the sent ones. Returns how many
    bookings changed."""
    ids = list(ids)
    if not ids:
        return 0
    now = clock.now()
    values = {
        "name": "",
        "phone": "",
        "email": None,
        "nik_hash": "",
        "nik_encrypted": "",
        "nik_masked": "",
        "birth_date": _birth_year(Appointment.birth_date),
        "birth_date_override_reason": None,
        "erased_at": now,
        "erased_how": how,
    }
    changed = db.session.execute(
        sa.update(Appointment)
        .where(
            Appointment.id.in_(ids),
            Appointment.erased_at.is_(None),
            Appointment.status != "recorded",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    codes = sa.select(Appointment.code).where(Appointment.id.in_(ids)).scalar_subquery()
    scrub_messages(OutboxMessage.reference.in_(codes))
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.appointment_id.in_(ids)))
    db.session.flush()
    db.session.expire_all()
    return changed


def scrub_messages(condition):
    """Unsent messages (pending, failed) matching `condition` are dropped: nobody is left
    to send them to; the others lose their addresses and name."""
    db.session.execute(
        sa.delete(OutboxMessage)
        .where(condition, OutboxMessage.status.in_(UNSENT_STATUSES))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(condition)
        .values(recipient_name="", phone=None, email=None, nik_masked=None, context={})
        .execution_options(synchronize_session=False)
    )


def remove_contact(appointment_ids):
    """Remove the phone and email of recorded bookings (the recording record, name and
    NIK, stays), and the addresses of their messages."""
    appointment_ids = list(appointment_ids)
    if not appointment_ids:
        return 0
    changed = db.session.execute(
        sa.update(Appointment)
        .where(Appointment.id.in_(appointment_ids))
        .values(phone="", email=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    codes = sa.select(Appointment.code).where(Appointment.id.in_(appointment_ids))
    scrub_messages(OutboxMessage.reference.in_(codes.scalar_subquery()))
    db.session.flush()
    db.session.expire_all()
    return changed


def scrub_cards(ids):
    """Remove the holder's name, phone, email, NIK (encrypted, masked, hashed) and the
    collector's name from these closed card requests (collected or withdrawn: the hash
    only matters while a card is in process)."""
    ids = list(ids)
    if not ids:
        return 0
    changed = db.session.execute(
        sa.update(CardRequest)
        .where(CardRequest.id.in_(ids), CardRequest.status.in_(CLOSED_STATUSES))
        .values(
            name="",
            phone=None,
            email=None,
            nik_hash="",
            nik_masked="",
            nik_encrypted=None,
            collector_name=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    codes = sa.select(CardRequest.code).where(CardRequest.id.in_(ids)).scalar_subquery()
    scrub_messages(OutboxMessage.reference.in_(codes))
    db.session.flush()
    return changed


def scrub_home_visits(ids):
    """Remove the person's NIK (encrypted, masked, hashed), name, address, contact and
    notes from these closed home visits (done or declined: the recording itself stays on
    its appointment); the birth date keeps only its year, as for bookings."""
    ids = list(ids)
    if not ids:
        return 0
    visits = db.session.execute(
        sa.select(HomeVisit.id, HomeVisit.birth_date).where(
            HomeVisit.id.in_(ids), HomeVisit.status.in_(CLOSED_VISIT_STATUSES)
        )
    ).all()
    for visit_id, born in visits:
        db.session.execute(
            sa.update(HomeVisit)
            .where(HomeVisit.id == visit_id)
            .values(
                nik_hash="",
                nik_encrypted="",
                nik_masked="",
                name="",
                birth_date=born.replace(month=1, day=1),
                address="",
                contact_name="",
                contact_phone="",
                reason_note="",
                decline_reason=None,
            )
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return len(visits)


def erase_home_visit(appointment_id):
    """The home visit of this booking, if any, is closed (declined when not yet done) and
    loses the person's data; returns whether there was one."""
    ids = db.session.scalars(
        sa.select(HomeVisit.id).where(HomeVisit.appointment_id == appointment_id)
    ).all()
    if not ids:
        return False
    db.session.execute(
        sa.update(HomeVisit)
        .where(HomeVisit.id.in_(ids), HomeVisit.status.in_(OPEN_VISIT_STATUSES))
        .values(status="declined")
        .execution_options(synchronize_session=False)
    )
    scrub_home_visits(ids)
    return True
