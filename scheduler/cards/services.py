"""Card requests: the print queue, allocation of print and pickup dates, printing,
handing over, messages to residents, and the card summary shown to them.

Other features use on_recorded(appointment) and card_summary(appointment); the stock
ledger lives in ledger.py and stock.py, the allocator itself in allocation.py.
"""

import secrets
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from scheduler import clock, names
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.cards import ledger
from scheduler.cards.allocation import Request, plan
from scheduler.cards.models import (
    UNPRINTED_STATUSES,
    CardRequest,
    ExpectedDelivery,
    PrintSite,
)
from scheduler.db import is_integrity_error_for, transactional
from scheduler.errors import InvalidQR, InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.sites import services as sites

CARD_AGE = 17
NOT_RECORDED = {
    "status": "not_recorded",
    "print_on": None,
    "pickup_from": None,
    "pickup_site": None,
    "queue_position": None,
}


def _cfg(key):
    return current_app.config[key]


def today():
    """Today in the regency's zone: print dates and pickup dates are local dates."""
    return sites.local_today()


def _day_bounds_utc(on):
    tz = sites.zone(_cfg("REGENCY_TIMEZONE"))
    start = datetime.combine(on, time(0), tzinfo=tz).astimezone(UTC)
    return start, start + timedelta(days=1)


def eligible_on(birth_date, married, on):
    """The first day a card may be printed: None when the holder may hold one on `on`."""
    if married or birth_date is None:
        return None
    turns = birth_date + relativedelta(years=CARD_AGE)
    return turns if turns > on else None


# ----------------------------------------------------------------------- where and when


def _main_office():
    offices = sites.list_sites(kind="office")
    return offices[0] if offices else None


def pickup_site_for(site):
    """Where a card recorded at `site` is collected (see CARD_PICKUP_AT_KECAMATAN)."""
    mode = _cfg("CARD_PICKUP_AT_KECAMATAN")
    if mode == "none" or site.kind == "office":
        return site
    if site.kind == "subdistrict":
        return site
    if mode in ("outreach", "all"):
        for candidate in sites.list_sites(kind="subdistrict"):
            if candidate.kecamatan_code == site.kecamatan_code:
                return candidate
        return _main_office() or site
    return site


def _print_routes(print_sites):
    """{pickup site id: print site id}: a pickup site prints its own cards when it has
    printers; the others are printed at the main print site (the office first)."""
    able = [p for p in print_sites if p.daily_capacity > 0]
    able.sort(key=lambda p: (p.site.kind != "office", p.site_id))
    main = able[0].site_id if able else None
    own = {p.site_id for p in able}
    return lambda pickup_site_id: pickup_site_id if pickup_site_id in own else main


class _Calendar:
    """Working days of a site from today on (a day with opening periods)."""

    def __init__(self, site, start, days):
        self.start = start
        plans = sites.plan_days(site, start, start + timedelta(days=days - 1))
        self.open = [bool(p.periods) for p in plans]
        # next_open[i]: the first index >= i that is a working day (len when none)
        self.next_open = [len(self.open)] * (len(self.open) + 1)
        for i in range(len(self.open) - 1, -1, -1):
            self.next_open[i] = i if self.open[i] else self.next_open[i + 1]

    def first_open_from(self, on):
        i = max(0, (on - self.start).days)
        if i >= len(self.open):
            return on
        j = self.next_open[i]
        return self.start + timedelta(days=j) if j < len(self.open) else on


