"""A coordinator's outreach request: creation, listing, who may see it, decline and cancellation."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock, l10n, names, regions
from scheduler.appointments import services as appointments
from scheduler.db import transactional
from scheduler.errors import Forbidden, InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.outreach.models import (
    OutreachKit,
    OutreachRequest,
    OutreachSession,
)
from scheduler.outreach.services.sessions import (
    _get,
    booking_url,
    is_open,
    is_public,
    session_appointments,
    session_slots,
    tally_counts,
)
from scheduler.sites import services as sites


@dataclass
class RequestInput:
    """What a coordinator asks for."""

    institution_kind: str
    institution_name: str
    address: str
    kecamatan: str
    desa: str
    expected_participants: int
    preferred_dates: list = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""
    notes: str = ""


# ------------------------------------------------------------------------------ regions


def resolve_area(kecamatan, desa):
    """(kecamatan name, kecamatan code, desa name) from a kecamatan name or code and a desa
    (or kelurahan) name or code of that kecamatan; raises ValidationError on the field at
    fault."""
    match = regions.current().find_kecamatan(kecamatan)
    if match is None:
        raise ValidationError(
            fields={"kecamatan": _l("Kecamatan tidak dikenal di %(r)s.", r=_regency_name())}
        )
    wanted = " ".join((desa or "").split())
    found = next((d for d in match.desa if d.code == wanted), None) or match.find_desa(wanted)
    if found is None:
        raise ValidationError(
            fields={"desa": _l("Desa/kelurahan tidak ada di Kecamatan %(k)s.", k=match.name)}
        )
    return match.name, match.code, found.name


def _regency_name():
    return current_app.config["REGENCY_NAME"]


# ----------------------------------------------------------------------------- requests


@transactional
def create_request(coordinator, data):
    """A coordinator's request for a session; returns it pending. Raises ValidationError."""
    kec_name, kec_code, desa = resolve_area(data.kecamatan, data.desa)
    today = sites.local_today()
    dates = list(data.preferred_dates)
    if not 2 <= len(dates) <= 3:
        raise ValidationError(
            fields={"preferred_dates": _l("Pilih dua atau tiga tanggal yang diinginkan.")}
        )
    if len(set(dates)) != len(dates):
        raise ValidationError(
            fields={"preferred_dates": _l("Tanggal yang diinginkan tidak boleh sama.")}
        )
    if any(d <= today for d in dates):
        raise ValidationError(
            fields={"preferred_dates": _l("Tanggal yang diinginkan harus setelah hari ini.")}
        )
    names.check_name(data.contact_name, "contact_name")
    phone = appointments.normalize_phone(data.contact_phone, field="contact_phone")
    request = OutreachRequest(
        coordinator_id=coordinator.id,
        status="pending",
        institution_kind=data.institution_kind,
        institution_name=data.institution_name,
        address=data.address,
        kecamatan=kec_name,
        kecamatan_code=kec_code,
        desa=desa,
        expected_participants=data.expected_participants,
        preferred_dates=[d.isoformat() for d in dates],
        contact_name=data.contact_name,
        contact_phone=phone,
        notes=data.notes or "",
        created_at=clock.now(),
    )
    db.session.add(request)
    db.session.flush()
    return request


def list_requests(user, status=None):
    """Requests a user may see: a coordinator's own, every request for an admin, those with
    a session at their sites for staff.

    Pending ones first, then the newest."""
    query = sa.select(OutreachRequest).order_by(
        sa.case({"pending": 0, "approved": 1}, value=OutreachRequest.status, else_=2),
        OutreachRequest.created_at.desc(),
        OutreachRequest.id.desc(),
    )
    if user.role == "coordinator":
        query = query.where(OutreachRequest.coordinator_id == user.id)
    elif user.role == "staff":
        # Staff see the sessions held at their sites, to work them.
        query = query.join(OutreachSession).where(OutreachSession.site_id.in_(user.site_ids or {0}))
    elif user.role != "admin":
        raise Forbidden()
    if status:
        query = query.where(OutreachRequest.status == status)
    return db.session.scalars(query).all()


def get_request(request_id, user):
    """A request the user may see: an admin any, a coordinator their own, staff those with a
    session at one of their sites; others are NotFound."""
    if user.role not in ("admin", "coordinator", "staff"):
        raise Forbidden()
    request = _get(OutreachRequest, request_id)
    if request is None or not _may_see(user, request):
        raise NotFound()
    return request


def _may_see(user, request):
    if user.role == "admin":
        return True
    if user.role == "coordinator":
        return request.coordinator_id == user.id
    return request.session is not None and request.session.site_id in user.site_ids


