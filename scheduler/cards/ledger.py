"""The blank ledger's primitives: the stock counter's row lock and posting an entry.

Every change of stock goes through post_entry(): a conditional UPDATE of the one
counter row (CHECK on_hand >= 0), whose new value is written as the entry's running
balance (CHECK balance >= 0). On PostgreSQL the UPDATE holds the row lock until commit,
so concurrent entries are ordered and their balances agree; on SQLite BEGIN IMMEDIATE
serialises writers. The Python-side condition only turns a refusal into a message.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.cards.models import SpoilageRecord, StockCounter, StockEntry
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.sites import services as sites

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def lock_counter():
    """Lock the stock counter row for this transaction (creating it on first use) and
    return the blanks on hand. Every service that changes stock or plans cards takes
    this lock first, so they never deadlock with each other."""
    query = sa.select(StockCounter.on_hand).where(StockCounter.id == 1).with_for_update()
    on_hand = db.session.scalar(query)
    if on_hand is None:
        try:
            with db.session.begin_nested():
                db.session.add(StockCounter(id=1, on_hand=0, updated_at=clock.now()))
                db.session.flush()
        except IntegrityError:
            pass  # created by a concurrent transaction
        on_hand = db.session.scalar(query)
    return on_hand


def on_hand():
    """Blanks physically in stock (no lock)."""
    return db.session.scalar(sa.select(StockCounter.on_hand).where(StockCounter.id == 1)) or 0


def post_entry(
    kind,
    delta,
    *,
    entry_on=None,
    reference="",
    reason="",
    card_request_id=None,
    spoilage_record_id=None,
    user_id=None,
):
    """Append a ledger entry and move the counter by `delta`; raises InvalidState when the
    stock would go below zero (the CHECK constraints refuse it in any case)."""
    lock_counter()
    balance = db.session.execute(
        sa.update(StockCounter)
        .where(StockCounter.id == 1, StockCounter.on_hand + delta >= 0)
        .values(on_hand=StockCounter.on_hand + delta, updated_at=clock.now())
        .returning(StockCounter.on_hand)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if balance is None:
        raise InvalidState(
            _l("Stok blangko tidak cukup: tersedia %(n)s lembar.", n=on_hand()),
            fields={"quantity": _l("Melebihi stok yang ada (%(n)s).", n=on_hand())},
        )
    entry = StockEntry(
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


def spoil(quantity, reason, *, user_id=None, card_request_id=None, reference=""):
    """Take spoiled blanks out of stock with their berita acara; returns (record, entry)."""
    lock_counter()
    record = new_spoilage_record(quantity, reason, user_id)
    entry = post_entry(
        "spoiled",
        -quantity,
        reason=reason,
        reference=reference or record.number,
        card_request_id=card_request_id,
        spoilage_record_id=record.id,
        user_id=user_id,
    )
    return record, entry
