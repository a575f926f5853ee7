"""The monthly report for the office and the ministry: what each site did in a month,
and the month day by day.

Days are the regency's local days. What counts where, and on which day:
- bookings: appointments made that day (walk-ins apart), at the site booked;
- recordings: biometrics taken that day (desk, walk-in or outreach);
- no-shows: appointments of that day the resident did not come to;
- failed recordings: recordings that failed that day;
- walk-ins: residents served without a booking that day;
- outreach sessions and participants: sessions held that day at the school or village
  hall, and the residents booked into them (cancellations apart);
- cards printed (at the printing site) and collected (at the pickup site) that day;
- blanks received and spoiled: the blank ledger's entries of that day, at the site of
  their printing office;
- digital IDs (IKD) activated that day at the recording desk, or at the pickup desk
  (by the pickup site; one activated at recording is not counted again at pickup).
The report reads and never changes anything.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest, PrintingOffice, StockEntry
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.outreach.models import OutreachSession
from scheduler.sites import services as sites
from scheduler.sites.models import Slot

COLUMNS = (
    "bookings",
    "recordings",
    "no_shows",
    "failed_recordings",
    "walk_ins",
    "outreach_sessions",
    "outreach_participants",
    "cards_printed",
    "cards_collected",
    "blanks_received",
    "blanks_spoiled",
    "ikd_at_recording",
    "ikd_at_pickup",
)

LABELS = {
    "bookings": _l("Pemesanan"),
    "recordings": _l("Perekaman"),
    "no_shows": _l("Tidak hadir"),
    "failed_recordings": _l("Perekaman gagal"),
    "walk_ins": _l("Tanpa janji"),
    "outreach_sessions": _l("Sesi jemput bola"),
    "outreach_participants": _l("Peserta jemput bola"),
    "cards_printed": _l("Kartu dicetak"),
    "cards_collected": _l("Kartu diambil"),
    "blanks_received": _l("Blangko diterima"),
    "blanks_spoiled": _l("Blangko rusak"),
    "ikd_at_recording": _l("IKD aktif saat rekam"),
    "ikd_at_pickup": _l("IKD aktif saat ambil"),
}
ALWAYS_LISTED = ("office", "subdistrict")


@dataclass
class Row:
    """One site's (or one day's) figures."""

    key: object  # a site id, a date, or None (regency-wide)
    name: str = ""
    kind: str = ""
    counts: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    def add(self, column, n=1):
        self.counts[column] += n


@dataclass
class Report:
    year: int
    month: int
    first: date
    last: date
    regency: str
    sites: list
    days: list
    total: Row
    site_ids: set | None = None  # None: every site

    @property
    def label(self):
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(text, today=None):
    """(year, month) of 'YYYY-MM' (default this month); ValidationError on `month` for a
    bad or future month."""
    today = today or sites.local_today()
    if not text:
        return today.year, today.month
    try:
        year, month = (int(p) for p in str(text).split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
    if first is None or year < 2000:
        raise ValidationError(fields={"month": _l("Bulan tidak sah; gunakan YYYY-MM.")})
    if first > today:
        raise ValidationError(fields={"month": _l("Bulan ini belum datang.")})
    return year, month


def _bounds(first, last):
    """UTC instants of the start of `first` and of the day after `last`, local days."""
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    lo = datetime.combine(first, time.min, tzinfo=tz)
    hi = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return lo, hi, tz


def monthly_report(year, month, site_ids=None):
    """The month's Report; `site_ids` limits it to those sites (staff), None is every site
    and the regency's blank ledger (admins)."""
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    lo, hi, tz = _bounds(first, last)
    by_site, by_day = defaultdict(lambda: Row(None)), {}
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        by_day[day] = Row(day)

    def count(column, site_id, on, n=1):
        if site_ids is not None and site_id not in site_ids:
            return
        if isinstance(on, datetime):
            on = on.astimezone(tz).date()
        if on not in by_day:
            return
        by_site[site_id].add(column, n)
        by_day[on].add(column, n)

    for column, rows in _events(lo, hi, first, last, include_ledger=site_ids is None):
        for site_id, on, n in rows:
            count(column, site_id, on, n)
    site_rows = _site_rows(by_site, site_ids)
    total = Row(None, str(_l("Total")))
    for row in site_rows:
        for column in COLUMNS:
            total.add(column, row.counts[column])
    return Report(
        year,
        month,
        first,
        last,
        current_app.config["REGENCY_NAME"],
        site_rows,
        [by_day[d] for d in sorted(by_day)],
        total,
        site_ids,
    )


