"""The desk: check-in, outcomes, walk-ins and the day's roster, for staff of a site.

Every action checks the actor's sites and writes its audit entry in the same transaction
as the change; the state transitions themselves belong to appointments.services.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.db import transactional
from scheduler.errors import Forbidden, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.sites.models import Site
from scheduler.staff import queue
from scheduler.staff.models import QUEUE_LINES
from scheduler.staff.services import audit, audit_view

DESK_ROLES = ("admin", "staff")
FAILURE_REASONS = {
    "device_fault": _l("Alat perekam rusak"),
    "worn_fingerprints": _l("Sidik jari aus / tidak terbaca"),
    "iris_unreadable": _l("Iris tidak terbaca"),
    "power_or_network": _l("Listrik atau jaringan padam"),
}
# The national centre's reasons for rejecting a recording (re-recording needed).
REJECTION_REASONS = {
    "duplicate_biometrics": _l("Biometrik ganda (terdeteksi duplikat)"),
    "bad_capture": _l("Kualitas rekaman buruk (foto, sidik jari atau iris)"),
    "data_not_accepted": _l("Data tidak diterima pusat"),
}


def home_regency(nik_masked):
    """Where a resident's NIK was issued, as the desk shows it: '' when in the regency
    served, its regency's name when elsewhere (recording is allowed anywhere), or a word
    that the code is not in the region data."""
    code = (nik_masked or "")[:4]
    if code == current_app.config["REGENCY_CODE"].replace(".", ""):
        return ""
    return niks.home_regency(code) or _l("kode wilayah %(code)s tidak dikenal", code=code)


def site_scope(actor):
    """The site ids an actor may act on; None means every site (admins)."""
    if actor.role not in ("admin", "staff"):
        raise Forbidden()
    return actor.acting_site_ids


def desk_sites(actor):
    """The active sites an actor works at (admins: all)."""
    scope = site_scope(actor)
    query = sa.select(Site).where(Site.active.is_(True)).order_by(Site.kind != "office", Site.name)
    if scope is not None:
        query = query.where(Site.id.in_(scope or [-1]))
    return db.session.scalars(query).all()


def check_desk_site(actor, site_id):
    """Refuse any site but the active ones the actor works at (desk_sites) as NotFound, so a
    page that polls one site's table never shows another's. Raises Forbidden, NotFound."""
    sites.check_site({s.id for s in desk_sites(actor)}, site_id, NotFound())


def _site_for(actor, site_id, field="site_id"):
    scope = site_scope(actor)
    site = db.session.get(Site, site_id) if site_id else None
    if site is None:
        raise ValidationError(fields={field: _l("Lokasi tidak dikenal.")})
    sites.check_site(scope, site.id, Forbidden(_l("Anda tidak bertugas di lokasi ini.")))
    return site


def appointment_for(actor, code):
    """An appointment the actor may act on; another site's appointment is NotFound."""
    scope = site_scope(actor)
    appointment = appointments.get_by_code(code)
    sites.check_site(scope, appointment.site_id, NotFound())
    return appointment


# ------------------------------------------------- one step on an appointment already found
# The desk, the outreach tally and an outreach desk's offline queue each move an appointment
# through these, so the state change, what goes with it and its audit entry stay together.
# They run in the caller's transaction; `detail` is the audit entry's.


def apply_check_in(actor, appointment, detail, site_ids=None, on_the_day=True):
    """Check the resident in (see appointments.check_in) and audit it; raises InvalidQR,
    WrongSiteOrDay, AlreadyCheckedIn, InvalidState."""
    appointments.check_in(appointment, site_ids, on_the_day=on_the_day)
    audit(actor, "check_in", appointment, detail=detail)


def apply_recorded(actor, appointment, detail, ikd_activated=False):
    """Mark the resident recorded, queue their card and audit it; raises InvalidState."""
    appointments.mark_recorded(appointment, ikd_activated=ikd_activated)
    # docs/api.md: marking a resident recorded runs the card allocation in the same transaction.
    cards.on_recorded(appointment, actor_id=actor.id)
    audit(actor, "recorded", appointment, detail=detail)


def apply_recording_failed(actor, appointment, reason, detail):
    """Mark the recording failed for `reason` (the NIK may book again) and audit it;
    raises InvalidState."""
    appointments.mark_recording_failed(appointment, reason)
    audit(actor, "recording_failed", appointment, detail=detail)


def apply_no_show(actor, appointment, detail=""):
    """Mark the resident absent and audit it; raises InvalidState."""
    appointments.mark_no_show(appointment)
    audit(actor, "no_show", appointment, detail=detail)


# ---------------------------------------------------------------------- desk actions


