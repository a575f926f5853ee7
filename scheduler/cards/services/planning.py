"""Allocating print and pickup dates: what the allocator is given, and its plan applied."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import selectinload

from scheduler import clock
from scheduler.cards import ledger
from scheduler.cards.allocation import Request, plan
from scheduler.cards.models import (
    UNPRINTED_STATUSES,
    CardRequest,
    ExpectedDelivery,
    PrintSite,
    queue_order,
)
from scheduler.cards.services.summary import _cfg, _notify, today
from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.sites import services as sites

CARD_AGE = 17


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


def print_route():
    """pickup site id -> the print site that prints its cards (None: no printer)."""
    return _print_routes(db.session.scalars(sa.select(PrintSite)).all())


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
        self._offices = {p.site_id: p.office_id for p in self.print_sites}
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
        """{office id: [(day index, quantity)]} of the announced deliveries."""
        lead = int(_cfg("CARD_DELIVERY_LEAD_DAYS"))
        rows = db.session.execute(
            sa.select(
                ExpectedDelivery.office_id, ExpectedDelivery.expected_on, ExpectedDelivery.quantity
            ).where(ExpectedDelivery.closed_at.is_(None))
        ).all()
        out = {}
        for office_id, on, q in rows:
            # An overdue delivery counts from tomorrow: the stock page shows it as late.
            out.setdefault(office_id, []).append((max(1, (on - self.today).days + lead), q))
        return out

    def office_of(self, print_site_id):
        """The printing office whose blanks a print site prints on."""
        return self._offices.get(print_site_id)

    def pickup_from(self, pickup_site_id, print_site_id, print_on):
        same = pickup_site_id == print_site_id
        offset = int(_cfg("CARD_PICKUP_AFTER_DAYS" if same else "CARD_TRANSFER_DAYS"))
        return self.calendar(pickup_site_id).first_open_from(print_on + timedelta(days=offset))


# ------------------------------------------------------------------------- allocation


def _plan_per_office(requests, planner, on_hand, capacity):
    """The allocator run once per printing office: an office's cards are printed by its
    print sites on its own blanks and announced deliveries."""
    groups = {}
    for r in requests:
        groups.setdefault(planner.office_of(r.print_site), []).append(r)
    deliveries = planner.deliveries()
    days = {}
    for office_id, group in groups.items():
        result = plan(
            group,
            on_hand=on_hand.get(office_id, 0) if office_id is not None else 0,
            deliveries=deliveries.get(office_id, []),
            capacity={s: c for s, c in capacity.items() if planner.office_of(s) == office_id},
            horizon=planner.horizon,
        )
        days.update(result.days)
    return days


@transactional
def allocate_cards():
    """Give every unprinted card a print date, a pickup date and site, or leave it waiting
    for stock (see allocation.py), each printing office on its own blanks; tells residents
    whose dates changed. Returns counts."""
    on_hand = ledger.lock_stock()
    planner = _Planner()
    capacity = planner.capacity()
    rows = _unprinted_in_queue_order()
    requests, routes = _requests(rows, planner)
    days = _plan_per_office(requests, planner, on_hand, capacity)
    updates, events = _changes(rows, days, routes, planner)
    if updates:
        db.session.execute(
            sa.update(CardRequest).execution_options(synchronize_session=False), updates
        )
    if events:
        _tell_residents(events)
    scheduled = sum(1 for d in days.values() if d is not None)
    return {
        "scheduled": scheduled,
        "awaiting": len(rows) - scheduled,
        "changed": len(updates),
        "messages": len(events),
    }


def _unprinted_in_queue_order():
    """Every unprinted card as a plain tuple (id, priority, eligible_on, pickup site,
    print site, status, print_on, pickup_from), in queue order."""
    # Queue order comes from the database, so the recording time itself is never loaded:
    # the row's rank stands for it (100,000 rows are read as plain tuples).
    return (
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
            .order_by(*queue_order())
        )
        .all()
    )


def _requests(rows, planner):
    """The allocator's Requests of the rows, and {pickup site id: print site id}."""
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
    return requests, routes


def _changes(rows, days, routes, planner):
    """The rows' new values where the plan changed them (for one bulk UPDATE), and the
    residents to tell: [(card id, event)]."""
    t0 = planner.today
    now = clock.now()
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
    return updates, events


def _tell_residents(events):
    """Queue the message of each (card id, event), the cards read again after the bulk
    UPDATE, in id order."""
    kinds = dict(events)
    cards = db.session.scalars(
        sa.select(CardRequest)
        .where(CardRequest.id.in_(list(kinds)))
        .options(selectinload(CardRequest.pickup_site), selectinload(CardRequest.appointment))
        .execution_options(populate_existing=True)
    ).all()
    for card in sorted(cards, key=lambda c: c.id):
        _notify(card, kinds[card.id])