class _Planner:
    """Everything the allocator needs about sites, loaded once per run."""

    def __init__(self):
        self.today = today()
        self.horizon = int(_cfg("CARD_PLANNING_DAYS"))
        self.print_sites = db.session.scalars(sa.select(PrintSite)).all()
        self.route = _print_routes(self.print_sites)
        self._calendars = {}
        self._sites = {}

    def calendar(self, site_id):
        if site_id not in self._calendars:
            site = self._sites.get(site_id) or sites.get_site(site_id)
            self._calendars[site_id] = _Calendar(site, self.today, self.horizon + 60)
        return self._calendars[site_id]

    def capacity(self):
        start, end = _day_bounds_utc(self.today)
        printed_today = dict(
            db.session.execute(
                sa.select(CardRequest.print_site_id, sa.func.count())
                .where(CardRequest.printed_at >= start, CardRequest.printed_at < end)
                .group_by(CardRequest.print_site_id)
            ).all()
        )
        out = {}
        for p in self.print_sites:
            self._sites[p.site_id] = p.site
            cal = self.calendar(p.site_id)
            days = [p.daily_capacity if cal.open[d] else 0 for d in range(self.horizon)]
            days[0] = max(0, days[0] - printed_today.get(p.site_id, 0))
            out[p.site_id] = days
        return out

    def deliveries(self):
        lead = int(_cfg("CARD_DELIVERY_LEAD_DAYS"))
        rows = db.session.execute(
            sa.select(ExpectedDelivery.expected_on, ExpectedDelivery.quantity).where(
                ExpectedDelivery.closed_at.is_(None)
            )
        ).all()
        # An overdue delivery counts from tomorrow: the stock page shows it as late.
        return [(max(1, (on - self.today).days + lead), q) for on, q in rows]

    def pickup_from(self, pickup_site_id, print_site_id, print_on):
        same = pickup_site_id == print_site_id
        offset = int(_cfg("CARD_PICKUP_AFTER_DAYS" if same else "CARD_TRANSFER_DAYS"))
        return self.calendar(pickup_site_id).first_open_from(print_on + timedelta(days=offset))


# ------------------------------------------------------------------------- allocation


@transactional
def allocate_cards():
    """Give every unprinted card a print date, a pickup date and site, or leave it waiting
    for stock (see allocation.py); tells residents whose dates changed. Returns counts."""
    on_hand = ledger.lock_counter()
    planner = _Planner()
    capacity = planner.capacity()
    # Queue order comes from the database, so the recording time itself is never loaded:
    # the row's rank stands for it (100,000 rows are read as plain tuples).
    rows = (
        db.session.connection()
        .execute(
            sa.select(
                CardRequest.id,
                CardRequest.priority,
                CardRequest.eligible_on,
                CardRequest.pickup_site_id,
                CardRequest.print_site_id,
                CardRequest.status,
                CardRequest.print_on,
                CardRequest.pickup_from,
            )
            .where(CardRequest.status.in_(UNPRINTED_STATUSES))
            .order_by(CardRequest.priority.desc(), CardRequest.queued_at, CardRequest.id)
        )
        .all()
    )
    t0 = planner.today
    requests, routes = [], {}
    for rank, (cid, priority, elig_on, pickup, site_id, status, print_on, _pf) in enumerate(rows):
        if pickup not in routes:
            routes[pickup] = planner.route(pickup)
        print_site = routes[pickup]
        promised = None
        # A promise made for another print site (capacity moved) is planned again.
        if status == "scheduled" and print_on and site_id == print_site:
            promised = (print_on - t0).days
        eligible = max(0, (elig_on - t0).days) if elig_on else 0
        requests.append(Request(cid, priority, rank, eligible, print_site, promised))
    result = plan(
        requests,
        on_hand=on_hand,
        deliveries=planner.deliveries(),
        capacity=capacity,
        horizon=planner.horizon,
    )
    now = clock.now()
    days = result.days
    dates = [t0 + timedelta(days=d) for d in range(planner.horizon)]
    pickups = {}
    updates, events = [], []
    for cid, _priority, _elig, pickup, site_id, status, print_on, pickup_from in rows:
        day = days[cid]
        if day is None:
            if status == "awaiting_stock" and site_id is None:
                continue
            new = ("awaiting_stock", None, None, None)
        else:
            site = routes[pickup]
            key = (pickup, site, day)
            if key not in pickups:
                pickups[key] = planner.pickup_from(pickup, site, dates[day])
            new = ("scheduled", dates[day], pickups[key], site)
        if (status, print_on, pickup_from, site_id) == new:
            continue
        change = {
            "id": cid,
            "status": new[0],
            "print_on": new[1],
            "pickup_from": new[2],
            "print_site_id": new[3],
        }
        if new[0] == "scheduled" and status != "scheduled":
            change["scheduled_at"] = now
            events.append((cid, "card_scheduled"))
        elif status == "scheduled" and new[2] != pickup_from:
            events.append((cid, "card_date_moved"))
        updates.append(change)
    if updates:
        db.session.execute(
            sa.update(CardRequest).execution_options(synchronize_session=False), updates
        )
    if events:
        kinds = dict(events)
        cards = db.session.scalars(
            sa.select(CardRequest)
            .where(CardRequest.id.in_(list(kinds)))
            .options(selectinload(CardRequest.pickup_site), selectinload(CardRequest.appointment))
            .execution_options(populate_existing=True)
        ).all()
        for card in sorted(cards, key=lambda c: c.id):
            _notify(card, kinds[card.id])
    scheduled = sum(1 for d in result.days.values() if d is not None)
    return {
        "scheduled": scheduled,
        "awaiting": len(rows) - scheduled,
        "changed": len(updates),
        "messages": len(events),
    }


