"""The public dashboard (/angka, GET /api/v1/public/dashboard): what the office
publishes about its work, with no personal data and no small count (disclosure.py).

The figures are computed once per PUBLIC_DASHBOARD_CACHE_SECONDS and process, in a
cachetools TTLCache keyed by the regency's local date (a new day, and so a new month,
never serves yesterday's figures), and carry no language: each request renders them in
its own. They stay true for the whole cache period: the next free slot shown is one a
resident can still book when the cached figures expire (it starts at least the minimum
notice plus the cache period from now), unless someone books its last seat meanwhile.
"""

import statistics
import threading
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from cachetools import TTLCache
from flask import current_app

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.cards import stock
from scheduler.extensions import db
from scheduler.outreach import coverage_history
from scheduler.reports import disclosure
from scheduler.sites import services as sites
from scheduler.sites.models import Slot

WAIT_WINDOW_DAYS = 30  # bookings of the last 30 days make the typical wait
ONLINE_CHANNELS = ("web", "api")  # walk-ins and school rosters choose no day
ALWAYS_LISTED = ("office", "subdistrict")  # schools and halls only with a public slot
_EXTENSION = "reports.dashboard_cache"


def init_cache(app):
    """The app's dashboard cache; its clock is the service's clock (tests move it)."""
    ttl = max(1, int(app.config["PUBLIC_DASHBOARD_CACHE_SECONDS"]))
    cache = TTLCache(maxsize=4, ttl=ttl, timer=lambda: clock.now().timestamp())
    app.extensions[_EXTENSION] = (cache, threading.Lock())


def cache_seconds():
    return int(current_app.config["PUBLIC_DASHBOARD_CACHE_SECONDS"])


def clear_cache():
    """Forget the cached figures (the next request computes them again)."""
    cache, lock = current_app.extensions[_EXTENSION]
    with lock:
        cache.clear()


def public_dashboard():
    """(figures, seconds they stay valid): the cached figures, computed when missing."""
    ttl = cache_seconds()
    if ttl <= 0:
        return build_dashboard(0), 0
    cache, lock = current_app.extensions[_EXTENSION]
    key = sites.local_today()
    with lock:
        hit = cache.get(key)
    if hit is None:
        hit = (clock.now(), build_dashboard(ttl))
        with lock:
            cache[key] = hit
    made_at, figures = hit
    left = ttl - int((clock.now() - made_at).total_seconds())
    return figures, max(0, left)


def build_dashboard(valid_seconds=0):
    """The dashboard's figures now, true for the next `valid_seconds`."""
    today = sites.local_today()
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    return {
        "generated_at": clock.now().astimezone(tz).isoformat(),
        "valid_seconds": valid_seconds,
        "regency": {
            "code": current_app.config["REGENCY_CODE"],
            "name": current_app.config["REGENCY_NAME"],
        },
        "suppression_threshold": disclosure.THRESHOLD,
        "coverage": _coverage(today),
        "stock": _stock(),
        "sites": _sites(valid_seconds),
        "recordings_this_month": _recordings(today),
    }


def _meets(cell, target):
    """True or False where the published figures tell, else None."""
    if cell.coverage is not None:  # exactly, not the rounded percentage
        return cell.recorded * 100 >= target * cell.wktp
    if cell.coverage_min is not None and cell.coverage_min >= target:
        return True
    if cell.coverage_max is not None and cell.coverage_max < target:
        return False
    return None


def _cell_json(cell, target):
    return {
        "code": cell.key,
        "name": cell.name,
        "wktp": cell.wktp,
        "recorded": cell.recorded,
        "not_recorded": cell.not_recorded,
        "coverage": _number(cell.coverage),
        "coverage_min": _number(cell.coverage_min),
        "coverage_max": _number(cell.coverage_max),
        "meets_target": _meets(cell, target),
        "suppressed": cell.suppressed,
        "small": cell.small,
    }


def _number(value):
    return None if value is None else float(value)


