"""An approved session: its signed booking link, slots, participants (and the counts of their
outcomes), visibility and staff."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer

from scheduler import clock, links
from scheduler.appointments import services as appointments
from scheduler.db import is_row_id, transactional
from scheduler.errors import Forbidden, InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.outreach.models import (
    OUTCOMES,
    OutreachOutcome,
    OutreachSession,
)
from scheduler.sites import services as sites
from scheduler.staff import services as staff

# Appointments that count as a participant of the session.
PARTICIPANT_STATUSES = ("booked", "checked_in", "recorded", "recording_failed", "no_show")


def _get(model, row_id):
    """A row by id, or None; ids beyond the column's range are simply unknown."""
    if not is_row_id(row_id):
        return None
    return db.session.get(model, row_id)


# ----------------------------------------------------------------------------- sessions


def _signer():
    return Signer(current_app.config["SECRET_KEY"], salt="antre-outreach-session", sep=".")


def session_signature(session_id):
    return _signer().get_signature(str(session_id)).decode()


def booking_url(session):
    """The signed public page of one session: its slots and the booking form."""
    return links.public_url(f"/jemput-bola/sesi/{session.id}?s={session_signature(session.id)}")


def session_slots(session):
    return sites.list_outreach_slots(session.site_id, session.starts_at, session.ends_at)


def session_appointments(session, statuses=PARTICIPANT_STATUSES):
    """The session's participants, by slot then booking time."""
    ids = [s.id for s in session_slots(session)]
    return appointments.list_for_slots(ids, statuses=statuses)


def get_session(session_id, user, roles=("admin", "coordinator")):
    """A session the user may work on: an admin's any, a coordinator's own request's, a
    staff member's at one of their sites. Raises Forbidden, NotFound."""
    if user.role not in roles:
        raise Forbidden()
    session = _get(OutreachSession, session_id)
    if session is None:
        raise NotFound()
    if user.role == "coordinator" and session.request.coordinator_id != user.id:
        raise NotFound()
    if user.role == "staff":
        sites.check_site(user.acting_site_ids, session.site_id, NotFound())
    return session


def is_open(session):
    """True while residents may still book into the session."""
    return session.active and session.request.status == "approved" and session.ends_at > clock.now()


def session_by_link(session_id, signature):
    """The session behind a signed booking link; a bad signature is NotFound."""
    try:
        valid = _signer().verify_signature(str(session_id), signature or "")
    except BadSignature:
        valid = False
    session = _get(OutreachSession, session_id) if valid else None
    if session is None:
        raise NotFound()
    return session


@transactional
def book_session_seat(session_id, signature, slot_id, applicant, field_errors=None):
    """Book a resident into one of the session's slots from its signed page; same rules as
    any booking (`field_errors`: what the page refused already, reported with the rest).
    Raises NotFound, InvalidState, ValidationError, SlotFull, DuplicateBooking."""
    session = session_by_link(session_id, signature)
    if not is_open(session):
        raise InvalidState(_l("Sesi ini sudah tidak menerima pendaftaran."))
    if slot_id not in {s.id for s in session_slots(session)}:
        raise ValidationError(fields={"slot_id": _l("Pilih salah satu jam sesi ini.")})
    appointment, _created = appointments.book_appointment(
        slot_id, applicant, channel="web", allow_private=True, field_errors=field_errors
    )
    return appointment


@transactional
def set_session_public(session_id, user, is_public):
    """Open the session's slots to the public list, or make them link-and-roster only."""
    session = get_session(session_id, user, roles=("admin",))
    if not session.active:
        raise InvalidState()
    sites.set_outreach_slots_public(session.site_id, session.starts_at, session.ends_at, is_public)
    return session


def is_public(session):
    slots = session_slots(session)
    return bool(slots) and all(s.is_public for s in slots)


# ------------------------------------------------------------------------- session staff


def staff_for_session(session):
    """[(user, assigned)] for every active staff member: those who have the session's site
    among their sites work it (roster, check-in, tally)."""
    return [
        (u, session.site_id in u.site_ids)
        for u in staff.list_users()
        if u.role == "staff" and u.active
    ]


@transactional
def assign_session_staff(session_id, admin, user_ids):
    """An admin chooses the staff who work a session: the chosen get the session's site in
    their sites, the others lose it. Each change goes through staff.update_user (audited).
    Raises NotFound, InvalidState (session called off), ValidationError (not a staff
    member)."""
    session = get_session(session_id, admin, roles=("admin",))
    if not session.active:
        raise InvalidState(_l("Sesi ini sudah dibatalkan."))
    candidates = {u.id: u for u, _assigned in staff_for_session(session)}
    chosen = set(user_ids)
    if not chosen <= set(candidates):
        raise ValidationError(fields={"user_ids": _l("Pilih petugas yang aktif.")})
    changed = []
    for user_id, user in candidates.items():
        has = session.site_id in user.site_ids
        if (user_id in chosen) == has:
            continue
        site_ids = (
            (user.site_ids | {session.site_id}) if not has else (user.site_ids - {session.site_id})
        )
        staff.update_user(
            admin,
            user_id,
            role=user.role,
            active=user.active,
            site_ids=sorted(site_ids),
            name=user.name,
        )
        changed.append(user)
    return changed


# -------------------------------------------------------------------------------- tally

# What an appointment's status says about the participant, before staff tally it.
STATUS_OUTCOME = {"recorded": "recorded", "recording_failed": "failed", "no_show": "absent"}


def tally_rows(session):
    """[(appointment, outcome or None)] for the session's participants."""
    participants = session_appointments(session)
    saved = {
        o.appointment_id: o.outcome
        for o in db.session.scalars(
            sa.select(OutreachOutcome).where(OutreachOutcome.session_id == session.id)
        )
    }
    return [(a, saved.get(a.id) or STATUS_OUTCOME.get(a.status)) for a in participants]


def tally_counts(session):
    """{outcome: count, "untallied": count, "total": count} for the session."""
    counts = dict.fromkeys(OUTCOMES, 0)
    counts["untallied"] = 0
    rows = tally_rows(session)
    for _appointment, outcome in rows:
        counts[outcome or "untallied"] += 1
    counts["total"] = len(rows)
    return counts
