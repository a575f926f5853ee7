"""Sites, opening calendar, slot generation and seat counting.

Sites never know who booked a slot: appointments take and release seats through
take_seat/release_seat, which are conditional UPDATEs guarded by a CHECK constraint.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from scheduler import clock
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound, SlotFull, ValidationError
from scheduler.extensions import db
from scheduler.sites.models import (
    HolidayOverride,
    ScheduleException,
    Site,
    Slot,
    WeeklyHours,
)

MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL

# ------------------------------------------------------------------------- time helpers


def zone(site_or_name):
    name = site_or_name if isinstance(site_or_name, str) else site_or_name.timezone
    return ZoneInfo(name)


def local_today(tz_name=None):
    """Today's date in a zone (the regency's by default)."""
    tz = ZoneInfo(tz_name or current_app.config["REGENCY_TIMEZONE"])
    return clock.now().astimezone(tz).date()


def local_datetime(site, on, at):
    """An aware UTC datetime for a local date and time at a site."""
    return datetime.combine(on, at, tzinfo=zone(site)).astimezone(clock.now().tzinfo)


def to_local(site, moment):
    return moment.astimezone(zone(site))


# ----------------------------------------------------------------------------- holidays


HOLIDAY_LANGUAGES = {"id": "id", "en": "en_US"}


@lru_cache(maxsize=32)
def _package_holidays(year, language="id"):
    # The package otherwise follows the process locale; names are Indonesian by default.
    language = HOLIDAY_LANGUAGES.get(language, "id")
    public = holidays_lib.country_holidays(
        "ID", years=year, categories=("public",), language=language
    )
    # Cuti bersama: the package's "government" category for Indonesia.
    government = holidays_lib.country_holidays(
        "ID", years=year, categories=("government",), language=language
    )
    days = {d: (name, "cuti_bersama") for d, name in government.items()}
    days.update({d: (name, "public") for d, name in public.items()})
    return days


def holiday_calendar(start, end):
    """{date: (name, category)} for the range, the package's days corrected by admins."""
    days = {}
    for year in range(start.year, end.year + 1):
        days.update(_package_holidays(year))
    days = {d: v for d, v in days.items() if start <= d <= end}
    overrides = db.session.scalars(
        sa.select(HolidayOverride).where(HolidayOverride.on.between(start, end))
    ).all()
    for o in overrides:
        if o.action == "remove":
            days.pop(o.on, None)
        else:
            days[o.on] = (o.name, o.category)
    return days


@dataclass
class DayPlan:
    on: date
    periods: list = field(default_factory=list)  # [(time, time)]
    closed_reason: str | None = None


def _periods(opens, closes, break_starts, break_ends):
    if opens is None or closes is None or opens >= closes:
        return []
    if break_starts and break_ends and opens < break_starts < break_ends < closes:
        return [(opens, break_starts), (break_ends, closes)]
    return [(opens, closes)]


def plan_days(site, start, end):
    """The opening periods of each day from start to end (inclusive), or why it is closed."""
    cal = holiday_calendar(start, end)
    exceptions = db.session.scalars(
        sa.select(ScheduleException)
        .where(sa.or_(ScheduleException.site_id == site.id, ScheduleException.site_id.is_(None)))
        .where(ScheduleException.starts_on <= end, ScheduleException.ends_on >= start)
        .order_by(ScheduleException.site_id.is_(None), ScheduleException.id)
    ).all()
    weekly = {h.weekday: h for h in site.hours}
    plans = []
    day = start
    while day <= end:
        plan = DayPlan(day)
        holiday = cal.get(day)
        exc = next((e for e in exceptions if e.starts_on <= day <= e.ends_on), None)
        if holiday and (holiday[1] == "public" or site.closes_on_cuti_bersama):
            plan.closed_reason = holiday[0]
        elif exc is not None and exc.closed:
            plan.closed_reason = exc.reason or str(_l("Tutup"))
        elif exc is not None:
            plan.periods = _periods(
                exc.opens_at, exc.closes_at, exc.break_starts_at, exc.break_ends_at
            )
        elif day.weekday() in weekly:
            h = weekly[day.weekday()]
            plan.periods = _periods(h.opens_at, h.closes_at, h.break_starts_at, h.break_ends_at)
        plans.append(plan)
        day += timedelta(days=1)
    return plans