def _notify(card, event, **extra):
    site = card.pickup_site
    context = {
        "code": card.code,
        "status": card_json(card)["status"],
        "print_on": card.print_on.isoformat() if card.print_on else None,
        "pickup_from": card.pickup_from.isoformat() if card.pickup_from else None,
        "pickup_site": site.name,
        "pickup_address": site.address,
        **extra,
    }
    if card.status == "awaiting_stock":
        context["queue_position"] = queue_position(card)
    if card.appointment is not None:  # the resident's own status page
        context["link"] = appointments.appointment_link(card.appointment)
    notifications.enqueue(
        event,
        name=card.name,
        phone=card.phone,
        email=card.email,
        locale=card.locale,
        reference=card.code,
        nik_masked=card.nik_masked,
        context=context,
    )


# ---------------------------------------------------------------------- the card queue


def _insert_card(card):
    try:
        with db.session.begin_nested():
            db.session.add(card)
            db.session.flush()
    except IntegrityError as exc:
        # PostgreSQL names the index; SQLite names the column.
        if is_integrity_error_for(exc, "uq_card_requests_open_nik") or is_integrity_error_for(
            exc, "card_requests.nik_hash"
        ):
            raise InvalidState(
                _l("KTP-el untuk NIK ini masih dalam proses; tunggu sampai kartu itu diambil.")
            ) from None
        raise
    return card


@transactional
def on_recorded(appointment, actor_id=None):
    """Queue the card of a resident just recorded and allocate it, in the caller's
    transaction; returns the card request (the same one when called twice).
    Raises InvalidState when the appointment is not recorded."""
    if appointment.status != "recorded" or appointment.recorded_at is None:
        raise InvalidState(_l("Janji temu ini belum berstatus direkam."))
    ledger.lock_counter()
    existing = db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )
    if existing is not None:
        return existing
    recorded_on = appointment.recorded_at.astimezone(sites.zone(appointment.site)).date()
    card = _insert_card(
        CardRequest(
            code=appointment.code,
            kind="new",
            appointment_id=appointment.id,
            status="awaiting_stock",
            priority=0,
            name=appointment.name,
            nik_hash=appointment.nik_hash,
            nik_masked=appointment.nik_masked,
            phone=appointment.phone,
            email=appointment.email,
            locale=appointment.locale,
            eligible_on=eligible_on(appointment.birth_date, appointment.married, recorded_on),
            recorded_site_id=appointment.site_id,
            pickup_site_id=pickup_site_for(appointment.site).id,
            queued_at=appointment.recorded_at,
            created_by_id=actor_id,
            created_at=clock.now(),
        )
    )
    allocate_cards()
    db.session.refresh(card)
    return card