def request_overview(request_id, user, language="id"):
    """Everything the request page shows: the request, its session, slots, participants
    (masked NIK only), the tally, which preferred dates are a Sunday or a holiday (named
    in `language`) and how many expected participants the session has no seat for."""
    request = get_request(request_id, user)
    session = request.session
    overview = {
        "request": request,
        "session": session,
        "slots": [],
        "participants": [],
        "date_notes": {
            d.isoformat(): note
            for d, note in date_notes(iso_dates(request.preferred_dates or []), language).items()
        },
        "seats_short": seats_short(session, request.expected_participants),
    }
    if session is not None:
        overview.update(
            slots=session_slots(session),
            participants=session_appointments(session),
            is_public=is_public(session),
            is_open=is_open(session),
            booking_url=booking_url(session),
            tally=tally_counts(session),
            local_start=sites.to_local(session.site, session.starts_at),
            local_end=sites.to_local(session.site, session.ends_at),
        )
    return overview


def _claim(request_id, new_status, from_statuses, **values):
    """Move a request from one of `from_statuses` to `new_status` (conditional UPDATE), so
    that two admins deciding at once cannot both win. Raises NotFound, InvalidState."""
    if _get(OutreachRequest, request_id) is None:
        raise NotFound()
    result = db.session.execute(
        sa.update(OutreachRequest)
        .where(OutreachRequest.id == request_id, OutreachRequest.status.in_(from_statuses))
        .values(status=new_status, **values)
        .execution_options(synchronize_session=False)
    )
    request = _get(OutreachRequest, request_id)
    db.session.refresh(request)
    if result.rowcount != 1:
        raise InvalidState(_l("Permintaan ini sudah diproses (status: %(s)s).", s=request.status))
    return request


@transactional
def decline_request(request_id, admin, reason):
    """Decline a pending request with a reason the coordinator sees. Raises InvalidState."""
    request = _claim(
        request_id,
        "declined",
        ("pending",),
        decline_reason=reason,
        decided_at=clock.now(),
        decided_by_id=admin.id,
    )
    _notify(request, "outreach_declined", reason=reason)
    return request


@transactional
def cancel_request(request_id, user, reason=""):
    """A coordinator withdraws a pending request; an admin may also call off an approved
    session (its bookings are cancelled and the residents told, the team and kits freed).
    Raises NotFound, InvalidState."""
    if user.role not in ("admin", "coordinator"):
        raise Forbidden()
    request = get_request(request_id, user)
    allowed = ("pending", "approved") if user.role == "admin" else ("pending",)
    request = _claim(request.id, "cancelled", allowed, decline_reason=reason or None)
    session = request.session
    if session is not None and session.active:
        session.active = False
        db.session.execute(sa.delete(OutreachKit).where(OutreachKit.session_id == session.id))
        for appointment in session_appointments(session, statuses=("booked",)):
            appointments.cancel_by_office(
                appointment, reason or str(_l("Sesi jemput bola dibatalkan."))
            )
        db.session.flush()
    return request


def _notify(request, event, session=None, reason=None):
    context = {
        "institution": request.institution_name,
        "date": None,
        "start": None,
        "end": None,
        "booking_url": None,
        "reason": reason,
    }
    if session is not None:
        context.update(
            date=session.held_on.isoformat(),
            start=sites.to_local(session.site, session.starts_at).strftime("%H:%M"),
            end=sites.to_local(session.site, session.ends_at).strftime("%H:%M"),
            booking_url=booking_url(session),
        )
    notifications.enqueue(
        event,
        name=request.contact_name,
        phone=request.contact_phone,
        email=request.coordinator.email,
        locale="id",
        reference=f"JB-{request.id}",
        context=context,
    )


def parse_hhmm(text, field):
    """A local time from "08:00", "8:00", "08.00" or "8.00"; raises ValidationError on
    `field`."""
    at = l10n.parse_time(text)
    if at is None:
        raise ValidationError(fields={field: TIME_FORMAT_MESSAGE})
    return at


TIME_FORMAT_MESSAGE = _l("Tulis jam seperti 08.00 atau 08:00.")


def date_notes(days, language="id"):
    """{date: why it is no ordinary working day} for those of `days` that fall on a Sunday,
    a public holiday or cuti bersama (the regency's holiday calendar, admins' corrections
    included); ordinary days are left out."""
    days = sorted(set(days))
    if not days:
        return {}
    holidays = sites.holiday_calendar(days[0], days[-1], language)
    notes = {}
    for day in days:
        if day in holidays:
            name, category = holidays[day]
            notes[day] = _holiday_note(category, name)
        elif day.weekday() == 6:
            notes[day] = _l("hari Minggu")
    return notes


def _holiday_note(category, name):
    if category == "public":
        return _l("libur: %(name)s", name=name)
    return _l("cuti bersama: %(name)s", name=name)


def seats_short(session, expected):
    """How many of the `expected` participants the session has no seat for (0 if none)."""
    return max(0, expected - session.capacity) if session is not None else 0


def iso_dates(values):
    return [date.fromisoformat(v) for v in values]
