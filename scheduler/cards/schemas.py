"""Input and output shapes of the cards API, and the card's JSON."""

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from scheduler.appointments.schemas import (
    AppointmentOut,
    BirthDate,
    CardOut,
    CardPickupSite,
    Name,
    NikText,
    Reason,
)
from scheduler.cards.models import COLLECTORS, ENTRY_KINDS, REPLACEMENT_REASONS, REQUEST_KINDS
from scheduler.db import MAX_ID
from scheduler.openapi import domain_error
from scheduler.sites.services import to_local

Quantity = Annotated[int, Field(ge=1, le=1_000_000)]
RecentDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Note = Annotated[str, Field(max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


# The printing office a stock change is at; left out, the default office (an
# installation that prints at one place never names one).
OfficeId = Annotated[int, Field(ge=1, le=MAX_ID)] | None


class DeliveryIn(_In):
    quantity: Quantity
    received_on: RecentDate
    reference: Annotated[str, Field(max_length=100)] = ""
    expected_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    office_id: OfficeId = None


class ExpectedIn(_In):
    quantity: Quantity
    expected_on: RecentDate
    note: Note = ""
    office_id: OfficeId = None


class SpoilageIn(_In):
    quantity: Quantity
    reason: Reason
    office_id: OfficeId = None


class CorrectionIn(_In):
    delta: Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
    note: Reason
    office_id: OfficeId = None

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value):
        if value == 0:
            raise domain_error(_("Koreksi tidak boleh nol."))
        return value


class PrintSiteIn(_In):
    site_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    printers: Annotated[int, Field(ge=0, le=100)]
    operators: Annotated[int, Field(ge=0, le=100)]
    cards_per_printer: Annotated[int, Field(ge=1, le=5000)] = 150
    office_id: OfficeId = None


class StockQuery(_In):
    office_id: OfficeId = None


class TransferIn(_In):
    from_office_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    to_office_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    quantity: Quantity
    reference: Annotated[str, Field(max_length=100)] = ""


class OfficeIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    site_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class PrintedIn(_In):
    misprints: Annotated[int, Field(ge=0, le=20)] = 0


class PickedUpIn(_In):
    collected_by: Literal[COLLECTORS]
    collector_name: Name | None = None
    ikd_activated: bool = Field(
        default=False, description="The digital ID (IKD) was activated at the pickup desk"
    )


class PriorityIn(_In):
    priority: Annotated[int, Field(ge=0, le=2)]
    reason: Note = ""


class ReplacementIn(_In):
    site_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    nik: NikText
    name: Name
    birth_date: BirthDate
    phone: Annotated[str, Field(min_length=1, max_length=30)]
    married: bool = False
    reason: Literal[REPLACEMENT_REASONS]


class PrintQueueQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    date: RecentDate | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _blank_is_today(cls, value):
        return None if value == "" else value


# ----------------------------------------------------------------------------- output


class ExpectedOut(BaseModel):
    id: int
    quantity: int
    expected_on: date


class OfficeOut(BaseModel):
    id: int
    name: str
    site_id: int | None
    on_hand: int


class StockOut(BaseModel):
    on_hand: int
    reserved: int
    awaiting: int
    expected: list[ExpectedOut]
    days_of_cover: float | None
    scheduled: int
    daily_usage: float
    office_id: int | None = Field(description="The office these figures are of; null: all")
    offices: list[OfficeOut] = Field(description="Every printing office and its blanks")


class OfficesOut(BaseModel):
    offices: list[OfficeOut]


class OfficeEnvelope(BaseModel):
    office: OfficeOut


class TransferOut(BaseModel):
    id: int
    from_office_id: int
    to_office_id: int
    quantity: int
    transferred_on: str
    reference: str


class TransferEnvelope(BaseModel):
    transfer: TransferOut
    stock: StockOut


class EntryOut(BaseModel):
    id: int
    office_id: int = Field(description="The printing office the entry is at")
    kind: Literal[ENTRY_KINDS]
    delta: int
    balance: int
    entry_on: date
    reference: str
    reason: str


class SpoilageRecordOut(BaseModel):
    id: int
    number: str
    recorded_on: date
    quantity: int
    reason: str


class EntryEnvelope(BaseModel):
    entry: EntryOut
    stock: StockOut


class SpoilageEnvelope(BaseModel):
    entry: EntryOut
    record: SpoilageRecordOut
    stock: StockOut


class ExpectedEnvelope(BaseModel):
    expected: ExpectedOut
    stock: StockOut


class PrintSiteOut(BaseModel):
    site_id: int
    printers: int
    operators: int
    cards_per_printer: int
    daily_capacity: int
    office_id: int = Field(description="The printing office whose blanks it prints on")


class PrintSiteEnvelope(BaseModel):
    print_site: PrintSiteOut


class QueueCardOut(BaseModel):
    code: str
    nik_masked: str
    name: str
    print_on: date
    pickup_from: date
    pickup_site: CardPickupSite


class PrintQueueOut(BaseModel):
    cards: list[QueueCardOut]


class CardDetailOut(CardOut):
    code: str
    kind: Literal[REQUEST_KINDS]
    name: str
    nik_masked: str
    priority: int
    printed_at: datetime | None
    picked_up_at: datetime | None
    collected_by: Literal[COLLECTORS] | None
    collector_name: str | None


class CardEnvelope(BaseModel):
    card: CardDetailOut
    appointment: AppointmentOut | None = None


class CertificateOut(BaseModel):
    number: str
    verification_code: str
    verify_url: str
    issued_on: date
    valid_until: date
    office: str


class CertificateEnvelope(BaseModel):
    certificate: CertificateOut


def office_json(office, on_hand):
    return {"id": office.id, "name": office.name, "site_id": office.site_id, "on_hand": on_hand}


def transfer_json(t):
    return {
        "id": t.id,
        "from_office_id": t.from_office_id,
        "to_office_id": t.to_office_id,
        "quantity": t.quantity,
        "transferred_on": t.transferred_on.isoformat(),
        "reference": t.reference,
    }


def entry_json(entry):
    return {
        "id": entry.id,
        "office_id": entry.office_id,
        "kind": entry.kind,
        "delta": entry.delta,
        "balance": entry.balance,
        "entry_on": entry.entry_on.isoformat(),
        "reference": entry.reference,
        "reason": entry.reason,
    }


def record_json(record):
    return {
        "id": record.id,
        "number": record.number,
        "recorded_on": record.recorded_on.isoformat(),
        "quantity": record.quantity,
        "reason": record.reason,
    }


def expected_json(expected):
    return {
        "id": expected.id,
        "quantity": expected.quantity,
        "expected_on": expected.expected_on.isoformat(),
    }


def queue_card_json(card):
    return {
        "code": card.code,
        "nik_masked": card.nik_masked,
        "name": card.name,
        "print_on": card.print_on.isoformat(),
        "pickup_from": card.pickup_from.isoformat(),
        "pickup_site": {"id": card.pickup_site.id, "name": card.pickup_site.name},
    }


def _local(card, moment):
    return to_local(card.pickup_site, moment).isoformat() if moment else None


def card_detail_json(card, summary):
    return {
        **summary,
        "code": card.code,
        "kind": card.kind,
        "name": card.name,
        "nik_masked": card.nik_masked,
        "priority": card.priority,
        "printed_at": _local(card, card.printed_at),
        "picked_up_at": _local(card, card.picked_up_at),
        "collected_by": card.collected_by,
        "collector_name": card.collector_name,
    }


def print_site_json(row):
    return {
        "site_id": row.site_id,
        "printers": row.printers,
        "operators": row.operators,
        "cards_per_printer": row.cards_per_printer,
        "daily_capacity": row.daily_capacity,
        "office_id": row.office_id,
    }