def _new_card_code():
    for _attempt in range(20):
        code = "".join(
            secrets.choice(appointments.CODE_ALPHABET) for _ in range(appointments.CODE_LENGTH)
        )
        try:
            appointments.get_by_code(code)
        except NotFound:
            if db.session.scalar(sa.select(CardRequest.id).where(CardRequest.code == code)) is None:
                return code
    raise RuntimeError("could not find a free card code")


@transactional
def request_replacement(
    *,
    nik,
    name,
    birth_date,
    phone,
    reason,
    site_id,
    married=False,
    email=None,
    locale="id",
    actor_id=None,
):
    """Queue a replacement card (lost, damaged, changed data): no new recording, the same
    queue and blanks. Raises ValidationError, InvalidState (a card already in process)."""
    names.check_name(name)
    info = niks.parse_nik(nik)
    niks.check_birth_date(info, birth_date)
    try:
        site = sites.get_site(site_id)
    except NotFound:
        raise ValidationError(fields={"site_id": _l("Lokasi ini tidak ada.")}) from None
    ledger.lock_counter()
    card = _insert_card(
        CardRequest(
            code=_new_card_code(),
            kind="replacement",
            replacement_reason=reason,
            status="awaiting_stock",
            priority=0,
            name=name,
            nik_hash=niks.hash_nik(nik),
            nik_masked=niks.mask_nik(nik),
            phone=appointments.normalize_phone(phone),
            email=email or None,
            locale=locale,
            eligible_on=eligible_on(birth_date, married, today()),
            recorded_site_id=site.id,
            pickup_site_id=pickup_site_for(site).id,
            queued_at=clock.now(),
            created_by_id=actor_id,
            created_at=clock.now(),
        )
    )
    allocate_cards()
    db.session.refresh(card)
    return card


def _visible(query, site_ids):
    if site_ids is None:
        return query
    ids = list(site_ids)
    return query.where(
        sa.or_(
            CardRequest.print_site_id.in_(ids),
            CardRequest.pickup_site_id.in_(ids),
            CardRequest.recorded_site_id.in_(ids),
        )
    )


def get_card(code, site_ids=None):
    """A card request by its code, among those the user's sites handle; raises NotFound."""
    card = db.session.scalar(
        _visible(
            sa.select(CardRequest).where(CardRequest.code == appointments.normalize_code(code)),
            site_ids,
        )
    )
    if card is None:
        raise NotFound(_l("Tidak ada KTP-el dalam proses dengan kode ini."))
    return card


@transactional
def set_priority(code, priority, reason=""):
    """Set a waiting card's priority (0 normal, 1 elderly/exams, 2 hospital/urgent) and
    re-plan. Raises NotFound, InvalidState (already printed)."""
    ledger.lock_counter()
    card = get_card(code)
    if card.status not in UNPRINTED_STATUSES:
        raise InvalidState(_l("Kartu ini sudah dicetak."))
    card.priority = priority
    card.priority_reason = reason or ""
    db.session.flush()
    allocate_cards()
    db.session.refresh(card)
    return card


def queue_position(card):
    """1 for the next card a blank will go to, among those waiting for stock."""
    ahead = sa.or_(
        CardRequest.priority > card.priority,
        sa.and_(
            CardRequest.priority == card.priority,
            sa.or_(
                CardRequest.queued_at < card.queued_at,
                sa.and_(CardRequest.queued_at == card.queued_at, CardRequest.id < card.id),
            ),
        ),
    )
    return 1 + db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CardRequest)
        .where(CardRequest.status == "awaiting_stock", ahead)
    )


def list_queue(status=None, site_ids=None, limit=200):
    """Unprinted cards in queue order (priority, then recording time)."""
    query = sa.select(CardRequest).where(CardRequest.status.in_(status or UNPRINTED_STATUSES))
    query = _visible(query, site_ids).order_by(
        CardRequest.priority.desc(), CardRequest.queued_at, CardRequest.id
    )
    return db.session.scalars(query.limit(limit)).all()