def slot_capacity(site):
    per_station = max(1, site.slot_minutes // current_app.config["RECORDING_MINUTES"])
    return site.stations * per_station


def _desired_starts(site, plan):
    step = timedelta(minutes=site.slot_minutes)
    for opens, closes in plan.periods:
        start = datetime.combine(plan.on, opens)
        end = datetime.combine(plan.on, closes)
        while start + step <= end:
            yield start.time()
            start += step


# ------------------------------------------------------------------------ slot generation


@transactional
def generate_slots(days=None, site_id=None):
    """Create the regular slots of the rolling window from each site's calendar.

    Never deletes or shrinks a slot that holds bookings: such slots are reported as
    conflicts. Returns {"created", "updated", "removed", "conflicts": [...]}.
    """
    days = current_app.config["SLOT_WINDOW_DAYS"] if days is None else days
    report = {"created": 0, "updated": 0, "removed": 0, "conflicts": []}
    query = sa.select(Site).where(Site.active.is_(True))
    if site_id is not None:
        query = query.where(Site.id == site_id)
    for site in db.session.scalars(query.order_by(Site.id)).all():
        _generate_for_site(site, days, report)
    return report


def _generate_for_site(site, days, report):
    tz = zone(site)
    today = clock.now().astimezone(tz).date()
    end = today + timedelta(days=days)
    start_utc = datetime.combine(today, time.min, tzinfo=tz)
    end_utc = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    existing = {
        s.starts_at: s
        for s in db.session.scalars(
            sa.select(Slot).where(
                Slot.site_id == site.id,
                Slot.session_kind == "regular",
                Slot.starts_at >= start_utc,
                Slot.starts_at < end_utc,
            )
        )
    }
    capacity = slot_capacity(site)
    step = timedelta(minutes=site.slot_minutes)
    now = clock.now()
    wanted = set()
    for plan in plan_days(site, today, end):
        for at in _desired_starts(site, plan):
            starts = datetime.combine(plan.on, at, tzinfo=tz).astimezone(now.tzinfo)
            if starts <= now:
                continue
            wanted.add(starts)
            slot = existing.get(starts)
            if slot is None:
                db.session.add(
                    Slot(
                        site_id=site.id,
                        starts_at=starts,
                        ends_at=starts + step,
                        capacity=capacity,
                        booked_count=0,
                        session_kind="regular",
                        is_public=True,
                    )
                )
                report["created"] += 1
            elif slot.capacity != capacity or slot.ends_at != starts + step:
                if slot.booked_count > 0 and (
                    capacity < slot.capacity or slot.ends_at != starts + step
                ):
                    report["conflicts"].append(_conflict(site, slot, "changed"))
                else:
                    slot.capacity, slot.ends_at = capacity, starts + step
                    report["updated"] += 1
    for starts, slot in existing.items():
        if starts in wanted or starts <= now:
            continue
        if slot.booked_count > 0:
            report["conflicts"].append(_conflict(site, slot, "closed"))
        else:
            db.session.delete(slot)
            report["removed"] += 1
    db.session.flush()


def _conflict(site, slot, why):
    return {
        "site_id": site.id,
        "site": site.name,
        "slot_id": slot.id,
        "starts_at": to_local(site, slot.starts_at).isoformat(),
        "booked": slot.booked_count,
        "reason": why,
    }


# ---------------------------------------------------------------------------- queries


def list_sites(kind=None, kecamatan=None, include_inactive=False):
    """Sites, filtered by kind and by kecamatan (its name or region code)."""
    query = sa.select(Site).order_by(
        sa.case({"office": 0, "subdistrict": 1, "school": 2, "village_hall": 3}, value=Site.kind),
        Site.kecamatan,
        Site.name,
    )
    if not include_inactive:
        query = query.where(Site.active.is_(True))
    if kind:
        query = query.where(Site.kind == kind)
    if kecamatan:
        query = query.where(
            sa.or_(
                sa.func.lower(Site.kecamatan) == kecamatan.lower(), Site.kecamatan_code == kecamatan
            )
        )
    return db.session.scalars(query).all()


def list_kecamatan():
    """[(code, name)] of the kecamatan that have an active site."""
    rows = db.session.execute(
        sa.select(Site.kecamatan_code, Site.kecamatan)
        .where(Site.active.is_(True))
        .distinct()
        .order_by(Site.kecamatan_code)
    ).all()
    return [(code, name) for code, name in rows if name]


def get_site(site_id):
    """A site by id; raises NotFound."""
    # An id no integer column can hold is simply unknown (not a database overflow).
    if not isinstance(site_id, int) or not 0 < site_id <= MAX_ID:
        raise NotFound()
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound()
    return site


def booking_horizon(site):
    """(earliest, latest) start a resident may book now: minimum notice and window."""
    cfg = current_app.config
    now = clock.now()
    earliest = now + timedelta(minutes=cfg["BOOKING_MIN_NOTICE_MINUTES"])
    tz = zone(site)
    last_day = now.astimezone(tz).date() + timedelta(days=cfg["BOOKING_WINDOW_DAYS"])
    latest = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    return earliest, latest


def list_bookable_slots(site_id, from_on=None, to_on=None, include_private=False):
    """The public, bookable future slots of a site between two local dates (inclusive):
    (site, rows of id, starts_at, ends_at, capacity, available, session_kind). Rows, not
    Slot objects: a month of a site is hundreds of slots, and building objects for them
    costs many times the query."""
    site = get_site(site_id)
    bounds = _bookable_bounds(site, from_on, to_on)
    if bounds is None:
        return site, []
    query = _bookable_slots_public() if not include_private else _bookable_slots_all()
    params = {"site_id": site.id, "lo": bounds[0], "hi": bounds[1]}
    return site, db.session.execute(query, params).all()


def bookable_slots_json(site_id, from_on=None, to_on=None):
    """The same public slots as `list_bookable_slots`, as the API's JSON array (text) of
    `slot_document`s. PostgreSQL writes it itself (json_agg: one value instead of
    hundreds of rows, datetimes and dicts in Python, a few times faster); elsewhere, or
    when the zone's offset changes within the range, Python writes the same document."""
    site = get_site(site_id)
    bounds = _bookable_bounds(site, from_on, to_on)
    if bounds is None:
        return "[]"
    lo, hi = bounds
    tz = zone(site)
    offset = tz.utcoffset(lo.astimezone(tz).replace(tzinfo=None))
    same_offset = offset == tz.utcoffset(hi.astimezone(tz).replace(tzinfo=None))
    params = {"site_id": site.id, "lo": lo, "hi": hi}
    if db.session.get_bind().dialect.name == "postgresql" and same_offset:
        suffix = lo.astimezone(tz).isoformat()[-6:]  # "+07:00"
        return db.session.execute(
            _bookable_slots_json_pg(), {**params, "offset": offset, "suffix": suffix}
        ).scalar()
    rows = db.session.execute(_bookable_slots_public(), params).all()
    return json.dumps([slot_document(row, tz) for row in rows], separators=(",", ":"))


def slot_document(row, tz):
    """Slot `S` of docs/api.md from (id, starts_at, ends_at, capacity, available, session_kind),
    times in the site's zone `tz`."""
    slot_id, starts_at, ends_at, capacity, available, session_kind = row
    return {
        "id": slot_id,
        "starts_at": starts_at.astimezone(tz).isoformat(),
        "ends_at": ends_at.astimezone(tz).isoformat(),
        "capacity": capacity,
        "available": available,
        "session_kind": session_kind,
    }


def _bookable_bounds(site, from_on, to_on):
    """(lo, hi) UTC bounds of the bookable slots between two local dates, or None."""
    tz = zone(site)
    today = clock.now().astimezone(tz).date()
    window = current_app.config["BOOKING_WINDOW_DAYS"]
    # Clamp to what can be booked at all, so extreme dates never overflow.
    from_on = max(from_on or today, today)
    to_on = min(to_on or today + timedelta(days=30), today + timedelta(days=window + 1))
    if to_on < from_on:
        return None
    earliest, latest = booking_horizon(site)
    lo = max(earliest, datetime.combine(from_on, time.min, tzinfo=tz))
    hi = min(latest, datetime.combine(to_on + timedelta(days=1), time.min, tzinfo=tz))
    return lo, hi


@lru_cache(maxsize=1)
def _bookable_slots_json_pg():
    slots = Slot.__table__
    offset = sa.bindparam("offset", type_=sa.Interval())
    suffix = sa.bindparam("suffix", type_=sa.String())

    def local(column):
        # Slot times are whole minutes, which is what isoformat() writes too.
        naive = sa.type_coerce(column, sa.DateTime()) + offset
        return sa.func.to_char(naive, sa.literal('YYYY-MM-DD"T"HH24:MI:SS')).concat(suffix)

    document = sa.func.json_build_object(
        sa.literal("id"),
        slots.c.id,
        sa.literal("starts_at"),
        local(slots.c.starts_at),
        sa.literal("ends_at"),
        local(slots.c.ends_at),
        sa.literal("capacity"),
        slots.c.capacity,
        sa.literal("available"),
        slots.c.capacity - slots.c.booked_count,
        sa.literal("session_kind"),
        slots.c.session_kind,
    )
    array = sa.func.json_agg(aggregate_order_by(document, slots.c.starts_at))
    return sa.select(sa.cast(sa.func.coalesce(array, sa.text("'[]'::json")), sa.Text())).where(
        *_in_window(slots), slots.c.is_public.is_(True)
    )


def _in_window(slots):
    """A site's slots starting in [lo, hi) (bound parameters site_id, lo, hi)."""
    return (
        slots.c.site_id == sa.bindparam("site_id"),
        slots.c.starts_at >= sa.bindparam("lo", type_=slots.c.starts_at.type),
        slots.c.starts_at < sa.bindparam("hi", type_=slots.c.starts_at.type),
    )


def _bookable_slots_query():
    slots = Slot.__table__
    return (
        sa.select(
            slots.c.id,
            slots.c.starts_at,
            slots.c.ends_at,
            slots.c.capacity,
            (slots.c.capacity - slots.c.booked_count).label("available"),
            slots.c.session_kind,
        )
        .where(*_in_window(slots))
        .order_by(slots.c.starts_at)
    )


@lru_cache(maxsize=1)
def _bookable_slots_all():
    return _bookable_slots_query()


@lru_cache(maxsize=1)
def _bookable_slots_public():
    return _bookable_slots_query().where(Slot.__table__.c.is_public.is_(True))


@lru_cache(maxsize=1)
def _with_site():
    # Built once: a loader option costs as much to build as the query to run.
    return (joinedload(Slot.site),)


def get_bookable_slot(slot_id, allow_private=False, field="slot_id"):
    """A slot a resident may book now; ValidationError on `field` when it is not."""
    slot = (
        db.session.get(Slot, slot_id, options=_with_site())
        if isinstance(slot_id, int) and 0 < slot_id <= MAX_ID
        else None
    )
    check_bookable(slot, slot and slot.site, allow_private, field)
    return slot


def check_bookable(slot, site, allow_private=False, field="slot_id"):
    """Raise ValidationError on `field` unless a resident may book `slot` (at `site`) now.
    Takes a Slot or any record with the same attributes (None: not found)."""
    if slot is None:
        raise ValidationError(fields={field: _l("Jadwal tidak ditemukan.")})
    earliest, latest = booking_horizon(site)
    if slot.starts_at < earliest:
        raise ValidationError(
            fields={field: _l("Jadwal ini sudah lewat atau terlalu dekat; pilih jam yang lain.")}
        )
    if slot.starts_at >= latest:
        raise ValidationError(fields={field: _l("Jadwal ini belum dibuka untuk pemesanan.")})
    if not slot.is_public and not allow_private:
        raise ValidationError(
            fields={field: _l("Jadwal ini khusus untuk peserta layanan jemput bola.")}
        )
    if not site.active:
        raise ValidationError(fields={field: _l("Lokasi ini sedang tidak melayani.")})


def current_slot(site_id):
    """The slot of a site running now (starts_at <= now < ends_at), public or not, the one
    with most free seats first; None when there is none. Walk-ins go here."""
    now = clock.now()
    return db.session.scalars(
        sa.select(Slot)
        .where(Slot.site_id == site_id, Slot.starts_at <= now, Slot.ends_at > now)
        .order_by((Slot.capacity - Slot.booked_count).desc(), Slot.id)
        .limit(1)
    ).first()


def take_seat(slot_id):
    """Take one seat (conditional UPDATE); returns the slot's new `booked_count` (see
    `note_seats`); raises SlotFull when none is left."""
    booked = db.session.execute(_take_seat(), {"slot_id": slot_id}).scalar()
    if booked is None:
        raise SlotFull()
    _expire_seats(slot_id)
    return booked


def note_seats(slot, booked_count):
    """Set a loaded slot's counter to what `take_seat` returned, once the savepoint that
    took the seat is released: the UPDATE holds the row's lock until the commit, so this
    is the committed value, and the answer need not load the slot again."""
    set_committed_value(slot, "booked_count", booked_count)


def forget_seats(slot_id):
    """Undo `note_seats` after a savepoint around it was rolled back."""
    _expire_seats(slot_id)


def release_seat(slot_id):
    """Give one seat back."""
    db.session.execute(_release_seat(), {"slot_id": slot_id})
    _expire_seats(slot_id)


# Core statements built once: the seat counter is the booking burst's hottest row, and an
# ORM-enabled UPDATE costs several times the Core one to prepare.
@lru_cache(maxsize=1)
def _take_seat():
    slots = Slot.__table__
    return (
        sa.update(slots)
        .where(slots.c.id == sa.bindparam("slot_id"), slots.c.booked_count < slots.c.capacity)
        .values(booked_count=slots.c.booked_count + 1)
        .returning(slots.c.booked_count)
    )


@lru_cache(maxsize=1)
def _release_seat():
    slots = Slot.__table__
    return (
        sa.update(slots)
        .where(slots.c.id == sa.bindparam("slot_id"), slots.c.booked_count > 0)
        .values(booked_count=slots.c.booked_count - 1)
    )


def _expire_seats(slot_id):
    # Only the counter changed: expiring everything would reload every object in the
    # session (two more round trips per booking).
    slot = db.session.identity_map.get(db.session.identity_key(Slot, slot_id))
    if slot is not None:
        db.session.expire(slot, ["booked_count"])


def add_outreach_slots(site_id, periods, is_public=False):
    """Create a session's outreach slots: periods is [(starts_at, ends_at, capacity)] in UTC.

    Raises InvalidState when the site already has an outreach slot at one of these times."""
    slots = [
        Slot(
            site_id=site_id,
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            booked_count=0,
            session_kind="outreach",
            is_public=is_public,
        )
        for starts, ends, capacity in periods
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(slots)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise InvalidState(
            _l("Lokasi ini sudah memiliki sesi jemput bola pada jam tersebut.")
        ) from None
    return slots


def list_outreach_slots(site_id, starts_at, ends_at):
    """A site's outreach slots that start in [starts_at, ends_at), earliest first."""
    return db.session.scalars(
        sa.select(Slot)
        .where(
            Slot.site_id == site_id,
            Slot.session_kind == "outreach",
            Slot.starts_at >= starts_at,
            Slot.starts_at < ends_at,
        )
        .order_by(Slot.starts_at)
    ).all()


def set_outreach_slots_public(site_id, starts_at, ends_at, is_public):
    """Open a session's outreach slots to the public list, or close them again."""
    db.session.execute(
        sa.update(Slot)
        .where(
            Slot.site_id == site_id,
            Slot.session_kind == "outreach",
            Slot.starts_at >= starts_at,
            Slot.starts_at < ends_at,
        )
        .values(is_public=is_public)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


# ------------------------------------------------------------------------- administration


@transactional
def save_site(site_id=None, **fields):
    """Create or update a site; returns it."""
    site = Site() if site_id is None else get_site(site_id)
    for key, value in fields.items():
        setattr(site, key, value)
    if site_id is None:
        db.session.add(site)
    db.session.flush()
    return site


@transactional
def set_weekly_hours(site_id, hours):
    """Replace a site's week: hours maps weekday -> (opens, closes, break_start, break_end)."""
    site = get_site(site_id)
    site.hours.clear()
    db.session.flush()
    for weekday, (opens, closes, b1, b2) in sorted(hours.items()):
        if opens is None or closes is None:
            continue
        if opens >= closes:
            raise ValidationError(fields={f"day{weekday}": _l("Jam buka harus sebelum jam tutup.")})
        if (b1 is None) != (b2 is None) or (b1 and not (opens < b1 < b2 < closes)):
            raise ValidationError(
                fields={f"day{weekday}": _l("Istirahat harus di antara jam buka dan jam tutup.")}
            )
        site.hours.append(
            WeeklyHours(
                weekday=weekday,
                opens_at=opens,
                closes_at=closes,
                break_starts_at=b1,
                break_ends_at=b2,
            )
        )
    db.session.flush()
    return site


@transactional
def add_exception(
    site_id,
    starts_on,
    ends_on,
    closed,
    reason="",
    opens_at=None,
    closes_at=None,
    break_starts_at=None,
    break_ends_at=None,
):
    """Add a closure (closed=True) or other hours for a date range; site_id None = all."""
    if starts_on > ends_on:
        raise ValidationError(fields={"ends_on": _l("Tanggal akhir harus setelah tanggal awal.")})
    if not closed and (opens_at is None or closes_at is None or opens_at >= closes_at):
        raise ValidationError(fields={"opens_at": _l("Isi jam buka dan jam tutup yang benar.")})
    if site_id is not None:
        get_site(site_id)
    exc = ScheduleException(
        site_id=site_id,
        starts_on=starts_on,
        ends_on=ends_on,
        closed=closed,
        reason=reason,
        opens_at=opens_at,
        closes_at=closes_at,
        break_starts_at=break_starts_at,
        break_ends_at=break_ends_at,
    )
    db.session.add(exc)
    db.session.flush()
    return exc


@transactional
def delete_exception(exception_id):
    """Remove a schedule exception; raises NotFound."""
    exc = db.session.get(ScheduleException, exception_id)
    if exc is None:
        raise NotFound()
    db.session.delete(exc)


@transactional
def override_holiday(on, action, name="", category="public"):
    """Add a holiday the package lacks, or remove one it has (the yearly decree differs)."""
    existing = db.session.scalar(sa.select(HolidayOverride).where(HolidayOverride.on == on))
    if existing is None:
        existing = HolidayOverride(on=on)
        db.session.add(existing)
    existing.action, existing.name, existing.category = action, name, category
    db.session.flush()
    return existing


@transactional
def clear_holiday_override(on):
    """Return a date to what the holidays package says."""
    db.session.execute(sa.delete(HolidayOverride).where(HolidayOverride.on == on))


@transactional
def delete_holiday_override(on):
    """Undo an admin's correction of a date; raises NotFound when there is none."""
    result = db.session.execute(sa.delete(HolidayOverride).where(HolidayOverride.on == on))
    if result.rowcount != 1:
        raise NotFound()


# ------------------------------------------------------------------------ admin pages

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_label(site_or_name):
    """WIB, WITA or WIT for a site (or a zone name); the zone name for any other zone."""
    name = site_or_name if isinstance(site_or_name, str) else site_or_name.timezone
    return ZONE_LABELS.get(name, name)


def list_exceptions(site_id):
    """The schedule exceptions that apply to a site (its own and those for every site)."""
    return db.session.scalars(
        sa.select(ScheduleException)
        .where(sa.or_(ScheduleException.site_id == site_id, ScheduleException.site_id.is_(None)))
        .order_by(ScheduleException.starts_on, ScheduleException.id)
    ).all()


@dataclass
class HolidayRow:
    on: date
    name: str
    category: str  # public | cuti_bersama
    source: str  # package | added | removed | renamed
    overridden: bool


def holiday_year(year, language="id"):
    """Every holiday of a year: the package's days (named in `language`) and the admins'
    overrides, by date. Removed days are listed too (source "removed") so that the removal
    can be undone. Raises ValidationError for an impossible year.
    """
    if not 1900 <= year <= 2200:
        raise ValidationError(fields={"year": _l("Tahun tidak sah.")})
    package = _package_holidays(year, language)
    overrides = {
        o.on: o
        for o in db.session.scalars(
            sa.select(HolidayOverride).where(
                HolidayOverride.on.between(date(year, 1, 1), date(year, 12, 31))
            )
        )
    }
    rows = {}
    for on, (name, category) in package.items():
        rows[on] = HolidayRow(on, name, category, "package", False)
    for on, o in overrides.items():
        if o.action == "remove":
            base = rows.get(on)
            rows[on] = HolidayRow(
                on,
                base.name if base else o.name,
                base.category if base else o.category,
                "removed",
                True,
            )
        else:
            rows[on] = HolidayRow(
                on, o.name, o.category, "renamed" if on in rows else "added", True
            )
    return [rows[on] for on in sorted(rows)]


@transactional
def add_holiday(on, name, category="public"):
    """Make a date a holiday (closing every site, or those closing on cuti bersama), then
    regenerate the slots; returns the generate_slots report."""
    if category not in ("public", "cuti_bersama"):
        raise ValidationError(fields={"category": _l("Pilih jenis hari libur.")})
    override_holiday(on, "add", name=name, category=category)
    return generate_slots()


@transactional
def remove_holiday(on):
    """Make a package holiday a working day, then regenerate the slots; returns the report."""
    existing = _package_holidays(on.year).get(on)
    if existing is None:
        raise NotFound(_l("Tanggal ini bukan hari libur."))
    override_holiday(on, "remove", name=existing[0], category=existing[1])
    return generate_slots()


@transactional
def restore_holiday(on):
    """Undo an override (the package's word applies again), then regenerate; returns the report."""
    delete_holiday_override(on)
    return generate_slots()
