"""Blank stock for admins: deliveries, expected deliveries, spoilage, corrections,
transfers between printing offices, print capacity, the overview with its forecast (per
office, or all together), and the monthly report for the ministry.

Every change names its printing office (`office_id`); left out, it is the default office,
so an installation that prints at one place never names one."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler.cards import ledger, services
from scheduler.cards.models import (
    SPENT_KINDS,
    CardRequest,
    ExpectedDelivery,
    PrintingOffice,
    PrintSite,
    SpoilageRecord,
    StockCounter,
    StockEntry,
)
from scheduler.csv_export import write_csv
from scheduler.db import transactional
from scheduler.errors import NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites

# ----------------------------------------------------------------------- ledger changes


@transactional
def receive_delivery(
    quantity, received_on, reference="", expected_id=None, user_id=None, office_id=None
):
    """Blanks arrived at an office: add them to its stock (closing the expected delivery
    they were announced as) and re-plan. Raises ValidationError, NotFound (expected
    delivery)."""
    if received_on > sites.local_today():
        raise ValidationError(
            fields={"received_on": _l("Tanggal terima tidak boleh di masa depan.")}
        )
    ledger.lock_counter()
    if expected_id is not None:
        expected = _open_expected(expected_id, field="expected_id")
        expected.closed_at = clock.now()
        office_id = expected.office_id if office_id is None else office_id
    entry = ledger.post_entry(
        "received",
        quantity,
        office_id=office_id,
        entry_on=received_on,
        reference=reference,
        user_id=user_id,
    )
    services.allocate_cards()
    return entry


def _open_expected(expected_id, field=None):
    expected = db.session.get(ExpectedDelivery, expected_id)
    if expected is None or expected.closed_at is not None:
        message = _l("Kiriman yang diumumkan ini tidak ada atau sudah ditutup.")
        if field:  # an id given in a body is a bad field, not a missing page
            raise ValidationError(fields={field: message})
        raise NotFound(message)
    return expected


@transactional
def add_expected(quantity, expected_on, note="", office_id=None):
    """An announced delivery to an office, used for promised dates; re-plans. Raises
    ValidationError."""
    ledger.lock_counter()
    now = clock.now()
    expected = ExpectedDelivery(
        office_id=ledger.office_id_or_default(office_id),
        quantity=quantity,
        expected_on=expected_on,
        note=note or "",
        created_at=now,
        updated_at=now,
    )
    db.session.add(expected)
    db.session.flush()
    services.allocate_cards()
    return expected


@transactional
def update_expected(expected_id, quantity, expected_on, note=""):
    """Change an announced delivery as news arrives; re-plans. Raises NotFound."""
    ledger.lock_counter()
    expected = _open_expected(expected_id)
    expected.quantity, expected.expected_on = quantity, expected_on
    expected.note = note or ""
    expected.updated_at = clock.now()
    db.session.flush()
    services.allocate_cards()
    return expected


@transactional
def cancel_expected(expected_id):
    """The announced delivery will not come; promises that relied on it move. Raises NotFound."""
    ledger.lock_counter()
    expected = _open_expected(expected_id)
    expected.closed_at = clock.now()
    db.session.flush()
    services.allocate_cards()
    return expected


@transactional
def record_spoilage(quantity, reason, user_id=None, office_id=None):
    """Spoiled blanks leave an office's stock (never below zero) with their berita acara;
    promises that lose their blank move, latest first; returns (record, entry). Raises
    InvalidState."""
    record, entry = ledger.spoil(quantity, reason, user_id=user_id, office_id=office_id)
    services.allocate_cards()
    return record, entry


@transactional
def correct_stock(delta, note, user_id=None, office_id=None):
    """An admin's correction after a count, with a note; re-plans. Raises InvalidState."""
    if delta == 0:
        raise ValidationError(fields={"delta": _l("Koreksi tidak boleh nol.")})
    entry = ledger.post_entry(
        "correction", delta, office_id=office_id, reason=note, user_id=user_id
    )
    services.allocate_cards()
    return entry


@transactional
def save_print_site(site_id, printers, operators, cards_per_printer, office_id=None):
    """Set a site's printers, operators and cards per printer a day, and the printing
    office whose blanks it prints on (kept when left out; the default office for a new
    print site); re-plans. Raises ValidationError for an unknown site or office."""
    _known_site(site_id)
    ledger.lock_counter()
    row = db.session.scalar(sa.select(PrintSite).where(PrintSite.site_id == site_id))
    if row is None:
        row = PrintSite(site_id=site_id, office_id=ledger.office_id_or_default(office_id))
        db.session.add(row)
    elif office_id is not None:
        row.office_id = ledger.office_id_or_default(office_id)
    row.printers, row.operators, row.cards_per_printer = printers, operators, cards_per_printer
    row.updated_at = clock.now()
    db.session.flush()
    services.allocate_cards()
    return row


def _known_site(site_id):
    try:
        return sites.get_site(site_id)
    except NotFound:
        raise ValidationError(fields={"site_id": _l("Lokasi ini tidak ada.")}) from None


