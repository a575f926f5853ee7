"""A resident's right of access: everything the office holds about a booking's person.

The answer is built from the booking, its card, the outbox rows about it and the audit
log (what staff did, and every page or export that showed the record). It never holds
the full NIK, and addresses are masked.
"""

import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.errors import NotFound
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.outreach.models import HomeVisit
from scheduler.sites import services as sites
from scheduler.staff import services as staff
from scheduler.staff.models import User

# Audit actions that change a booking (its history); every other entry naming it is a read.
STAFF_ACTIONS = (
    "check_in",
    "walk_in",
    "recorded",
    "recording_failed",
    "no_show",
    "office_cancel",
)


def find_own_booking(code, nik):
    """The booking for a code and NIK; a wrong NIK is the same NotFound as a wrong code."""
    return appointments.find_for_resident(code, nik)


def my_data(code, nik):
    """Everything held about the person of a booking (code + NIK); raises NotFound."""
    appointment = find_own_booking(code, nik)
    return describe(appointment)


DOWNLOAD_SECONDS = 600


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="privacy-my-data")


def open_my_data(code, nik):
    """(the access answer, a download token): the token lets the page that showed the
    answer offer it as a file for ten minutes without the NIK being typed again or kept
    in the page. Raises NotFound."""
    appointment = find_own_booking(code, nik)
    token = _serializer().dumps([appointment.code, _binding(appointment)])
    return describe(appointment), token


def _binding(appointment):
    """Ties a download token to the booking's NIK as stored (a signed token is readable:
    a digest of the hash, never the hash); erasure or a key rotation voids it."""
    return hashlib.sha256(appointment.nik_hash.encode()).hexdigest()[:16]


def my_data_for_token(token):
    """The access answer a download token stands for; NotFound once it is over ten
    minutes old, forged, or the data was erased meanwhile."""
    try:
        code, digest = _serializer().loads(token or "", max_age=DOWNLOAD_SECONDS)
        appointment = appointments.get_by_code(code)
    except (BadSignature, ValueError, TypeError):
        raise NotFound() from None
    if not appointment.nik_hash or not secrets.compare_digest(_binding(appointment), digest):
        raise NotFound()
    return describe(appointment)


def describe(appointment):
    """The access answer for a booking already identified."""
    site = appointment.site

    def at(moment):
        return sites.to_local(site, moment).isoformat() if moment else None

    entries = staff.entries_about(appointment.id)
    return {
        "booking": _booking(appointment, at),
        "history": _history(appointment, entries, at),
        "card": _card(appointment, at),
        "messages": _messages(appointment, at),
        "staff_reads": [
            {"at": at(e.at), "staff": _staff_label(e), "action": e.action, "detail": e.detail}
            for e in entries
            if e.action not in STAFF_ACTIONS
        ],
        "retention": retention_of(appointment),
        "home_visit": _home_visit(appointment, at),
    }


def _home_visit(appointment, at):
    """The request for a recording at home that this booking was planned for, if any."""
    visit = db.session.scalar(
        sa.select(HomeVisit).where(HomeVisit.appointment_id == appointment.id)
    )
    if visit is None:
        return None
    return {
        "status": visit.status,
        "reason": visit.reason,
        "reason_note": visit.reason_note,
        "address": visit.address,
        "desa": visit.desa,
        "kecamatan": visit.kecamatan,
        "contact_name": visit.contact_name,
        "contact_phone_masked": notifications.mask_phone(visit.contact_phone) or None,
        "requested_at": at(visit.created_at),
        "window": {"starts_at": at(visit.window_starts_at), "ends_at": at(visit.window_ends_at)},
        "outcome": visit.outcome,
    }


def _booking(appointment, at):
    slot = appointment.slot
    return {
        "code": appointment.code,
        "status": appointment.status,
        "channel": appointment.channel,
        "name": appointment.name,
        "nik_masked": appointment.nik_masked,
        "birth_date": appointment.birth_date.isoformat(),
        "married": appointment.married,
        "phone_masked": notifications.mask_phone(appointment.phone) or None,
        "email_masked": notifications.mask_email(appointment.email) or None,
        "language": appointment.locale,
        "consent_at": at(appointment.consent_at),
        "booked_at": at(appointment.booked_at),
        "slot": {"starts_at": at(slot.starts_at), "ends_at": at(slot.ends_at)},
        "site": {"id": appointment.site.id, "name": appointment.site.name},
        "outcome_reason": appointment.outcome_reason,
    }


_TIMESTAMP_EVENTS = (
    ("booked", "booked_at"),
    ("check_in", "checked_in_at"),
    ("recorded", "recorded_at"),
    ("cancelled", "cancelled_at"),
)


def _history(appointment, entries, at):
    events = [
        {"at": e.at, "event": e.action, "by": _staff_label(e)}
        for e in entries
        if e.action in STAFF_ACTIONS
    ]
    audited = {e["event"] for e in events}
    if "office_cancel" in audited:
        audited.add("cancelled")
    for event, column in _TIMESTAMP_EVENTS:
        moment = getattr(appointment, column)
        if moment is not None and event not in audited:
            by = "resident" if event in ("booked", "cancelled") else None
            events.append({"at": moment, "event": event, "by": by})
    if appointment.status in ("no_show", "recording_failed") and appointment.status not in audited:
        events.append(
            {"at": appointment.status_changed_at, "event": appointment.status, "by": None}
        )
    events.sort(key=lambda e: (e["at"], e["event"] != "booked"))
    return [{**e, "at": at(e["at"])} for e in events]


def _card(appointment, at):
    card = cards.card_for_appointment(appointment)
    summary = cards.card_json(card)
    if card is None or card.status == "cancelled":
        return {**summary, "requested_at": None, "printed_at": None, "picked_up_at": None}
    return {
        **summary,
        "requested_at": at(card.queued_at),
        "printed_at": at(card.printed_at),
        "picked_up_at": at(card.picked_up_at),
        "collected_by": card.collected_by,
    }


def _messages(appointment, at):
    return [
        {
            "event": m.event,
            "queued_at": at(m.created_at),
            "sent_at": at(m.sent_at),
            "status": m.status,
            "channel": m.channel,
            "delivery": m.provider_status,
            "to": (
                notifications.mask_phone(m.phone)
                if m.route == "phone"
                else notifications.mask_email(m.email)
            )
            or None,
        }
        for m in notifications.messages_for(appointment.code)
    ]


def _staff_label(entry):
    """Who on the staff: their name and role (the email stays in the office's own log)."""
    user = db.session.get(User, entry.user_id) if entry.user_id else None
    if user is None:
        return "system" if entry.user_email == "system" else "staff"
    return f"{user.name or 'staff'} ({user.role})"


def retention_of(appointment):
    """Until when the booking's personal data is kept, and by which rule."""
    from scheduler.privacy import retention

    return retention.kept_until(appointment, current_app.config)
