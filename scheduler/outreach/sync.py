"""An outreach desk's offline queue, applied on the server.

A desk without signal keeps checking participants in and noting their outcomes on the
device; when the network returns it sends its queue here, in order. Each event is applied
once: its device UUID is UNIQUE in `outreach_sync_events`, so an event sent again (an
answer lost on the way, two tabs) is answered from what the first sending did. What
another device or the office did meanwhile (checked the participant in, recorded them,
cancelled the booking or the session) is a conflict for that event alone; the others still
apply. The audit log has the device's time and the sync time of every change.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from scheduler import clock, l10n
from scheduler.appointments import services as appointments
from scheduler.appointments.models import ACTIVE_STATUSES
from scheduler.db import transactional
from scheduler.errors import DomainError
from scheduler.extensions import db
from scheduler.outreach import services
from scheduler.outreach.models import OutreachSyncEvent
from scheduler.sites import services as sites
from scheduler.staff import desk
from scheduler.staff import services as staff

# A device clock this far ahead of the server's is wrong, not early.
CLOCK_SKEW = timedelta(minutes=10)
# The tally's outcome and the appointment status each outcome action ends in.
ACTION_OUTCOME = {"recorded": "recorded", "recording_failed": "failed", "absent": "absent"}
ACTION_STATUS = {
    "recorded": "recorded",
    "recording_failed": "recording_failed",
    "absent": "no_show",
}


@dataclass
class SyncEvent:
    """One queued event as the device sent it (`at`: the device's time, timezone-aware)."""

    client_id: str
    code: str
    action: str
    at: datetime
    reason: str | None = None


def events_from(data):
    """SyncEvents from a parsed SyncIn."""
    return [
        SyncEvent(
            client_id=str(e.id),
            code=appointments.normalize_code(e.code),
            action=e.action,
            at=e.at,
            reason=(e.reason or "").strip() or None,
        )
        for e in data.events
    ]


class _Outcome(Exception):
    """Why an event was not applied: `result` is "conflict" or "rejected"."""

    def __init__(self, result, detail):
        super().__init__(detail)
        self.result, self.detail = result, str(detail)


@transactional
def sync_events(session_id, user, events):
    """Apply an outreach desk's queued events (SyncEvent) in the order given; returns one
    answer per event: {"id", "code", "status", "detail"?, "appointment_status"?}.

    Raises Forbidden (not staff or admin), NotFound (another site's session, for staff)."""
    session = services.get_session(session_id, user, roles=("admin", "staff"))
    participants = {a.code: a for a in services.session_appointments(session, statuses=None)}
    now = clock.now()
    return [_sync_one(session, user, participants, event, now) for event in events]


def _seen(client_id):
    return db.session.scalar(
        sa.select(OutreachSyncEvent).where(OutreachSyncEvent.client_id == client_id)
    )


def _sync_one(session, user, participants, event, now):
    seen = _seen(event.client_id)
    if seen is not None:
        return _duplicate(seen, session, participants, event)
    appointment = participants.get(event.code)
    try:
        with db.session.begin_nested():
            row = OutreachSyncEvent(
                client_id=event.client_id,
                session_id=session.id,
                appointment_id=appointment.id if appointment is not None else None,
                code=event.code,
                user_id=user.id,
                action=event.action,
                reason=event.reason,
                happened_at=event.at,
                synced_at=now,
                result="applied",
                detail="",
            )
            db.session.add(row)
            db.session.flush()  # the UNIQUE client id is claimed before anything changes
            row.result, row.detail = _apply(session, user, appointment, event, now)
            db.session.flush()
    except IntegrityError:
        # The same event arrived through another request in the same moment.
        seen = _seen(event.client_id)
        if seen is None:
            raise
        return _duplicate(seen, session, participants, event)
    return _answer(row.client_id, event.code, row.result, row.detail, appointment)


def _answer(client_id, code, status, detail, appointment=None, **extra):
    answer = {"id": client_id, "code": code, "status": status, **extra}
    if detail:
        answer["detail"] = detail
    if appointment is not None:
        answer["appointment_status"] = appointment.status
    return answer


def _duplicate(row, session, participants, event):
    if row.session_id != session.id or row.code != event.code:
        return _answer(
            event.client_id,
            event.code,
            "rejected",
            str(_l("Nomor peristiwa ini sudah dipakai untuk peserta atau sesi lain.")),
        )
    appointment = participants.get(row.code)
    return _answer(
        row.client_id, row.code, "duplicate", row.detail, appointment, original=row.result
    )


def _apply(session, user, appointment, event, now):
    """("applied" | "conflict" | "rejected", detail) for one event, its changes made in a
    savepoint of their own: a refused event leaves nothing behind."""
    try:
        _check(session, appointment, event, now)
        with db.session.begin_nested():
            _change(session, user, appointment, event, now)
    except _Outcome as exc:
        return exc.result, exc.detail
    except DomainError as exc:
        # Another desk's change landed between our read and our conditional UPDATE.
        db.session.refresh(appointment)
        conflict = _conflict(session, appointment, event)
        if conflict is not None:
            return "conflict", conflict
        return "rejected", str(exc.message)
    return "applied", ""


def _check(session, appointment, event, now):
    if appointment is None:
        raise _Outcome("rejected", _l("Kode %(code)s bukan peserta sesi ini.", code=event.code))
    local_day = sites.to_local(session.site, event.at).date()
    if local_day != session.held_on:
        raise _Outcome(
            "rejected",
            _l(
                "Waktu di perangkat (%(day)s) bukan hari sesi (%(held)s); periksa jam perangkat.",
                day=l10n.Day(local_day),
                held=l10n.Day(session.held_on),
            ),
        )
    if event.at > now + CLOCK_SKEW:
        raise _Outcome("rejected", _l("Jam perangkat lebih cepat dari jam server."))
    if event.action == "recording_failed" and not event.reason:
        raise _Outcome("rejected", _l("Alasan gagal rekam wajib diisi."))
    db.session.refresh(appointment)
    conflict = _conflict(session, appointment, event)
    if conflict is not None:
        raise _Outcome("conflict", conflict)


def _conflict(session, appointment, event):
    """Why the participant's current state (or the session's) refuses the event, or None."""
    if not session.active or session.request.status in ("cancelled", "declined"):
        return str(_l("Sesi ini sudah dibatalkan."))
    status = appointment.status
    if status == "cancelled":
        return str(_l("Pendaftaran %(code)s sudah dibatalkan.", code=appointment.code))
    if status in ALLOWED_FROM[event.action]:
        return None
    if status == "checked_in":
        return str(
            _l(
                "%(name)s sudah check-in pukul %(at)s di perangkat atau loket lain.",
                name=appointment.name,
                at=_local_time(session, appointment.checked_in_at),
            )
        )
    return str(
        _l(
            "%(name)s sudah tercatat %(status)s oleh perangkat atau loket lain.",
            name=appointment.name,
            status=str(STATUS_WORDS[status]),
        )
    )


# The appointment statuses each action may start from (booked: the team checks in as it
# records, as the tally does).
ALLOWED_FROM = {
    "checkin": ("booked",),
    "recorded": ACTIVE_STATUSES,
    "recording_failed": ACTIVE_STATUSES,
    "absent": ("booked",),
}
STATUS_WORDS = {
    "booked": _l("terdaftar"),
    "checked_in": _l("sudah check-in"),
    "recorded": _l("terekam"),
    "recording_failed": _l("gagal rekam"),
    "no_show": _l("tidak hadir"),
    "cancelled": _l("dibatalkan"),
}


def _local_time(session, moment):
    return sites.to_local(session.site, moment).strftime("%H:%M") if moment else "-"


def _change(session, user, appointment, event, now):
    detail = (
        f"offline desk: device {sites.to_local(session.site, event.at).isoformat()}, "
        f"synced {sites.to_local(session.site, now).isoformat(timespec='seconds')}"
    )
    if event.action == "checkin":
        desk.apply_check_in(user, appointment, detail, {session.site_id}, on_the_day=False)
        return
    outcome = ACTION_OUTCOME[event.action]
    services.apply_outcome(user, appointment, outcome, detail=detail, reason=event.reason)
    services.save_outcome(session, appointment.id, outcome, user, now)


# ------------------------------------------------------------------- the device's copy

# How long a device keeps a session's participants: one working day, then it must fetch
# them again (with signal) or let them go.
KEEP_HOURS = 24


def token_digest(token):
    """What a device stores to recognise a scanned check-in token: its SHA-256, so the
    device holds no token it could show as a QR code itself, yet matches a scan exactly."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_closed(session):
    """True once the desk has nothing more to do: called off, or tallied and done."""
    return not session.active or session.request.status != "approved"


@transactional
def desk_copy(session_id, user):
    """What an outreach desk keeps on the device for one session: the participants as the
    desk shows them (name, masked NIK, code, time, status) and their token digests, and
    nothing else personal. The view is audited. Raises Forbidden, NotFound."""
    session = services.get_session(session_id, user, roles=("admin", "staff"))
    site = session.site
    closed = is_closed(session)
    rows = [] if closed else services.session_appointments(session)
    staff.audit_view(
        user, "view_outreach_desk", site.id, f"session {session.id}", [a.id for a in rows]
    )
    return {
        "session": {
            "id": session.id,
            "institution": session.request.institution_name,
            "date": session.held_on.isoformat(),
            "start": sites.to_local(site, session.starts_at).strftime("%H:%M"),
            "end": sites.to_local(site, session.ends_at).strftime("%H:%M"),
            "closed": closed,
        },
        "keep_hours": KEEP_HOURS,
        "participants": [
            {
                "code": a.code,
                "name": a.name,
                "nik_masked": a.nik_masked,
                "time": sites.to_local(site, a.slot.starts_at).strftime("%H:%M"),
                "status": a.status,
                "token_sha256": token_digest(appointments.checkin_token(a)),
            }
            for a in rows
        ],
    }
