"""Input and output shapes of the appointments API."""

from datetime import date
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from scheduler import names
from scheduler.appointments.models import ASSISTANCE_KINDS, STATUSES
from scheduler.db import MAX_ID
from scheduler.openapi import domain_error
from scheduler.sites.schemas import SiteOut, SlotOut


def _no_control(value):
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise domain_error(_("Berisi karakter yang tidak diizinkan."))
    return value


def _visible(value):
    if names.hidden_characters(value):
        raise domain_error(names.MESSAGE)
    return value


Name = Annotated[
    str, Field(min_length=1, max_length=100), AfterValidator(_no_control), AfterValidator(_visible)
]
Reason = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_control)]
NikText = Annotated[
    str,
    Field(
        min_length=1, max_length=40, description="16 digits; spaces, dots and dashes are ignored"
    ),
]
SlotId = Annotated[int, Field(ge=1, le=MAX_ID)]
Assistance = Annotated[
    Literal[ASSISTANCE_KINDS] | None,
    Field(description="help needed at the desk (served first): elderly, pregnant, disabled, ill"),
]
BirthDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class BookingIn(_In):
    slot_id: SlotId
    nik: NikText
    name: Name
    birth_date: BirthDate
    phone: Annotated[str, Field(min_length=1, max_length=30)]
    email: Annotated[EmailStr, Field(max_length=254)] | None = None
    married: bool = False
    consent: bool
    assistance: Assistance = None

    @field_validator("consent")
    @classmethod
    def _consent(cls, value):
        if value is not True:
            raise domain_error(_("Anda harus menyetujui pemrosesan data untuk memesan."))
        return value

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email(cls, value):
        return None if value == "" else value


class NikIn(_In):
    nik: NikText


class RescheduleIn(_In):
    nik: NikText
    slot_id: SlotId


class CardPickupSite(BaseModel):
    id: int
    name: str


class CardOut(BaseModel):
    status: Literal["not_recorded", "awaiting_stock", "scheduled", "ready", "picked_up"]
    print_on: date | None
    pickup_from: date | None
    pickup_site: CardPickupSite | None
    queue_position: int | None


class AppointmentOut(BaseModel):
    code: str
    status: Literal[STATUSES]
    name: str
    nik_masked: str
    assistance: Literal[ASSISTANCE_KINDS] | None = None
    slot: SlotOut
    site: SiteOut
    qr_png_url: str
    ics_url: str
    card: CardOut


class AppointmentEnvelope(BaseModel):
    appointment: AppointmentOut


class MemberIn(_In):
    nik: NikText
    name: Name
    birth_date: BirthDate
    married: bool = False
    assistance: Assistance = None


class GroupBookingIn(_In):
    slot_id: SlotId
    phone: Annotated[str, Field(min_length=1, max_length=30)]
    email: Annotated[EmailStr, Field(max_length=254)] | None = None
    consent: bool
    members: Annotated[list[MemberIn], Field(min_length=1, max_length=6)]

    _consent = field_validator("consent")(BookingIn._consent.__func__)
    _blank_email = field_validator("email", mode="before")(BookingIn._blank_email.__func__)


class AppointmentsEnvelope(BaseModel):
    appointments: list[AppointmentOut]