def _move(card_id, condition, **values):
    """A conditional UPDATE of one card: True when `condition` still held (so two desks,
    or a job run twice, never both act)."""
    result = db.session.execute(
        sa.update(CardRequest)
        .where(CardRequest.id == card_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# -------------------------------------------------------------------------- printing


def print_queue(on, site_ids=None):
    """The cards to print on a day (and those overdue from earlier days, on today's list)."""
    cond = CardRequest.print_on == on if on != today() else CardRequest.print_on <= on
    query = sa.select(CardRequest).where(CardRequest.status == "scheduled", cond)
    if site_ids is not None:
        query = query.where(CardRequest.print_site_id.in_(list(site_ids)))
    query = query.order_by(
        CardRequest.print_on, CardRequest.priority.desc(), CardRequest.queued_at, CardRequest.id
    )
    return db.session.scalars(query).all()


@transactional
def mark_printed(code, *, actor_id=None, site_ids=None, misprints=0):
    """The card is printed: one blank used, and each misprint spoils one more (with its
    berita acara). Printing before print_on is allowed, never before the holder may hold
    a card. Raises NotFound, InvalidState (not scheduled, printed twice, no blank)."""
    ledger.lock_counter()
    card = get_card(code, site_ids)
    if card.status in ("printed", "picked_up"):
        raise InvalidState(_l("Kartu ini sudah dicetak."))
    if card.status != "scheduled":
        raise InvalidState(_l("Kartu ini belum mendapat blangko; tunggu jadwal cetaknya."))
    now_on = today()
    if card.eligible_on and card.eligible_on > now_on:
        raise InvalidState(
            _l(
                "Pemilik kartu belum berusia 17 tahun; cetak mulai %(on)s.",
                on=card.eligible_on.isoformat(),
            )
        )
    if misprints:
        ledger.spoil(
            misprints,
            str(_l("Salah cetak KTP-el %(code)s", code=card.code)),
            user_id=actor_id,
            card_request_id=card.id,
            reference=card.code,
        )
    ledger.post_entry("used", -1, reference=card.code, card_request_id=card.id, user_id=actor_id)
    early = card.print_on > now_on
    planner = _Planner()
    pickup_from = max(
        card.pickup_from, planner.pickup_from(card.pickup_site_id, card.print_site_id, now_on)
    )
    printed = _move(
        card.id,
        CardRequest.status == "scheduled",
        status="printed",
        printed_at=clock.now(),
        printed_by_id=actor_id,
        pickup_from=pickup_from,
    )
    if not printed:
        raise InvalidState(_l("Kartu ini sudah dicetak."))
    db.session.refresh(card)
    if misprints or early:
        # Blanks were lost, or a blank promised to an earlier card was used: re-plan.
        allocate_cards()
    return card


# --------------------------------------------------------------------------- pickup


def find_card(text, site_ids=None):
    """The card named by a typed code, a scanned check-in QR or a certificate's QR text.
    Raises InvalidQR for a forged QR, NotFound for an unknown code."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(fields={"q": _l("Ketik kode atau tempel teks QR.")})
    if "/verifikasi/" in text:
        from scheduler.cards import certificates

        certificate = certificates.verify_token(text.rsplit("/verifikasi/", 1)[1])
        if certificate is None:
            raise InvalidQR()
        return get_card(certificate.card_request.code, site_ids)
    if "." in text:
        try:
            code = appointments.code_from_checkin_token(text)
        except BadSignature:
            raise InvalidQR() from None
        return get_card(code, site_ids)
    return get_card(text, site_ids)


@transactional
def hand_over(code, *, collected_by, collector_name=None, actor_id=None, site_ids=None):
    """Record who collected a printed card (the resident, or a family member on the family
    card) and when. Raises NotFound, ValidationError, InvalidState (not printed, before
    pickup_from, handed over already)."""
    card = get_card(code, site_ids)
    if collected_by not in ("self", "family"):
        raise ValidationError(fields={"collected_by": _l("Pilih siapa yang mengambil.")})
    collector_name = names.check_name((collector_name or "").strip(), "collector_name") or None
    if collected_by == "family" and not collector_name:
        raise ValidationError(
            fields={"collector_name": _l("Tulis nama anggota keluarga yang mengambil.")}
        )
    if card.status == "picked_up":
        raise InvalidState(_l("Kartu ini sudah diserahkan."))
    if card.status != "printed":
        raise InvalidState(_l("Kartu ini belum dicetak."))
    if today() < card.pickup_from:
        raise InvalidState(_l("Kartu dapat diambil mulai %(on)s.", on=card.pickup_from.isoformat()))
    handed = _move(
        card.id,
        CardRequest.status == "printed",
        status="picked_up",
        picked_up_at=clock.now(),
        collected_by=collected_by,
        collector_name=collector_name if collected_by == "family" else card.name,
        handed_over_by_id=actor_id,
    )
    if not handed:
        raise InvalidState(_l("Kartu ini sudah diserahkan."))
    db.session.refresh(card)
    return card


def uncollected(site_ids=None, min_days=0):
    """Printed cards ready for pickup and not collected, the longest waiting first:
    [(card, days waiting)]."""
    now_on = today()
    query = sa.select(CardRequest).where(
        CardRequest.status == "printed",
        CardRequest.pickup_from <= now_on - timedelta(days=min_days),
    )
    if site_ids is not None:
        query = query.where(CardRequest.pickup_site_id.in_(list(site_ids)))
    cards = db.session.scalars(query.order_by(CardRequest.pickup_from, CardRequest.id)).all()
    return [(c, (now_on - c.pickup_from).days) for c in cards]


# ------------------------------------------------------------------------- messages


@transactional
def send_card_messages():
    """Tell residents their card is ready, and remind them after 14 and 30 days when it is
    still not collected. Safe to run twice (conditional updates). Returns counts."""
    now_on, now = today(), clock.now()
    ready = db.session.scalars(
        sa.select(CardRequest).where(
            CardRequest.status == "printed",
            CardRequest.pickup_from <= now_on,
            CardRequest.ready_notified_at.is_(None),
        )
    ).all()
    sent_ready = 0
    for card in ready:
        if _move(card.id, CardRequest.ready_notified_at.is_(None), ready_notified_at=now):
            _notify(card, "card_ready")
            sent_ready += 1
    reminders = 0
    for step, key in ((1, "CARD_REMINDER_DAYS_FIRST"), (2, "CARD_REMINDER_DAYS_SECOND")):
        days = int(_cfg(key))
        due = db.session.scalars(
            sa.select(CardRequest).where(
                CardRequest.status == "printed",
                CardRequest.pickup_from <= now_on - timedelta(days=days),
                CardRequest.reminders_sent < step,
            )
        ).all()
        for card in due:
            if _move(card.id, CardRequest.reminders_sent < step, reminders_sent=step):
                _notify(
                    card,
                    "card_uncollected",
                    ready_since=card.pickup_from.isoformat(),
                    days_waiting=(now_on - card.pickup_from).days,
                )
                reminders += 1
    return {"ready": sent_ready, "reminders": reminders}


# ---------------------------------------------------------------------- the summary


def card_json(card):
    """Card `C` of docs/api.md."""
    if card is None or card.status == "cancelled":
        return dict(NOT_RECORDED)
    status = card.status
    if status == "printed":
        status = "ready" if today() >= card.pickup_from else "scheduled"
    return {
        "status": status,
        "print_on": card.print_on.isoformat() if card.print_on else None,
        "pickup_from": card.pickup_from.isoformat() if card.pickup_from else None,
        "pickup_site": {"id": card.pickup_site.id, "name": card.pickup_site.name},
        "queue_position": queue_position(card) if status == "awaiting_stock" else None,
    }


def card_for_appointment(appointment):
    return db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )


def card_summary(appointment):
    """The card of an appointment as docs/api.md's `C` (registered with appointments)."""
    if appointment.id is None:
        return dict(NOT_RECORDED)
    return card_json(card_for_appointment(appointment))
