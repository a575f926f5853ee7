"""Blank-card stock (a ledger and its counter), print capacity, card requests, the
official records of spoiled blanks and certificates of recording."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.appointments.models import Appointment
from scheduler.db import UTCDateTime, one_of
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.sites.models import Site

# Ledger entries: blanks come in, go out (printed or spoiled), or are corrected or moved
# either way.
SPENT_KINDS = ("used", "spoiled")
ADJUSTING_KINDS = ("correction", "transfer")
ENTRY_KINDS = ("received", *SPENT_KINDS, *ADJUSTING_KINDS)
DEFAULT_OFFICE_ID = 1  # the printing office every installation starts with
# Stored states of a card request (`ready` is derived: printed and the pickup date reached):
# not printed yet, in process (one card per person: partial unique index), or closed.
UNPRINTED_STATUSES = ("awaiting_stock", "scheduled")
OPEN_STATUSES = (*UNPRINTED_STATUSES, "printed")
CLOSED_STATUSES = ("picked_up", "cancelled")
CARD_STATUSES = OPEN_STATUSES + CLOSED_STATUSES
# A blank was printed for the card (printed_at is set).
PRINTED_STATUSES = ("printed", "picked_up")
REQUEST_KINDS = ("new", "replacement")
REPLACEMENT_REASONS = ("lost", "damaged", "changed_data")
# Who collected a card: the holder, or a family member on the family card.
COLLECTORS = ("self", "family")

_open = sa.text(one_of("status", OPEN_STATUSES))


def open_card_refusal():
    """The refusal of a card for a NIK whose last card is not out yet."""
    return InvalidState(
        _l("KTP-el untuk NIK ini masih dalam proses; tunggu sampai kartu itu diambil.")
    )


class PrintingOffice(db.Model):
    """A place that keeps blank cards and prints them: one per installation unless it
    prints at more than one place. Its print sites print from its blanks only."""

    __tablename__ = "printing_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    site: Mapped[Site | None] = relationship()


class StockCounter(db.Model):
    """The row that holds a printing office's blanks on hand. CHECK on_hand >= 0 is the
    guarantee; every ledger entry updates it, under its row lock, which orders
    concurrent writers."""

    __tablename__ = "blank_stock"
    __table_args__ = (sa.CheckConstraint("on_hand >= 0", name="on_hand"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("printing_offices.id", ondelete="RESTRICT"), unique=True
    )
    on_hand: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StockTransfer(db.Model):
    """Blanks moved from one printing office to another: two ledger entries (out of one,
    into the other) written in the same transaction, both pointing here."""

    __tablename__ = "stock_transfers"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity"),
        sa.CheckConstraint("from_office_id <> to_office_id", name="two_offices"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("printing_offices.id", ondelete="RESTRICT")
    )
    to_office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("printing_offices.id", ondelete="RESTRICT")
    )
    quantity: Mapped[int]
    transferred_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SpoilageRecord(db.Model):
    """Berita acara: the official record of a batch of spoiled blanks."""

    __tablename__ = "spoilage_records"
    __table_args__ = (
        sa.UniqueConstraint("year", "serial"),
        sa.CheckConstraint("quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    recorded_on: Mapped[date]
    quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StockEntry(db.Model):
    """One line of the blank ledger. Never edited: a mistake is put right by a correction.
    `balance` is the stock after this entry, written under the counter's row lock."""

    __tablename__ = "stock_entries"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ENTRY_KINDS), name="kind"),
        sa.CheckConstraint(
            f"(kind = 'received' AND delta > 0) OR ({one_of('kind', SPENT_KINDS)} AND delta < 0)"
            f" OR ({one_of('kind', ADJUSTING_KINDS)} AND delta <> 0)",
            name="delta_sign",
        ),
        sa.CheckConstraint(
            sa.text("(kind = 'transfer') = (transfer_id IS NOT NULL)"), name="transfer"
        ),
        sa.CheckConstraint("balance >= 0", name="balance"),
        # A transfer is one entry out of one office and one into the other.
        sa.UniqueConstraint("transfer_id", "office_id"),
        sa.Index("ix_stock_entries_kind_on", "kind", "entry_on"),
        sa.Index("ix_stock_entries_office_on", "office_id", "entry_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("printing_offices.id", ondelete="RESTRICT")
    )
    transfer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stock_transfers.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(sa.String(12))
    delta: Mapped[int]
    balance: Mapped[int]
    entry_on: Mapped[date] = mapped_column(index=True)
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    card_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("card_requests.id", ondelete="SET NULL"), index=True
    )
    spoilage_record_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("spoilage_records.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    spoilage_record: Mapped[SpoilageRecord | None] = relationship()


class ExpectedDelivery(db.Model):
    """A delivery the ministry announced; edited as news arrives, closed when it comes."""

    __tablename__ = "expected_deliveries"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("printing_offices.id", ondelete="RESTRICT")
    )
    quantity: Mapped[int]
    expected_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PrintSite(db.Model):
    """A site that prints cards: its printers and operators set the daily capacity."""

    __tablename__ = "print_sites"
    __table_args__ = (
        sa.CheckConstraint("printers >= 0", name="printers"),
        sa.CheckConstraint("operators >= 0", name="operators"),
        sa.CheckConstraint("cards_per_printer > 0", name="cards_per_printer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), unique=True)
    # The printing office whose blanks it prints on.
    office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("printing_offices.id", ondelete="RESTRICT")
    )
    printers: Mapped[int] = mapped_column(default=1)
    operators: Mapped[int] = mapped_column(default=1)
    cards_per_printer: Mapped[int] = mapped_column(default=150)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    site: Mapped[Site] = relationship()

    @property
    def daily_capacity(self):
        """One operator runs one printer: the smaller number of the two sets the pace."""
        return min(self.printers, self.operators) * self.cards_per_printer


# The order in which waiting cards are served: the higher priority first, then the
# earlier recording, then the earlier row. (column, descending) pairs, read by the queue
# index, every listing of the queue, the "ahead in the queue" count and the allocator.
QUEUE_ORDER = (("priority", True), ("queued_at", False), ("id", False))


class CardRequest(db.Model):
    """A card waiting for, or past, printing: from a recording or a replacement."""

    __tablename__ = "card_requests"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", CARD_STATUSES), name="status"),
        sa.CheckConstraint(one_of("kind", REQUEST_KINDS), name="kind"),
        sa.CheckConstraint("priority BETWEEN 0 AND 2", name="priority"),
        sa.CheckConstraint(
            sa.text("status <> 'scheduled' OR (print_on IS NOT NULL AND pickup_from IS NOT NULL)"),
            name="scheduled_dates",
        ),
        sa.CheckConstraint(
            sa.text("status <> 'awaiting_stock' OR print_on IS NULL"), name="awaiting_no_date"
        ),
        sa.CheckConstraint(
            one_of("status", PRINTED_STATUSES, negate=True) + " OR printed_at IS NOT NULL",
            name="printed_at",
        ),
        sa.CheckConstraint(
            sa.text(
                "status <> 'picked_up' OR (picked_up_at IS NOT NULL AND collected_by IS NOT NULL)"
            ),
            name="picked_up",
        ),
        sa.CheckConstraint(one_of("collected_by", COLLECTORS, nullable=True), name="collected_by"),
        sa.CheckConstraint(
            sa.text("eligible_on IS NULL OR print_on IS NULL OR print_on >= eligible_on"),
            name="not_before_eligible",
        ),
        # One card in process per person: a replacement waits until the last card is out.
        sa.Index(
            "uq_card_requests_open_nik",
            "nik_hash",
            unique=True,
            info={"refusal": open_card_refusal},
            sqlite_where=_open,
            postgresql_where=_open,
        ),
        sa.Index("ix_card_requests_queue", "status", *(name for name, _ in QUEUE_ORDER)),
        sa.Index("ix_card_requests_print", "print_on", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(12), default="new")
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="awaiting_stock")
    priority: Mapped[int] = mapped_column(default=0)
    priority_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    replacement_reason: Mapped[str | None] = mapped_column(sa.String(20))
    # Holder (a copy: a replacement has no appointment).
    name: Mapped[str] = mapped_column(sa.String(100))
    nik_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    # The NIK encrypted, so that a key rotation can re-key the hash (a replacement has no
    # appointment to take it from); removed with the holder's other data.
    nik_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    nik_masked: Mapped[str] = mapped_column(sa.String(16))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5), default="id")
    # The first day it may be printed: the 17th birthday of an unmarried 16-year-old.
    eligible_on: Mapped[date | None]
    recorded_site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    pickup_site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    print_site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    print_on: Mapped[date | None]
    pickup_from: Mapped[date | None]
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    printed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    ready_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collected_by: Mapped[str | None] = mapped_column(sa.String(10))
    collector_name: Mapped[str | None] = mapped_column(sa.String(100))
    # The digital ID (IKD) activated at the pickup desk (a checkbox there).
    ikd_activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handed_over_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    appointment: Mapped[Appointment | None] = relationship()
    recorded_site: Mapped[Site] = relationship(foreign_keys=[recorded_site_id])
    pickup_site: Mapped[Site] = relationship(foreign_keys=[pickup_site_id])
    print_site: Mapped[Site | None] = relationship(foreign_keys=[print_site_id])

    @property
    def can_issue_certificate(self):
        """A certificate of recording stands in for a first card not printed yet."""
        return self.kind == "new" and self.status in UNPRINTED_STATUSES


def queue_order():
    """The ORDER BY terms of the card queue (QUEUE_ORDER)."""
    return [
        getattr(CardRequest, name).desc() if descending else getattr(CardRequest, name)
        for name, descending in QUEUE_ORDER
    ]


def ahead_in_queue(card):
    """A condition true for the card requests served before `card`: QUEUE_ORDER compared
    column by column, as its ORDER BY sorts them."""
    terms = [
        (getattr(CardRequest, name), getattr(card, name), descending)
        for name, descending in QUEUE_ORDER
    ]
    column, value, descending = terms[-1]
    ahead = column > value if descending else column < value
    for column, value, descending in reversed(terms[:-1]):
        before = column > value if descending else column < value
        ahead = sa.or_(before, sa.and_(column == value, ahead))
    return ahead


class RecordingCertificate(db.Model):
    """Surat keterangan: proof of recording while the card is not yet printed."""

    __tablename__ = "recording_certificates"
    __table_args__ = (sa.UniqueConstraint("year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("card_requests.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    verification_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    issued_on: Mapped[date]
    valid_until: Mapped[date]
    office_name: Mapped[str] = mapped_column(sa.String(100))
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    card_request: Mapped[CardRequest] = relationship()
