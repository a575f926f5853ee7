"""Sites, kecamatan and the slots a resident may book (the JSON of the hot path included)."""

import json
from datetime import datetime, time, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import joinedload

from scheduler import clock
from scheduler.db import is_row_id
from scheduler.errors import NotFound, SlotClosed, ValidationError
from scheduler.extensions import db
from scheduler.sites.models import (
    Site,
    Slot,
)
from scheduler.sites.services.calendar import zone

# ---------------------------------------------------------------------------- queries


def list_sites(kind=None, kecamatan=None, include_inactive=False, site_ids=None):
    """Sites, filtered by kind, by kecamatan (its name or region code) and by a user's
    `site_ids` (None: every site)."""
    query = sa.select(Site).order_by(
        sa.case({"office": 0, "subdistrict": 1, "school": 2, "village_hall": 3}, value=Site.kind),
        Site.kecamatan,
        Site.name,
    )
    if not include_inactive:
        query = query.where(Site.active.is_(True))
    if kind:
        query = query.where(Site.kind == kind)
    if site_ids is not None:
        query = query.where(Site.id.in_(list(site_ids)))
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
    if not is_row_id(site_id):
        raise NotFound()
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound()
    return site


def check_site(site_ids, site_id, refusal):
    """Raise `refusal` (a DomainError) unless `site_id` is one of `site_ids`, the sites a
    user acts for (None: every site, an admin's). Each caller keeps its own answer: NotFound
    where another site's record must not be seen to exist, Forbidden or a field's message
    where the user named the site."""
    if site_ids is not None and site_id not in site_ids:
        raise refusal


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
    """A site's open slots starting in [lo, hi) (bound parameters site_id, lo, hi)."""
    return (
        slots.c.site_id == sa.bindparam("site_id"),
        slots.c.closed.is_(False),
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
    slot = db.session.get(Slot, slot_id, options=_with_site()) if is_row_id(slot_id) else None
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
    if slot.closed:
        raise SlotClosed(fields={field: SlotClosed.default_message})
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
        .where(
            Slot.site_id == site_id,
            Slot.starts_at <= now,
            Slot.ends_at > now,
            Slot.closed.is_(False),
        )
        .order_by((Slot.capacity - Slot.booked_count).desc(), Slot.id)
        .limit(1)
    ).first()


def nearest_free_slots(slot, limit=3):
    """Up to `limit` other public slots of the same site with a free seat that a resident
    may book now, nearest in time to `slot` first (a full slot's alternatives)."""
    earliest, latest = booking_horizon(slot.site)
    base = sa.select(Slot).where(
        Slot.site_id == slot.site_id,
        Slot.id != slot.id,
        Slot.is_public.is_(True),
        Slot.closed.is_(False),
        Slot.booked_count < Slot.capacity,
        Slot.starts_at >= earliest,
        Slot.starts_at < latest,
    )
    later = db.session.scalars(
        base.where(Slot.starts_at >= slot.starts_at).order_by(Slot.starts_at).limit(limit)
    ).all()
    earlier = db.session.scalars(
        base.where(Slot.starts_at < slot.starts_at).order_by(Slot.starts_at.desc()).limit(limit)
    ).all()
    return sorted(
        [*later, *earlier], key=lambda s: (abs(s.starts_at - slot.starts_at), s.starts_at)
    )[:limit]
