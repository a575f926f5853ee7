"""Outreach requests, their sessions, the session's booking link, the tally and invitations.

Guarantees in the database: a request has at most one session (UNIQUE); one team works
one active session a day (partial UNIQUE); a kit is out once a day (UNIQUE(held_on,
kit_number)); slots never hold more than their capacity (sites' CHECK). The Python checks
before them only give the friendly message.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.exc import SignatureExpired
from sqlalchemy.exc import IntegrityError

from scheduler import clock, names, regions
from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.db import transactional
from scheduler.errors import DomainError, Forbidden, InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.outreach.models import (
    OUTCOMES,
    OutreachKit,
    OutreachOutcome,
    OutreachRequest,
    OutreachSession,
)
from scheduler.sites import services as sites
from scheduler.staff import services as staff

# Appointments that count as a participant of the session.
PARTICIPANT_STATUSES = ("booked", "checked_in", "recorded", "recording_failed", "no_show")


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


MAX_ID = 2**31 - 1


def _get(model, row_id):
    """A row by id, or None; ids beyond the column's range are simply unknown."""
    if not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
        return None
    return db.session.get(model, row_id)


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


def request_overview(request_id, user):
    """Everything the request page shows: the request, its session, slots, participants
    (masked NIK only) and the tally."""
    request = get_request(request_id, user)
    session = request.session
    overview = {"request": request, "session": session, "slots": [], "participants": []}
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


def team_key(team):
    return " ".join((team or "").split()).casefold()


def _find_or_create_site(request, kits):
    name = request.institution_name.casefold()
    for site in sites.list_sites(
        kind=request.institution_kind, kecamatan=request.kecamatan_code, include_inactive=True
    ):
        if site.name.casefold() == name:
            if not site.active:
                sites.save_site(site.id, active=True)
            return site
    return sites.save_site(
        name=request.institution_name,
        kind=request.institution_kind,
        address=request.address,
        kecamatan=request.kecamatan,
        kecamatan_code=request.kecamatan_code,
        desa=request.desa,
        timezone=current_app.config["REGENCY_TIMEZONE"],
        stations=kits,
        slot_minutes=30,
        closes_on_cuti_bersama=False,
        active=True,
    )


