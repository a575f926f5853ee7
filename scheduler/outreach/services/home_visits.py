"""Home visits: a recording at home for someone elderly, bedridden or disabled.

The family or a village coordinator asks (reason, address, desa, contact); an admin plans
visits on a day for a team with one mobile kit (the outreach rules: a team once a day, a
kit out once a day, no more kits than the office owns); each visit gets a time window and
an appointment at the resident's kecamatan office (where the card is collected), and the
contact is told the day and the window. The team's result is written as at the desk
(recorded: the card is queued, at the head of the print queue; failed: the NIK is free).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from scheduler import clock, names
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.constraints import add_or_refuse
from scheduler.db import transactional
from scheduler.errors import DomainError, InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.outreach.models import (
    HOME_VISIT_OUTCOMES,
    HOME_VISIT_REASONS,
    HomeVisit,
    HomeVisitRound,
    OutreachKit,
    OutreachSession,
)
from scheduler.outreach.services.approval import team_key
from scheduler.outreach.services.requests import resolve_area
from scheduler.outreach.services.tally import apply_outcome
from scheduler.sites import services as sites

MAX_VISITS_PER_PLAN = 12
HOME_VISIT_PRIORITY = 2  # the head of the print queue (cards' highest level)


@dataclass
class HomeVisitInput:
    """What the family or the coordinator tells us."""

    nik: str
    name: str
    birth_date: object
    reason: str
    address: str
    kecamatan: str
    desa: str
    contact_name: str
    contact_phone: str
    reason_note: str = ""
    married: bool = False


def _check_person(data):
    names.check_name(data.name)
    names.check_name(data.contact_name)
    info = niks.parse_nik(data.nik)
    niks.check_region(info)
    niks.check_birth_date(info, data.birth_date)
    minimum = current_app.config["MINIMUM_RECORDING_AGE"]
    if relativedelta(clock.now().date(), data.birth_date).years < minimum:
        raise ValidationError(
            fields={"birth_date": _l("Perekaman KTP-el mulai usia %(age)s tahun.", age=minimum)}
        )
    if data.reason not in HOME_VISIT_REASONS:
        raise ValidationError(fields={"reason": _l("Pilihan tidak sah.")})


@transactional
def request_home_visit(data, requested_by=None):
    """Record a request for a recording at home; raises ValidationError (NIK, birth date,
    age, area, phone, a request already open for this NIK)."""
    _check_person(data)
    kecamatan, kecamatan_code, desa = resolve_area(data.kecamatan, data.desa)
    visit = HomeVisit(
        status="requested",
        reason=data.reason,
        reason_note=(data.reason_note or "")[:300],
        nik_hash=niks.hash_nik(data.nik),
        nik_encrypted=niks.encrypt_nik(data.nik),
        nik_masked=niks.mask_nik(data.nik),
        name=" ".join(data.name.split()),
        birth_date=data.birth_date,
        married=bool(data.married),
        address=data.address,
        kecamatan=kecamatan,
        kecamatan_code=kecamatan_code,
        desa=desa,
        contact_name=" ".join(data.contact_name.split()),
        contact_phone=appointments.normalize_phone(data.contact_phone, field="contact_phone"),
        requested_by_id=getattr(requested_by, "id", None),
        created_at=clock.now(),
    )
    return add_or_refuse(visit)


def list_home_visits(status=None):
    """Home visits, open ones first by request time; `status` filters."""
    query = sa.select(HomeVisit).order_by(
        HomeVisit.status != "requested", HomeVisit.window_starts_at, HomeVisit.id
    )
    if status:
        query = query.where(HomeVisit.status == status)
    return db.session.scalars(query.limit(500)).all()


def get_home_visit(visit_id):
    visit = db.session.get(HomeVisit, visit_id) if isinstance(visit_id, int) else None
    if visit is None:
        raise NotFound()
    return visit


def _site_for_visit(visit):
    """The resident's kecamatan office (where the card will be collected), else the
    main office."""
    for kind in ("subdistrict", "office"):
        found = sites.list_sites(
            kind=kind, kecamatan=visit.kecamatan_code if kind != "office" else None
        )
        if found:
            return found[0]
    raise InvalidState(_l("Belum ada kantor aktif untuk mencatat kunjungan rumah."))


def _round_for(admin, on, team):
    """The team's round that day (created with a free kit), or InvalidState when the team
    works an outreach session that day or no kit is left."""
    key = team_key(team)
    if not key:
        raise ValidationError(fields={"team": _l("Wajib diisi.")})
    existing = db.session.scalar(
        sa.select(HomeVisitRound).where(
            HomeVisitRound.held_on == on, HomeVisitRound.team_key == key
        )
    )
    if existing is not None:
        return existing
    busy = db.session.scalar(
        sa.select(OutreachSession.id).where(
            OutreachSession.held_on == on,
            OutreachSession.team_key == key,
            OutreachSession.active.is_(True),
        )
    )
    if busy is not None:
        raise InvalidState(_l("Tim %(t)s sudah bertugas pada %(d)s.", t=team, d=on.isoformat()))
    owned = current_app.config["OUTREACH_KITS"]
    taken = set(
        db.session.scalars(sa.select(OutreachKit.kit_number).where(OutreachKit.held_on == on))
    )
    free = [n for n in range(1, owned + 1) if n not in taken]
    if not free:
        raise InvalidState(
            _l(
                "Pada %(d)s semua %(owned)s perangkat sudah terpakai.",
                d=on.isoformat(),
                owned=owned,
            )
        )
    round_ = HomeVisitRound(
        held_on=on,
        team=" ".join(team.split()),
        team_key=key,
        created_by_id=admin.id,
        created_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(round_)
            db.session.flush()
            db.session.add(OutreachKit(round_id=round_.id, held_on=on, kit_number=free[0]))
            db.session.flush()
    except IntegrityError:
        raise InvalidState(
            _l("Tim atau perangkat baru saja dipakai sesi lain pada hari itu. Coba lagi.")
        ) from None
    return round_


def _next_window_start(round_, first):
    last = db.session.scalar(
        sa.select(sa.func.max(HomeVisit.window_ends_at)).where(HomeVisit.round_id == round_.id)
    )
    return max(first, last) if last is not None else first


@transactional
def plan_home_visits(admin, on, team, start, minutes, visit_ids):
    """Plan requested visits on a day for a team with a kit: one window of `minutes` each,
    one after another from `start` (regency-local time); each gets an appointment and the
    contact is told the day and the window. Raises ValidationError, NotFound,
    InvalidState (team or kit busy, a visit not requested, the NIK already booked)."""
    ids = list(dict.fromkeys(visit_ids))
    if not 1 <= len(ids) <= MAX_VISITS_PER_PLAN:
        raise ValidationError(
            fields={"visits": _l("Pilih 1 sampai %(n)s kunjungan.", n=MAX_VISITS_PER_PLAN)}
        )
    if not 15 <= minutes <= 240:
        raise ValidationError(fields={"minutes": _l("Antara 15 dan 240 menit.")})
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    first = datetime.combine(on, start, tzinfo=tz).astimezone(clock.now().tzinfo)
    if first <= clock.now():
        raise ValidationError(fields={"date": _l("Jadwal kunjungan harus di masa depan.")})
    visits = [get_home_visit(i) for i in ids]
    for visit in visits:
        if visit.status != "requested":
            raise InvalidState(
                _l(
                    "Kunjungan %(id)s tidak menunggu jadwal (status: %(s)s).",
                    id=visit.id,
                    s=visit.status,
                )
            )
    round_ = _round_for(admin, on, team)
    at = _next_window_start(round_, first)
    step = timedelta(minutes=minutes)
    for visit in visits:
        _plan_one(visit, round_, at, at + step)
        at += step
    return visits


def _plan_one(visit, round_, starts_at, ends_at):
    site = _site_for_visit(visit)
    slot = sites.outreach_seat(site.id, starts_at, ends_at)
    applicant = appointments.Applicant.of(
        nik=niks.decrypt_nik(visit.nik_encrypted),
        name=visit.name,
        birth_date=visit.birth_date,
        phone=visit.contact_phone,
        married=visit.married,
        assistance="disabled" if visit.reason == "disabled" else "elderly",
    )
    try:
        appointment = appointments.book_into_slot(slot, applicant, channel="home_visit")
    except DomainError as exc:
        raise InvalidState(_l("%(name)s: %(why)s", name=visit.name, why=str(exc.message))) from None
    visit.status = "planned"
    visit.round_id = round_.id
    visit.appointment_id = appointment.id
    visit.window_starts_at, visit.window_ends_at = starts_at, ends_at
    db.session.flush()
    local = sites.to_local(site, starts_at)
    notifications.enqueue(
        "home_visit_planned",
        name=visit.contact_name,
        phone=visit.contact_phone,
        locale="id",
        reference=appointment.code,
        nik_masked=visit.nik_masked,
        context={
            "code": appointment.code,
            "resident": visit.name,
            "date": local.date().isoformat(),
            "start": local.strftime("%H:%M"),
            "end": sites.to_local(site, ends_at).strftime("%H:%M"),
            "link": appointments.appointment_link(appointment),
        },
    )


@transactional
def record_home_visit(user, visit_id, outcome, reason=""):
    """The team's result of a visit, as at the desk: recorded (the card is queued at the
    head of the print queue) or failed (the NIK is free). Raises NotFound, ValidationError,
    InvalidState (not planned, before its window)."""
    visit = get_home_visit(visit_id)
    if outcome not in HOME_VISIT_OUTCOMES:
        raise ValidationError(fields={"outcome": _l("Pilihan tidak sah.")})
    if visit.status != "planned":
        raise InvalidState(_l("Kunjungan ini tidak terjadwal (status: %(s)s).", s=visit.status))
    if visit.window_starts_at > clock.now():
        raise InvalidState(_l("Hasil dapat dicatat setelah waktu kunjungan dimulai."))
    appointment = visit.appointment
    apply_outcome(user, appointment, outcome, detail="home visit", reason=reason or None)
    if outcome == "recorded":
        cards.set_priority(appointment.code, HOME_VISIT_PRIORITY, "kunjungan rumah")
    visit.status, visit.outcome, visit.outcome_at = "done", outcome, clock.now()
    db.session.flush()
    return visit
