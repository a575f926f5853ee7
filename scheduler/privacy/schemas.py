"""Output shapes of the privacy API (the input is the look-up's {"nik"})."""

from datetime import date
from typing import Literal

from pydantic import BaseModel

from scheduler.appointments.models import CHANNELS as BOOKING_CHANNELS
from scheduler.appointments.models import STATUSES
from scheduler.appointments.schemas import CardPickupSite
from scheduler.cards.models import COLLECTORS
from scheduler.notifications.models import CHANNELS, OUTBOX_STATUSES, PROVIDER_STATUSES


class SlotTimes(BaseModel):
    starts_at: str
    ends_at: str


class SiteRef(BaseModel):
    id: int
    name: str


class BookingData(BaseModel):
    code: str
    status: Literal[STATUSES]
    channel: Literal[BOOKING_CHANNELS]
    name: str
    nik_masked: str
    birth_date: date
    married: bool
    phone_masked: str | None
    email_masked: str | None
    language: str
    consent_at: str | None
    booked_at: str | None
    slot: SlotTimes
    site: SiteRef
    outcome_reason: str | None


class HistoryEvent(BaseModel):
    at: str
    event: str
    by: str | None


class CardData(BaseModel):
    status: Literal["not_recorded", "awaiting_stock", "scheduled", "ready", "picked_up"]
    print_on: date | None
    pickup_from: date | None
    pickup_site: CardPickupSite | None
    queue_position: int | None
    requested_at: str | None
    printed_at: str | None
    picked_up_at: str | None
    collected_by: Literal[COLLECTORS] | None = None


class MessageData(BaseModel):
    event: str
    queued_at: str | None
    sent_at: str | None
    status: Literal[OUTBOX_STATUSES]
    channel: Literal[CHANNELS] | None
    delivery: Literal[PROVIDER_STATUSES] | None
    to: str | None


class StaffRead(BaseModel):
    at: str
    staff: str
    action: str
    detail: str


class Retention(BaseModel):
    personal_data_until: date | None
    rule: Literal["erased", "ended_booking", "card_collected", "card_in_process", "open_booking"]


class VisitWindow(BaseModel):
    starts_at: str | None
    ends_at: str | None


class HomeVisitData(BaseModel):
    status: str
    reason: str
    reason_note: str
    address: str
    desa: str
    kecamatan: str
    contact_name: str
    contact_phone_masked: str | None
    requested_at: str | None
    window: VisitWindow
    outcome: str | None


class MyDataOut(BaseModel):
    booking: BookingData
    history: list[HistoryEvent]
    card: CardData
    messages: list[MessageData]
    staff_reads: list[StaffRead]
    retention: Retention
    home_visit: HomeVisitData | None = None


class ErasedItem(BaseModel):
    what: str
    label: str


class KeptItem(BaseModel):
    what: str
    label: str
    why: str


class Office(BaseModel):
    name: str
    address: str


class ErasureOut(BaseModel):
    removed: list[ErasedItem]
    kept: list[KeptItem]
    complete: bool
    office: Office | None