def _site_rows(by_site, site_ids):
    """A row per site with a figure, and every office and kecamatan office (zeros too)."""
    known = {s.id: s for s in sites.list_sites(include_inactive=True)}
    wanted = {k for k in by_site if k is not None}
    wanted |= {
        s.id
        for s in known.values()
        if s.kind in ALWAYS_LISTED and s.active and (site_ids is None or s.id in site_ids)
    }
    rows = []
    for site_id in sorted(wanted, key=lambda i: (_kind_order(known.get(i)), _name(known, i))):
        row = by_site.get(site_id) or Row(site_id)
        row.key, row.name = site_id, _name(known, site_id)
        row.kind = known[site_id].kind if site_id in known else ""
        rows.append(row)
    if None in by_site:  # blanks not yet kept per printing office
        row = by_site[None]
        row.name = str(_l("Gudang blangko kabupaten"))
        rows.append(row)
    return rows


def _kind_order(site):
    order = {"office": 0, "subdistrict": 1, "school": 2, "village_hall": 3}
    return order.get(site.kind, 9) if site else 9


def _name(known, site_id):
    site = known.get(site_id)
    return site.name if site else f"#{site_id}"


def _rows(query):
    return [(site_id, on, 1) for site_id, on in db.session.execute(query).all()]


def _events(lo, hi, first, last, include_ledger):
    """(column, [(site id, moment or local date, n)]) for every column."""
    yield from _desk_events(lo, hi, first, last)
    yield from _card_events(lo, hi)
    if include_ledger:
        yield from _ledger(first, last)


def _between(lo, hi):
    return lambda column: sa.and_(column >= lo, column < hi)


def _desk_events(lo, hi, first, last):
    a, slot = Appointment, Slot
    in_range = _between(lo, hi)
    yield (
        "bookings",
        _rows(
            sa.select(a.site_id, a.booked_at).where(in_range(a.booked_at), a.channel != "walk_in")
        ),
    )
    yield (
        "walk_ins",
        _rows(
            sa.select(a.site_id, a.booked_at).where(in_range(a.booked_at), a.channel == "walk_in")
        ),
    )
    yield "recordings", _rows(sa.select(a.site_id, a.recorded_at).where(in_range(a.recorded_at)))
    yield (
        "no_shows",
        _rows(
            sa.select(a.site_id, slot.starts_at)
            .join(slot, slot.id == a.slot_id)
            .where(a.status == "no_show", in_range(slot.starts_at))
        ),
    )
    yield (
        "failed_recordings",
        _rows(
            sa.select(a.site_id, a.status_changed_at).where(
                a.status == "recording_failed", in_range(a.status_changed_at)
            )
        ),
    )
    yield (
        "outreach_sessions",
        _rows(
            sa.select(OutreachSession.site_id, OutreachSession.held_on).where(
                OutreachSession.active.is_(True), OutreachSession.held_on.between(first, last)
            )
        ),
    )
    yield (
        "outreach_participants",
        _rows(
            sa.select(a.site_id, slot.starts_at)
            .join(slot, slot.id == a.slot_id)
            .where(
                slot.session_kind == "outreach", a.status != "cancelled", in_range(slot.starts_at)
            )
        ),
    )
    yield (
        "ikd_at_recording",
        _rows(sa.select(a.site_id, a.ikd_activated_at).where(in_range(a.ikd_activated_at))),
    )


def _card_events(lo, hi):
    card, in_range = CardRequest, _between(lo, hi)
    printed_at = sa.func.coalesce(card.print_site_id, card.pickup_site_id)
    yield (
        "cards_printed",
        _rows(sa.select(printed_at, card.printed_at).where(in_range(card.printed_at))),
    )
    yield (
        "cards_collected",
        _rows(sa.select(card.pickup_site_id, card.picked_up_at).where(in_range(card.picked_up_at))),
    )
    yield (
        "ikd_at_pickup",
        _rows(
            sa.select(card.pickup_site_id, card.ikd_activated_at).where(
                in_range(card.ikd_activated_at)
            )
        ),
    )


def _ledger(first, last):
    """Blanks received and spoiled at each printing office, on the row of the office's
    site (the regency's blank store when the office names no site)."""
    entries = db.session.execute(
        sa.select(StockEntry.kind, PrintingOffice.site_id, StockEntry.entry_on, StockEntry.delta)
        .join(PrintingOffice, PrintingOffice.id == StockEntry.office_id)
        .where(
            StockEntry.kind.in_(("received", "spoiled")), StockEntry.entry_on.between(first, last)
        )
    ).all()
    for kind, column in (("received", "blanks_received"), ("spoiled", "blanks_spoiled")):
        yield column, [(site, on, abs(delta)) for k, site, on, delta in entries if k == kind]