def list_print_sites():
    return db.session.scalars(sa.select(PrintSite).order_by(PrintSite.site_id)).all()


def list_expected(office_id=None):
    query = sa.select(ExpectedDelivery).where(ExpectedDelivery.closed_at.is_(None))
    if office_id is not None:
        query = query.where(ExpectedDelivery.office_id == office_id)
    return db.session.scalars(
        query.order_by(ExpectedDelivery.expected_on, ExpectedDelivery.id)
    ).all()


def get_spoilage_record(record_id):
    record = db.session.get(SpoilageRecord, record_id)
    if record is None:
        raise NotFound()
    return record


def list_spoilage_records(limit=50):
    return db.session.scalars(
        sa.select(SpoilageRecord).order_by(SpoilageRecord.id.desc()).limit(limit)
    ).all()


def recent_entries(limit=30, office_id=None):
    query = sa.select(StockEntry)
    if office_id is not None:
        query = query.where(StockEntry.office_id == office_id)
    return db.session.scalars(query.order_by(StockEntry.id.desc()).limit(limit)).all()


# ---------------------------------------------------------------------------- overview


def _office_print_sites(office_id):
    return db.session.scalars(
        sa.select(PrintSite.site_id).where(PrintSite.office_id == office_id)
    ).all()


def _count(status, office_id=None):
    """Cards in `status` (at one office: printed by its print sites; a card waiting for
    stock counts where its pickup site's cards are printed)."""
    query = sa.select(sa.func.count()).select_from(CardRequest).where(CardRequest.status == status)
    if office_id is None:
        return db.session.scalar(query)
    printers = _office_print_sites(office_id)
    if status != "awaiting_stock":
        return db.session.scalar(query.where(CardRequest.print_site_id.in_(printers or [-1])))
    pickups = db.session.execute(
        sa.select(CardRequest.pickup_site_id, sa.func.count())
        .where(CardRequest.status == status)
        .group_by(CardRequest.pickup_site_id)
    ).all()
    route = services.print_route()
    return sum(n for pickup, n in pickups if route(pickup) in printers)


def daily_usage(window=None, office_id=None):
    """Blanks used (printed or spoiled) a day, on average over the recent window (at one
    office, or all together)."""
    window = window or int(current_app.config["CARD_USAGE_WINDOW_DAYS"])
    since = sites.local_today() - timedelta(days=window)
    query = sa.select(sa.func.coalesce(sa.func.sum(-StockEntry.delta), 0)).where(
        StockEntry.kind.in_(SPENT_KINDS), StockEntry.entry_on > since
    )
    if office_id is not None:
        query = query.where(StockEntry.office_id == office_id)
    return db.session.scalar(query) / window


def stock_summary(office_id=None):
    """GET /stock: on hand, reserved for scheduled cards, cards awaiting stock, expected
    deliveries and days of cover of the free stock at the recent usage; at one printing
    office, or all of them together (None)."""
    on_hand = ledger.on_hand(office_id)
    scheduled = _count("scheduled", office_id)
    reserved = min(on_hand, scheduled)
    rate = daily_usage(office_id=office_id)
    free = on_hand - reserved
    return {
        "on_hand": on_hand,
        "reserved": reserved,
        "awaiting": _count("awaiting_stock", office_id),
        "scheduled": scheduled,
        "expected": [
            {"id": e.id, "quantity": e.quantity, "expected_on": e.expected_on.isoformat()}
            for e in list_expected(office_id)
        ],
        "days_of_cover": round(free / rate, 1) if rate > 0 else None,
        "daily_usage": round(rate, 2),
        "office_id": office_id,
        "offices": office_figures(),
    }


def office_figures():
    """[{id, name, site_id, on_hand}] of every printing office, the default first."""
    counters = dict(
        db.session.execute(sa.select(StockCounter.office_id, StockCounter.on_hand)).all()
    )
    ledger.office_id_or_default(None)
    offices = db.session.scalars(sa.select(PrintingOffice).order_by(PrintingOffice.id)).all()
    return [
        {"id": o.id, "name": o.name, "site_id": o.site_id, "on_hand": counters.get(o.id, 0)}
        for o in offices
    ]


def _at_office(query, column, office_id):
    return query if office_id is None else query.where(column == office_id)


def _history(start, days_back, today, office_id):
    """[(day, stock at its end)] for the days after `start` up to today."""
    opening = db.session.scalar(
        _at_office(
            sa.select(sa.func.coalesce(sa.func.sum(StockEntry.delta), 0)).where(
                StockEntry.entry_on <= start
            ),
            StockEntry.office_id,
            office_id,
        )
    )
    by_day = dict(
        db.session.execute(
            _at_office(
                sa.select(StockEntry.entry_on, sa.func.sum(StockEntry.delta)).where(
                    StockEntry.entry_on > start, StockEntry.entry_on <= today
                ),
                StockEntry.office_id,
                office_id,
            ).group_by(StockEntry.entry_on)
        ).all()
    )
    history, balance = [], opening
    for i in range(1, days_back + 1):
        day = start + timedelta(days=i)
        balance += by_day.get(day, 0)
        history.append((day, balance))
    return history