@transactional
def check_in(actor, qr=None, code=None, site_id=None):
    """Check a resident in from a scanned QR text or a typed code, at the desk's site
    (default: the actor's sites). Raises InvalidQR, NotFound, WrongSiteOrDay,
    AlreadyCheckedIn, InvalidState, Forbidden."""
    site_ids = {_site_for(actor, site_id).id} if site_id is not None else site_scope(actor)
    appointment = appointments.appointment_for_checkin(qr=qr, code=code)
    apply_check_in(actor, appointment, "qr" if qr is not None else "code", site_ids)
    _queue_number(appointment)
    return appointment


def _queue_number(appointment):
    """The resident's number on the site's recording line (help asked for: called first)."""
    return queue.issue_ticket(
        appointment.site,
        "recording",
        priority=bool(appointment.assistance),
        appointment=appointment,
    )


@transactional
def mark_recorded(actor, code, ikd_activated=False):
    """Biometrics taken (and the IKD activated, when ticked); raises NotFound, InvalidState."""
    appointment = appointment_for(actor, code)
    apply_recorded(actor, appointment, "ikd" if ikd_activated else "", ikd_activated)
    return appointment


@transactional
def mark_recording_failed(actor, code, reason):
    """Recording failed for a reason; the NIK may book again. Raises NotFound, InvalidState."""
    appointment = appointment_for(actor, code)
    apply_recording_failed(actor, appointment, reason, reason)
    return appointment


@transactional
def mark_recording_rejected(actor, code, reason, note=""):
    """The centre rejected a recording: the card request is withdrawn, the NIK may book
    again and the resident is invited to. Raises NotFound, InvalidState."""
    appointment = appointment_for(actor, code)
    if appointment.status != "recorded":
        appointments.mark_recording_rejected(appointment, reason, note)  # raises, in words
    cards.withdraw_card(appointment, reason)
    appointments.mark_recording_rejected(appointment, reason, note)
    audit(actor, "recording_rejected", appointment, detail=f"{reason}: {note}" if note else reason)
    return appointment


@transactional
def mark_no_show(actor, code):
    """The resident did not come; raises NotFound, InvalidState."""
    appointment = appointment_for(actor, code)
    apply_no_show(actor, appointment)
    return appointment


@transactional
def office_cancel(actor, code, reason):
    """The office cancels a booking and the resident is told; raises NotFound, InvalidState."""
    appointment = appointment_for(actor, code)
    appointments.cancel_by_office(appointment, reason)
    audit(actor, "office_cancel", appointment, detail=reason)
    return appointment


@transactional
def walk_in(actor, data, locale="id"):
    """Register a resident without a booking (a parsed WalkInIn) into the site's current
    slot, checked in. Raises ValidationError, Forbidden, NoCurrentSlot, SlotFull,
    DuplicateBooking, AlreadyRecorded."""
    site = _site_for(actor, data.site_id)
    applicant = appointments.Applicant.of(
        nik=data.nik,
        name=data.name,
        birth_date=data.birth_date,
        phone=appointments.normalize_phone(data.phone),
        married=data.married,
        assistance=data.assistance,
        locale=locale,
    )
    reason = (data.birth_date_override_reason or "").strip() or None
    appointment = appointments.register_walk_in(site.id, applicant, reason)
    _queue_number(appointment)
    detail = f"birth date accepted: {reason}" if reason else ""
    audit(actor, "walk_in", appointment, detail=detail)
    return appointment


@transactional
def roster(actor, site_id, on=None):
    """(site, day, appointments, counts) of a site's day; the view is audited."""
    site = _site_for(actor, site_id)
    on = on or sites.to_local(site, clock.now()).date()
    rows, counts = appointments.list_day(site, on)
    audit_view(actor, "view_roster", site.id, on.isoformat(), [a.id for a in rows])
    return site, on, rows, counts


# ------------------------------------------------------------------------ queue on site


def queue_boards(actor, site_id):
    """Each line's board of one of the actor's sites today; raises ValidationError,
    Forbidden."""
    site = _site_for(actor, site_id)
    return [queue.board(site, line) for line in QUEUE_LINES]


@transactional
def call_next(actor, site_id, line, station):
    """A station calls its next number (priority first); None when no one waits. Raises
    ValidationError, Forbidden, InvalidState."""
    return queue.call_next(_site_for(actor, site_id), line, station)


@transactional
def recall(actor, site_id, line, station):
    """A station calls its current number again; raises ValidationError, Forbidden,
    NotFound."""
    return queue.recall(_site_for(actor, site_id), line, station)


@transactional
def issue_pickup_ticket(actor, site_id, priority=False):
    """A number at the site's pickup desk; raises ValidationError, Forbidden."""
    return queue.issue_ticket(_site_for(actor, site_id), "pickup", priority=priority)
