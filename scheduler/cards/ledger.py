"""The blank ledger's primitives: the stock counters' row locks and posting an entry.

Every printing office has its own counter row (CHECK on_hand >= 0) and every entry
belongs to an office. Every change of stock goes through post_entry(): a conditional
UPDATE of that office's counter row, whose new value is written as the entry's running
balance (CHECK balance >= 0). A transfer between offices is two entries, out of one and
into the other, in the same transaction. Services take lock_stock() first: it locks
every office's counter row in id order, so writers and the planner are ordered and never
deadlock; on SQLite BEGIN IMMEDIATE serialises writers. The Python-side condition only
turns a refusal into a message.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.cards.models import (
    DEFAULT_OFFICE_ID,
    PrintingOffice,
    PrintSite,
    SpoilageRecord,
    StockCounter,
    StockEntry,
)
from scheduler.errors import InvalidState, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
DEFAULT_OFFICE_NAME = "Kantor Disdukcapil"


def _ensure_default_office():
    """The office an installation starts with (the migration makes it; a database made
    from the models gets it on first use)."""
    if db.session.get(PrintingOffice, DEFAULT_OFFICE_ID) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                PrintingOffice(
                    id=DEFAULT_OFFICE_ID, name=DEFAULT_OFFICE_NAME, created_at=clock.now()
                )
            )
            db.session.flush()
    except IntegrityError:
        pass  # created by a concurrent transaction


def _ensure_counter(office_id):
    try:
        with db.session.begin_nested():
            db.session.add(
                StockCounter(id=office_id, office_id=office_id, on_hand=0, updated_at=clock.now())
            )
            db.session.flush()
    except IntegrityError:
        pass  # created by a concurrent transaction


def lock_stock():
    """Lock every office's counter row for this transaction, in id order (creating the
    default office and missing counters on first use); returns {office id: on hand}.
    Every service that changes stock or plans cards takes this lock first."""
    _ensure_default_office()
    offices = db.session.scalars(sa.select(PrintingOffice.id).order_by(PrintingOffice.id)).all()
    query = (
        sa.select(StockCounter.office_id, StockCounter.on_hand)
        .order_by(StockCounter.id)
        .with_for_update()
    )
    held = dict(db.session.execute(query).all())
    missing = [o for o in offices if o not in held]
    for office_id in missing:
        _ensure_counter(office_id)
    if missing:
        held = dict(db.session.execute(query).all())
    return held


def lock_counter():
    """lock_stock(), answering the blanks on hand in all offices together."""
    return sum(lock_stock().values())


def office_id_or_default(office_id):
    """`office_id`, or the default office; ValidationError for an unknown one."""
    if office_id is None:
        _ensure_default_office()
        return DEFAULT_OFFICE_ID
    if db.session.get(PrintingOffice, office_id) is None:
        raise ValidationError(fields={"office_id": _l("Kantor cetak ini tidak ada.")})
    return office_id


def office_of_print_site(site_id):
    """The printing office whose blanks a print site uses (the default one when unknown)."""
    office_id = db.session.scalar(
        sa.select(PrintSite.office_id).where(PrintSite.site_id == site_id)
    )
    return office_id_or_default(office_id)


def on_hand(office_id=None):
    """Blanks physically in stock (no lock): at one office, or at all of them."""
    query = sa.select(sa.func.coalesce(sa.func.sum(StockCounter.on_hand), 0))
    if office_id is not None:
        query = query.where(StockCounter.office_id == office_id)
    return db.session.scalar(query) or 0


def post_entry(
    kind,
    delta,
    *,
    office_id=None,
    entry_on=None,
    reference="",
    reason="",
    card_request_id=None,
    spoilage_record_id=None,
    transfer_id=None,
    user_id=None,
):
    """Append a ledger entry at an office (default: the default office) and move its
    counter by `delta`; raises InvalidState when its stock would go below zero (the
    CHECK constraints refuse it in any case)."""
    lock_stock()
    office_id = office_id_or_default(office_id)
    balance = db.session.execute(
        sa.update(StockCounter)
        .where(StockCounter.office_id == office_id, StockCounter.on_hand + delta >= 0)
        .values(on_hand=StockCounter.on_hand + delta, updated_at=clock.now())
        .returning(StockCounter.on_hand)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if balance is None:
        n = on_hand(office_id)
        raise InvalidState(
            _l("Stok blangko tidak cukup: tersedia %(n)s lembar.", n=n),
            fields={"quantity": _l("Melebihi stok yang ada (%(n)s).", n=n)},
        )
    entry = StockEntry(
        office_id=office_id,
        transfer_id=transfer_id,
        kind=kind,
        delta=delta,
        balance=balance,
        entry_on=entry_on or sites.local_today(),
        reference=reference or "",
        reason=reason or "",
        card_request_id=card_request_id,
        spoilage_record_id=spoilage_record_id,
        user_id=user_id,
        created_at=clock.now(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def next_serial(model, year):
    """The next number of the year for an official document (a UNIQUE (year, serial)
    constraint refuses a number taken twice)."""
    query = sa.select(sa.func.max(model.serial)).where(model.year == year)
    return (db.session.scalar(query) or 0) + 1


def new_spoilage_record(quantity, reason, user_id=None):
    """A numbered berita acara (caller holds the counter lock, so numbers never clash)."""
    today = sites.local_today()
    serial = next_serial(SpoilageRecord, today.year)
    record = SpoilageRecord(
        year=today.year,
        serial=serial,
        number=f"{serial:03d}/BA-BLANGKO/{ROMAN[today.month - 1]}/{today.year}",
        recorded_on=today,
        quantity=quantity,
        reason=reason,
        created_by_id=user_id,
        created_at=clock.now(),
    )
    db.session.add(record)
    db.session.flush()
    return record


def spoil(quantity, reason, *, user_id=None, card_request_id=None, reference="", office_id=None):
    """Take spoiled blanks out of an office's stock with their berita acara; returns
    (record, entry)."""
    lock_stock()
    record = new_spoilage_record(quantity, reason, user_id)
    entry = post_entry(
        "spoiled",
        -quantity,
        office_id=office_id,
        reason=reason,
        reference=reference or record.number,
        card_request_id=card_request_id,
        spoilage_record_id=record.id,
        user_id=user_id,
    )
    return record, entry
