"""The day at the desk: check-in, the recording's outcome, no-shows, walk-ins, the day's list."""

from datetime import time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature

from scheduler import clock, l10n
from scheduler.appointments.models import (
    STATUSES,
    Appointment,
)
from scheduler.appointments.services.applicants import check_applicant
from scheduler.appointments.services.booking import book_into_slot
from scheduler.appointments.services.changes import get_by_code
from scheduler.appointments.services.notices import notify
from scheduler.appointments.services.tokens import code_from_checkin_token
from scheduler.db import (
    transactional,
)
from scheduler.errors import (
    AlreadyCheckedIn,
    InvalidQR,
    InvalidState,
    NoCurrentSlot,
    NotFound,
    WrongSiteOrDay,
)
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.sites.models import Slot


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
    sites.check_site(
        site_ids,
        appointment.site_id,
        WrongSiteOrDay(_l("Janji temu ini untuk lokasi lain: %(site)s.", site=site.name)),
    )
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
        raise WrongSiteOrDay(_l("Janji temu ini untuk tanggal lain: %(day)s.", day=l10n.Day(day)))
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
def mark_recorded(appointment, ikd_activated=False):
    """Biometrics taken: the appointment is recorded (and the digital ID, IKD, activated
    there when `ikd_activated`). Raises InvalidState unless checked in."""
    now = clock.now()
    ikd = {"ikd_activated_at": now} if ikd_activated else {}
    if not _transition(appointment, ("checked_in",), status="recorded", recorded_at=now, **ikd):
        raise InvalidState(
            _l(
                "Hanya penduduk yang sudah check-in dapat ditandai terekam (status: %(s)s).",
                s=appointment.status,
            )
        )
    for listener in _recording_listeners:
        listener(appointment, 1)
    return appointment


_recording_listeners = []


def register_recording_listener(fn):
    """Another feature is told of every recording, `fn(appointment, 1)`, and of every
    recording the centre rejected, `fn(appointment, -1)`, in its transaction (coverage
    counts)."""
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
def mark_recording_rejected(appointment, kind, note=""):
    """The national centre rejected a recording (duplicate biometrics, bad capture, data
    not accepted): the NIK may book again and the resident is invited to. The caller
    withdraws the card first. Raises InvalidState unless recorded."""
    if not _transition(
        appointment,
        ("recorded",),
        status="recording_rejected",
        rejected_at=clock.now(),
        rejection_kind=kind,
        outcome_reason=(note or "")[:200] or None,
    ):
        raise InvalidState(
            _l(
                "Hanya perekaman yang sudah terekam dapat ditandai ditolak pusat (status: %(s)s).",
                s=appointment.status,
            )
        )
    for listener in _recording_listeners:
        listener(appointment, -1)  # a rejected recording no longer counts
    notify(appointment, "recording_rejected", kind=kind, reason=note or "")
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
        at_desk=True,
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
        # Within a slot, residents who asked for help come first: they are served first.
        .order_by(
            Slot.starts_at, Appointment.assistance.is_(None), Appointment.name, Appointment.id
        )
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    for a in rows:
        counts[a.status] += 1
    return rows, counts