def stock_overview(days_back=60, days_ahead=60, office_id=None):
    """The stock page: the summary, the stock by day over the last weeks, the planned
    stock ahead (deliveries in, scheduled prints out), and when free stock runs out; at
    one printing office, or all together."""
    summary = stock_summary(office_id)
    today = sites.local_today()
    start = today - timedelta(days=days_back)
    history = _history(start, days_back, today, office_id)
    lead = int(current_app.config["CARD_DELIVERY_LEAD_DAYS"])
    arrivals = {}
    for e in list_expected(office_id):
        day = max(today + timedelta(days=1), e.expected_on + timedelta(days=lead))
        arrivals[day] = arrivals.get(day, 0) + e.quantity
    scheduled = sa.select(CardRequest.print_on, sa.func.count()).where(
        CardRequest.status == "scheduled"
    )
    if office_id is not None:
        printers = _office_print_sites(office_id) or [-1]
        scheduled = scheduled.where(CardRequest.print_site_id.in_(printers))
    prints = dict(db.session.execute(scheduled.group_by(CardRequest.print_on)).all())
    overdue = sum(n for d, n in prints.items() if d < today)
    ahead, balance = [], summary["on_hand"] - overdue - prints.get(today, 0)
    ahead.append((today, summary["on_hand"]))
    for i in range(1, days_ahead + 1):
        day = today + timedelta(days=i)
        balance += arrivals.get(day, 0) - prints.get(day, 0)
        ahead.append((day, balance))
    rate = summary["daily_usage"]
    free = summary["on_hand"] - summary["reserved"]
    runs_out_on = today + timedelta(days=int(free / rate)) if rate > 0 else None
    late = [e for e in list_expected(office_id) if e.expected_on < today]
    return {
        **summary,
        "free": free,
        "history": history,
        "ahead": ahead,
        "arrivals": sorted(arrivals.items()),
        "runs_out_on": runs_out_on,
        "late_deliveries": late,
        "today": today,
    }


# ------------------------------------------------------------------------ the report


def month_bounds(year, month):
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def monthly_report(year, month):
    """The monthly blangko report: opening balance, received, used, spoiled, corrections,
    closing balance, and every entry of the month. Raises ValidationError for a bad month."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationError(fields={"month": _l("Bulan tidak sah; gunakan YYYY-MM.")})
    first, last = month_bounds(year, month)
    opening = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StockEntry.delta), 0)).where(
            StockEntry.entry_on < first
        )
    )
    sums = dict(
        db.session.execute(
            sa.select(StockEntry.kind, sa.func.sum(StockEntry.delta))
            .where(StockEntry.entry_on.between(first, last))
            .group_by(StockEntry.kind)
        ).all()
    )
    entries = db.session.scalars(
        sa.select(StockEntry)
        .where(StockEntry.entry_on.between(first, last))
        .order_by(StockEntry.entry_on, StockEntry.id)
    ).all()
    received = sums.get("received", 0)
    used = -sums.get("used", 0)
    spoiled = -sums.get("spoiled", 0)
    corrections = sums.get("correction", 0)
    records = db.session.scalars(
        sa.select(SpoilageRecord)
        .where(SpoilageRecord.recorded_on.between(first, last))
        .order_by(SpoilageRecord.id)
    ).all()
    return {
        "year": year,
        "month": month,
        "first": first,
        "last": last,
        "opening": opening,
        "received": received,
        "used": used,
        "spoiled": spoiled,
        "corrections": corrections,
        # Transfers between printing offices add up to zero for the regency.
        "closing": opening + received - used - spoiled + corrections + sums.get("transfer", 0),
        "entries": entries,
        "records": records,
        "regency": current_app.config["REGENCY_NAME"],
    }


KIND_LABELS = {
    "received": _l("Diterima"),
    "used": _l("Dipakai cetak"),
    "spoiled": _l("Rusak"),
    "correction": _l("Koreksi"),
    "transfer": _l("Pindah antar kantor cetak"),
}


def monthly_report_csv(report):
    """The monthly report as CSV (UTF-8 with BOM, so spreadsheets read it as UTF-8)."""
    rows = [
        [str(_l("Laporan blangko KTP-el")), report["regency"]],
        [str(_l("Bulan")), f"{report['year']:04d}-{report['month']:02d}"],
    ]
    for label, key in (
        (_l("Saldo awal"), "opening"),
        (_l("Diterima"), "received"),
        (_l("Dipakai cetak"), "used"),
        (_l("Rusak"), "spoiled"),
        (_l("Koreksi"), "corrections"),
        (_l("Saldo akhir"), "closing"),
    ):
        rows.append([str(label), report[key]])
    rows.append([])
    headings = (
        _l("Tanggal"),
        _l("Jenis"),
        _l("Jumlah"),
        _l("Saldo"),
        _l("Referensi"),
        _l("Keterangan"),
    )
    rows.append([str(h) for h in headings])
    for e in report["entries"]:
        kind = str(KIND_LABELS[e.kind])
        rows.append([e.entry_on.isoformat(), kind, e.delta, e.balance, e.reference, e.reason])
    return write_csv(rows)
