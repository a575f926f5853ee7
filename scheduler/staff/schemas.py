"""Input shapes of the staff API (and the walk-in page)."""

from datetime import date
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from scheduler.appointments.models import REJECTION_KINDS
from scheduler.appointments.schemas import (
    AppointmentEnvelope,
    Assistance,
    BirthDate,
    Name,
    NikText,
    Reason,
    _In,
    _no_control,
)
from scheduler.db import MAX_ID
from scheduler.openapi import domain_error
from scheduler.staff.models import QUEUE_LINES, TICKET_STATUSES

SiteId = Annotated[int, Field(ge=1, le=MAX_ID)]


class CheckinIn(_In):
    qr: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    code: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    site_id: SiteId | None = None

    @model_validator(mode="after")
    def _one_of(self):
        if self.qr is None and self.code is None:
            raise domain_error(_("Kirim teks kode QR (qr) atau kode booking (code)."))
        return self


class RecordedIn(_In):
    ikd_activated: bool = Field(
        default=False, description="The digital ID (IKD) was activated at the desk"
    )


class ReasonIn(_In):
    reason: Reason


class RejectionIn(_In):
    """The centre's rejection of a recording: why (one of three) and an optional note."""

    reason: Literal[REJECTION_KINDS]
    note: Annotated[str, Field(max_length=200), AfterValidator(_no_control)] = ""


class WalkInIn(_In):
    site_id: SiteId
    nik: NikText
    name: Name
    birth_date: BirthDate
    phone: Annotated[str, Field(min_length=1, max_length=30)]
    married: bool = False
    assistance: Assistance = None
    birth_date_override_reason: Reason | None = None


def _blank_to_none(value):
    return None if value == "" else value


class AuditQuery(_In):
    user_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    site_id: SiteId | None = None
    action: Annotated[str, Field(max_length=40)] | None = None
    code: Annotated[str, Field(max_length=12)] | None = None
    on: date | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value):
        return _blank_to_none(value)


class TicketOut(BaseModel):
    label: str = Field(description="what the screen shows: A-007 (recording), B-007 (pickup)")
    number: int
    line: Literal[QUEUE_LINES]
    priority: bool
    status: Literal[TICKET_STATUSES]
    station: int | None
    served_on: date


class CheckinEnvelope(AppointmentEnvelope):
    ticket: TicketOut | None = Field(description="the queue number on the recording line")


class TicketEnvelope(BaseModel):
    ticket: TicketOut | None


class CallIn(_In):
    line: Literal[QUEUE_LINES]
    station: Annotated[int, Field(ge=1, le=99)]


class TicketIn(_In):
    line: Literal["pickup"] = "pickup"
    priority: bool = False


class QueueStationOut(BaseModel):
    station: int
    ticket: str | None = Field(description="the label the station calls now, or null")


class QueueLineOut(BaseModel):
    line: Literal[QUEUE_LINES]
    stations: list[QueueStationOut]
    recent: list[TicketOut]
    waiting: int


class QueueSiteOut(BaseModel):
    id: int
    name: str


class QueueBoardOut(BaseModel):
    site: QueueSiteOut
    lines: list[QueueLineOut]
