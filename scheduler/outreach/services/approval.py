"""An admin approves a request: the session, its site, kits, team and slots."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from scheduler import clock, l10n
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.outreach.models import (
    HomeVisitRound,
    OutreachKit,
    OutreachRequest,
    OutreachSession,
)
from scheduler.outreach.services.requests import _claim, _notify, iso_dates
from scheduler.outreach.services.sessions import _get
from scheduler.sites import services as sites


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
    request = _pending_request(request_id)
    key = _check_form(start, end, kits, team)
    starts_at, ends_at = _session_times(on, start, end)
    free = _free_kits(on, kits, team, key)
    site, starts_at, ends_at = _session_site(request, on, start, end, kits, starts_at, ends_at)
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
    _add_session(session, free[:kits])
    sites.add_outreach_slots(site.id, plan, is_public=False)
    _notify(request, "outreach_approved", session=session)
    return request


def _pending_request(request_id):
    request = _get(OutreachRequest, request_id)
    if request is None:
        raise NotFound()
    if request.status != "pending":
        raise InvalidState(_l("Permintaan ini sudah diproses (status: %(s)s).", s=request.status))
    return request


def _check_form(start, end, kits, team):
    """The team's key, once the team is named, the hours in order and the kits owned."""
    owned = current_app.config["OUTREACH_KITS"]
    key = team_key(team)
    if not key:
        raise ValidationError(fields={"team": _l("Wajib diisi.")})
    if end <= start:
        raise ValidationError(fields={"end": _l("Jam selesai harus setelah jam mulai.")})
    if kits > owned:
        raise InvalidState(_l("Kantor hanya memiliki %(n)s perangkat perekaman keliling.", n=owned))
    return key


def _session_times(on, start, end):
    """The session's start and end in the regency's zone; it must lie ahead."""
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    starts_at = datetime.combine(on, start, tzinfo=tz).astimezone(clock.now().tzinfo)
    ends_at = datetime.combine(on, end, tzinfo=tz).astimezone(clock.now().tzinfo)
    if starts_at <= clock.now():
        raise ValidationError(fields={"date": _l("Jadwal sesi harus di masa depan.")})
    return starts_at, ends_at


def _free_kits(on, kits, team, key):
    """The kit numbers still free on the day, once the team is known to be free too;
    raises InvalidState when either is not."""
    busy_team = db.session.scalar(
        sa.select(OutreachSession.id).where(
            OutreachSession.held_on == on,
            OutreachSession.team_key == key,
            OutreachSession.active.is_(True),
        )
    )
    if busy_team is None:  # a team on its home visits that day is out too
        busy_team = db.session.scalar(
            sa.select(HomeVisitRound.id).where(
                HomeVisitRound.held_on == on, HomeVisitRound.team_key == key
            )
        )
    if busy_team is not None:
        raise InvalidState(_l("Tim %(t)s sudah bertugas pada %(d)s.", t=team, d=l10n.Day(on)))
    owned = current_app.config["OUTREACH_KITS"]
    taken = set(
        db.session.scalars(sa.select(OutreachKit.kit_number).where(OutreachKit.held_on == on))
    )
    free = [n for n in range(1, owned + 1) if n not in taken]
    if len(free) < kits:
        raise InvalidState(
            _l(
                "Pada %(d)s hanya %(free)s dari %(owned)s perangkat yang masih tersedia.",
                d=l10n.Day(on),
                free=len(free),
                owned=owned,
            )
        )
    return free


def _session_site(request, on, start, end, kits, starts_at, ends_at):
    """The institution's site (found or made) and the session's hours in its zone; raises
    InvalidState when another session there overlaps them."""
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
    return site, starts_at, ends_at


def _add_session(session, kit_numbers):
    """Write the session and its kits in a savepoint; raises InvalidState when another
    approval took the team, a kit or the request in the same moment."""
    try:
        with db.session.begin_nested():
            db.session.add(session)
            db.session.flush()
            db.session.add_all(
                OutreachKit(session_id=session.id, held_on=session.held_on, kit_number=n)
                for n in kit_numbers
            )
            db.session.flush()
    except IntegrityError:
        # Another admin took the team, a kit or this request in the same moment.
        raise InvalidState(
            _l("Tim atau perangkat baru saja dipakai sesi lain pada hari itu. Coba lagi.")
        ) from None