def _coverage(today):
    areas = coverage_history.kecamatan_figures(today)
    target = coverage_history.target()
    cells = disclosure.coverage_cells(
        [(a.kecamatan_code, a.kecamatan, a.wktp, a.recorded) for a in areas]
    )
    total = disclosure.total_cell(
        current_app.config["REGENCY_CODE"],
        current_app.config["REGENCY_NAME"],
        sum(a.wktp for a in areas),
        sum(a.recorded for a in areas),
    )
    counted = [a.counted_on for a in areas if a.counted_on]
    return {
        "target": float(target),
        "counted_on": max(counted).isoformat() if counted else None,
        "as_of": today.isoformat(),
        "regency": _cell_json(total, target) if areas else None,
        "kecamatan": [_cell_json(c, target) for c in cells],
    }


def _stock():
    """The regency's blanks, and each printing office's where it prints at several."""
    summary = stock.stock_summary()
    per_office = []
    if len(summary["offices"]) > 1:
        for office in summary["offices"]:
            one = stock.stock_summary(office["id"])
            per_office.append(
                {
                    "name": office["name"],
                    "on_hand": one["on_hand"],
                    "days_of_cover": one["days_of_cover"],
                }
            )
    return {
        "on_hand": summary["on_hand"],
        "days_of_cover": summary["days_of_cover"],
        "offices": per_office,
    }


def _recordings(today):
    first = today.replace(day=1)
    n = coverage_history.recordings_between(first, today)
    return {
        "month": first.strftime("%Y-%m"),
        "count": disclosure.count(n),
        "suppressed": disclosure.is_small(n),
    }


def _sites(valid_seconds):
    listed = sites.list_sites()
    free = _next_free_slots(listed, valid_seconds)
    waits = _typical_waits([s.id for s in listed])
    out = []
    for site in listed:
        starts_at = free.get(site.id)
        if starts_at is None and site.kind not in ALWAYS_LISTED:
            continue
        wait, n = waits.get(site.id, (None, 0))
        out.append(
            {
                "id": site.id,
                "name": site.name,
                "kind": site.kind,
                "kecamatan": site.kecamatan,
                "next_free_slot": starts_at.astimezone(sites.zone(site)).isoformat()
                if starts_at
                else None,
                "typical_wait_days": wait if n >= disclosure.THRESHOLD else None,
                "wait_suppressed": disclosure.is_small(n),
            }
        )
    return out


def _next_free_slots(listed, valid_seconds):
    """{site id: start of its first public slot with a free seat that stays bookable for
    `valid_seconds`}."""
    if not listed:
        return {}
    notice = current_app.config["BOOKING_MIN_NOTICE_MINUTES"]
    earliest = clock.now() + timedelta(minutes=notice, seconds=valid_seconds)
    slots = Slot.__table__
    rows = db.session.execute(
        sa.select(slots.c.site_id, sa.func.min(slots.c.starts_at))
        .where(
            slots.c.site_id.in_([s.id for s in listed]),
            slots.c.is_public.is_(True),
            slots.c.booked_count < slots.c.capacity,
            slots.c.starts_at >= earliest,
        )
        .group_by(slots.c.site_id)
    ).all()
    latest = {s.id: sites.booking_horizon(s)[1] for s in listed}
    return {site_id: at for site_id, at in rows if at is not None and at < latest[site_id]}


def _typical_waits(site_ids):
    """{site id: (median days from booking to the appointment's day, bookings counted)}
    over the online bookings of the last WAIT_WINDOW_DAYS days."""
    if not site_ids:
        return {}
    since = clock.now() - timedelta(days=WAIT_WINDOW_DAYS)
    rows = db.session.execute(
        sa.select(Appointment.site_id, Appointment.booked_at, Slot.starts_at)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(
            Appointment.site_id.in_(site_ids),
            Appointment.channel.in_(ONLINE_CHANNELS),
            Appointment.booked_at >= since,
        )
    ).all()
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    days = defaultdict(list)
    for site_id, booked_at, starts_at in rows:
        days[site_id].append(
            (starts_at.astimezone(tz).date() - booked_at.astimezone(tz).date()).days
        )
    return {k: (float(statistics.median(v)), len(v)) for k, v in days.items()}