def slot_plan(starts_at, ends_at, slot_minutes, kits):
    """[(starts, ends, capacity)]: the session cut into the site's slot length, each slot
    seating kits x (its minutes // RECORDING_MINUTES)."""
    recording = current_app.config["RECORDING_MINUTES"]
    step = timedelta(minutes=slot_minutes)
    plan = []
    at = starts_at
    while at < ends_at:
        until = min(at + step, ends_at)
        capacity = kits * (int((until - at).total_seconds()) // 60 // recording)
        if capacity > 0:
            plan.append((at, until, capacity))
        at = until
    return plan


def suggested_approval(request):
    """A starting point for the approval form: the first preferred date still ahead, and
    enough kits (of those the office owns) for the expected pupils in four hours."""
    today = sites.local_today()
    ahead = [d for d in iso_dates(request.preferred_dates or []) if d > today]
    per_kit = 240 // current_app.config["RECORDING_MINUTES"]
    kits = -(-request.expected_participants // per_kit)
    return {
        "date": ahead[0] if ahead else None,
        "start": "08:00",
        "end": "12:00",
        "kits": max(1, min(kits, current_app.config["OUTREACH_KITS"])),
    }


@transactional
def approve_request(request_id, admin, on, start, end, kits, team):
    """Schedule a pending request: the session at the institution's site, its kits and its
    outreach slots (not public). Raises ValidationError, NotFound, InvalidState (approved
    twice, the team already out that day, not enough kits left that day)."""
    request = _get(OutreachRequest, request_id)
    if request is None:
        raise NotFound()
    if request.status != "pending":
        raise InvalidState(_l("Permintaan ini sudah diproses (status: %(s)s).", s=request.status))
    owned = current_app.config["OUTREACH_KITS"]
    key = team_key(team)
    if not key:
        raise ValidationError(fields={"team": _l("Wajib diisi.")})
    if end <= start:
        raise ValidationError(fields={"end": _l("Jam selesai harus setelah jam mulai.")})
    if kits > owned:
        raise InvalidState(_l("Kantor hanya memiliki %(n)s perangkat perekaman keliling.", n=owned))
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    starts_at = datetime.combine(on, start, tzinfo=tz).astimezone(clock.now().tzinfo)
    ends_at = datetime.combine(on, end, tzinfo=tz).astimezone(clock.now().tzinfo)
    if starts_at <= clock.now():
        raise ValidationError(fields={"date": _l("Jadwal sesi harus di masa depan.")})
    busy_team = db.session.scalar(
        sa.select(OutreachSession.id).where(
            OutreachSession.held_on == on,
            OutreachSession.team_key == key,
            OutreachSession.active.is_(True),
        )
    )
    if busy_team is not None:
        raise InvalidState(_l("Tim %(t)s sudah bertugas pada %(d)s.", t=team, d=on.isoformat()))
    taken = set(
        db.session.scalars(sa.select(OutreachKit.kit_number).where(OutreachKit.held_on == on))
    )
    free = [n for n in range(1, owned + 1) if n not in taken]
    if len(free) < kits:
        raise InvalidState(
            _l(
                "Pada %(d)s hanya %(free)s dari %(owned)s perangkat yang masih tersedia.",
                d=on.isoformat(),
                free=len(free),
                owned=owned,
            )
        )
    site = _find_or_create_site(request, kits)
    if site.timezone != current_app.config["REGENCY_TIMEZONE"]:
        starts_at = sites.local_datetime(site, on, start)
        ends_at = sites.local_datetime(site, on, end)
    overlapping = db.session.scalar(
        sa.select(OutreachSession.id).where(
            OutreachSession.site_id == site.id,
            OutreachSession.active.is_(True),
            OutreachSession.starts_at < ends_at,
            OutreachSession.ends_at > starts_at,
        )
    )
    if overlapping is not None:
        # A session's slots are the site's outreach slots in its hours: they must not mix.
        raise InvalidState(_l("Lokasi ini sudah memiliki sesi jemput bola pada jam tersebut."))
    plan = slot_plan(starts_at, ends_at, site.slot_minutes, kits)
    if not plan:
        raise ValidationError(fields={"end": _l("Sesi terlalu singkat untuk satu perekaman.")})
    now = clock.now()
    request = _claim(request_id, "approved", ("pending",), decided_at=now, decided_by_id=admin.id)
    session = OutreachSession(
        request_id=request.id,
        site_id=site.id,
        held_on=on,
        starts_at=starts_at,
        ends_at=ends_at,
        team=" ".join(team.split()),
        team_key=key,
        kits=kits,
        capacity=sum(c for _, _, c in plan),
        active=True,
        summary="",
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(session)
            db.session.flush()
            db.session.add_all(
                OutreachKit(session_id=session.id, held_on=on, kit_number=n) for n in free[:kits]
            )
            db.session.flush()
    except IntegrityError:
        # Another admin took the team, a kit or this request in the same moment.
        raise InvalidState(
            _l("Tim atau perangkat baru saja dipakai sesi lain pada hari itu. Coba lagi.")
        ) from None
    sites.add_outreach_slots(site.id, plan, is_public=False)
    _notify(request, "outreach_approved", session=session)
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


# ----------------------------------------------------------------------------- sessions


def _signer():
    return Signer(current_app.config["SECRET_KEY"], salt="antre-outreach-session", sep=".")


def session_signature(session_id):
    return _signer().get_signature(str(session_id)).decode()


def booking_url(session):
    """The signed public page of one session: its slots and the booking form."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/jemput-bola/sesi/{session.id}?s={session_signature(session.id)}"


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
    if user.role == "staff" and session.site_id not in user.site_ids:
        raise NotFound()
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
def book_session_seat(session_id, signature, slot_id, applicant):
    """Book a resident into one of the session's slots from its signed page; same rules as
    any booking. Raises NotFound, InvalidState, ValidationError, SlotFull, DuplicateBooking."""
    session = session_by_link(session_id, signature)
    if not is_open(session):
        raise InvalidState(_l("Sesi ini sudah tidak menerima pendaftaran."))
    if slot_id not in {s.id for s in session_slots(session)}:
        raise ValidationError(fields={"slot_id": _l("Pilih salah satu jam sesi ini.")})
    appointment, _created = appointments.book_appointment(
        slot_id, applicant, channel="web", allow_private=True
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


# The appointment status each tally outcome ends in, and the reason written for a failure.
OUTCOME_STATUS = {
    "recorded": "recorded",
    "failed": "recording_failed",
    "under_age": "recording_failed",
    "has_card": "recording_failed",
    "absent": "no_show",
}
# Stored with the appointment (data, like the desk's free-text reasons), not translated.
FAILURE_REASON = {
    "failed": "Jemput bola: gagal rekam",
    "under_age": "Jemput bola: belum cukup umur",
    "has_card": "Jemput bola: sudah punya KTP-el",
}


@dataclass
class TallyResult:
    """What a tally did: the participants whose appointment it moved on, and those it left
    as the desk had already set them ((appointment, outcome asked, why))."""

    session: object
    changed: list = field(default_factory=list)
    kept: list = field(default_factory=list)


def apply_outcome(user, appointment, outcome, detail="outreach tally", reason=None):
    """Move one participant's appointment to what the tally (or an offline desk) says,
    through the same services and audit entries as the desk. `reason` is added to the
    failure's reason. Raises DomainError when the appointment is in a state that must not
    be overruled (a desk acted first)."""
    if appointment.status == "booked" and outcome != "absent":
        # The team saw the resident: checked in on the day, whenever the tally is written.
        appointments.check_in(appointment, on_the_day=False)
        staff.audit(user, "check_in", appointment, detail=detail)
    if outcome == "recorded":
        appointments.mark_recorded(appointment)
        # As at the desk: the card is queued and allocated in the same transaction.
        cards.on_recorded(appointment, actor_id=user.id)
        staff.audit(user, "recorded", appointment, detail=detail)
    elif outcome == "absent":
        appointments.mark_no_show(appointment)
        staff.audit(user, "no_show", appointment, detail=detail)
    else:
        why = FAILURE_REASON[outcome] + (f": {reason}" if reason else "")
        appointments.mark_recording_failed(appointment, why[:200])
        staff.audit(user, "recording_failed", appointment, detail=f"{detail}: {outcome}")


def save_outcome(session, appointment_id, outcome, user, at):
    """The participant's line of the tally (one per appointment, UNIQUE); flushes."""
    row = db.session.scalar(
        sa.select(OutreachOutcome).where(OutreachOutcome.appointment_id == appointment_id)
    )
    if row is None:
        row = OutreachOutcome(session_id=session.id, appointment_id=appointment_id)
        db.session.add(row)
    row.outcome, row.recorded_by_id, row.recorded_at = outcome, user.id, at
    db.session.flush()
    return row


@transactional
def record_tally(session_id, user, outcomes, summary=""):
    """Staff record what happened to each participant and a summary of the session; once
    the session is over the request is done.

    Each outcome moves the participant's appointment as the desk would (recorded: checked
    in, recorded, card queued; failed / under age / has a card: recording failed with that
    reason, the NIK freed; absent: no-show), audited. A participant the desk already moved
    to another outcome is left as it is and reported in the result's `kept`.
    Raises InvalidState before the session starts, ValidationError for an unknown outcome or
    participant."""
    session = get_session(session_id, user, roles=("admin", "staff"))
    now = clock.now()
    if not session.active or session.starts_at > now:
        raise InvalidState(_l("Hasil dapat dicatat setelah sesi dimulai."))
    participants = {a.id: a for a in session_appointments(session)}
    for appointment_id, outcome in outcomes.items():
        if appointment_id not in participants:
            raise ValidationError(fields={"outcome": _l("Peserta tidak ada dalam sesi ini.")})
        if outcome not in OUTCOMES:
            raise ValidationError(fields={f"outcome-{appointment_id}": _l("Pilihan tidak sah.")})
    result = TallyResult(session)
    for appointment_id, outcome in sorted(outcomes.items()):
        appointment = participants[appointment_id]
        db.session.refresh(appointment)
        target = OUTCOME_STATUS[outcome]
        if appointment.status != target:
            if appointment.status not in ("booked", "checked_in"):
                result.kept.append((appointment, outcome, appointment.status))
                continue
            try:
                with db.session.begin_nested():
                    apply_outcome(user, appointment, outcome)
            except DomainError as exc:
                # A desk acted in the same moment, or a slot that has not begun yet.
                db.session.refresh(appointment)
                result.kept.append((appointment, outcome, str(exc.message)))
                continue
            result.changed.append(appointment)
        save_outcome(session, appointment_id, outcome, user, now)
    session.summary = summary or ""
    session.summary_at = now
    if session.ends_at <= now and session.request.status == "approved":
        _claim(session.request_id, "done", ("approved",))
    db.session.flush()
    return result


# -------------------------------------------------------------------------- invitations


class _ClockSigner(TimestampSigner):
    """Timestamps from the application clock, so expiry follows clock.now()."""

    def get_timestamp(self):
        return int(clock.now().timestamp())


def _invitations():
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="antre-coordinator-invite", signer=_ClockSigner
    )


def invite_coordinator(email, name):
    """A signed invitation link (valid OUTREACH_INVITE_DAYS) on which a coordinator sets a
    password. Raises ValidationError when the email already has an account."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationError(fields={"email": _l("Alamat email tidak sah.")})
    if staff.get_user_by_email(email) is not None:
        raise ValidationError(fields={"email": _l("Email ini sudah terdaftar.")})
    token = _invitations().dumps({"email": email, "name": name or ""})
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/jemput-bola/undangan/{token}"


def read_invitation(token):
    """{"email", "name"} of a valid invitation; raises NotFound when forged or expired."""
    max_age = current_app.config["OUTREACH_INVITE_DAYS"] * 86400
    try:
        data = _invitations().loads(token, max_age=max_age)
    except SignatureExpired:
        raise NotFound(
            _l("Undangan ini sudah kedaluwarsa. Mintalah undangan baru ke Disdukcapil.")
        ) from None
    except BadSignature:
        raise NotFound(_l("Tautan undangan tidak sah.")) from None
    if staff.get_user_by_email(data["email"]) is not None:
        raise NotFound(_l("Undangan ini sudah dipakai. Silakan masuk dengan email Anda."))
    return data


@transactional
def accept_invitation(token, password):
    """Create the coordinator's account with the password they chose; a link works once.
    Raises NotFound (forged, expired, used), ValidationError (weak password)."""
    data = read_invitation(token)
    return staff.create_user(data["email"], password, "coordinator", name=data["name"])


def parse_hhmm(text, field):
    """A local time from `HH:MM`; raises ValidationError on `field`."""
    try:
        hours, minutes = text.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValidationError(fields={field: _l("Waktu harus berformat HH:MM.")}) from None


def iso_dates(values):
    return [date.fromisoformat(v) for v in values]
