"""Input and output shapes of the outreach API, and `R`."""

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from scheduler.openapi import domain_error
from scheduler.outreach import services
from scheduler.outreach.models import (
    INSTITUTION_KINDS,
    REQUEST_STATUSES,
    SYNC_ACTIONS,
    SYNC_RESULTS,
)
from scheduler.sites.services import to_local


def _no_control(value):
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise domain_error(_("Berisi karakter yang tidak diizinkan."))
    return value


def _text(n):
    return Annotated[str, Field(min_length=1, max_length=n), AfterValidator(_no_control)]


Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class RequestIn(_In):
    institution_kind: Literal[INSTITUTION_KINDS]
    institution_name: _text(100)
    address: _text(200)
    kecamatan: _text(60)
    desa: _text(60)
    expected_participants: Annotated[int, Field(ge=1, le=5000)]
    preferred_dates: Annotated[list[Day], Field(min_length=2, max_length=3)]
    contact_name: _text(100)
    contact_phone: Annotated[str, Field(min_length=1, max_length=30)]
    notes: Annotated[str, Field(max_length=1000)] = ""

    @field_validator("notes", mode="before")
    @classmethod
    def _blank_notes(cls, value):
        return "" if value is None else value

    @field_validator("notes")
    @classmethod
    def _notes_text(cls, value):
        _no_control(value.replace("\r", " ").replace("\n", " ").replace("\t", " "))
        return value


class StatusQuery(_In):
    status: Literal[*REQUEST_STATUSES, ""] | None = None


class ApproveIn(_In):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)
    on: Day = Field(alias="date")
    start: Annotated[str, Field(min_length=1, max_length=5)]
    end: Annotated[str, Field(min_length=1, max_length=5)]
    kits: Annotated[int, Field(ge=1, le=100)]
    team: _text(60)

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value):
        parts = value.split(":")
        if (
            len(parts) != 2
            or not all(len(p) == 2 and p.isdigit() for p in parts)
            or int(parts[0]) > 23
            or int(parts[1]) > 59
        ):
            raise domain_error(_("Waktu harus berformat HH:MM."))
        return value


class DeclineIn(_In):
    reason: _text(500)


class SessionOut(BaseModel):
    id: int
    site_id: int
    booking_url: str
    date: date
    start: str
    end: str
    team: str
    kits: int
    capacity: int
    booked: int
    is_public: bool


class RequestOut(BaseModel):
    id: int
    status: Literal[REQUEST_STATUSES]
    institution_kind: Literal[INSTITUTION_KINDS]
    institution_name: str
    address: str
    kecamatan: str
    desa: str
    expected_participants: int
    preferred_dates: list[date]
    contact_name: str
    contact_phone: str
    notes: str
    decline_reason: str | None
    session: SessionOut | None


class RequestEnvelope(BaseModel):
    request: RequestOut


class RequestsOut(BaseModel):
    requests: list[RequestOut]


class RejectedRow(BaseModel):
    row: int
    fields: dict[str, str]


class SkippedRow(BaseModel):
    row: int
    reason: str


class RosterOut(BaseModel):
    booked: int
    skipped: list[SkippedRow]
    rejected: list[RejectedRow]


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _sane_moment(value):
    if not EARLIEST <= value < LATEST:
        raise domain_error(_("Waktu di luar batas yang diizinkan."))
    return value


class SyncEventIn(_In):
    id: uuid.UUID = Field(description="The device's UUID of the event: applied once")
    code: Annotated[str, Field(min_length=1, max_length=12)]
    action: Literal[SYNC_ACTIONS]
    at: Annotated[AwareDatetime, AfterValidator(_sane_moment)] = Field(
        description="When it happened, by the device's clock, with its offset"
    )
    reason: Annotated[str, Field(max_length=200), AfterValidator(_no_control)] | None = None


class SyncIn(_In):
    events: Annotated[list[SyncEventIn], Field(min_length=1, max_length=500)]


class SyncResultOut(BaseModel):
    id: str
    code: str
    status: Literal["applied", "duplicate", "conflict", "rejected"]
    detail: str | None = Field(None, description="Why it was not applied, for the staff member")
    original: Literal[SYNC_RESULTS] | None = Field(
        None, description="For a duplicate: what the first sending of the event did"
    )
    appointment_status: str | None = Field(
        None, description="The participant's appointment status after the event"
    )


class SyncOut(BaseModel):
    results: list[SyncResultOut]


ROSTER_MULTIPART = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "CSV or XLSX with the header nik,name,birth_date,phone",
        }
    },
}


def session_json(session):
    site = session.site
    slots = services.session_slots(session)
    return {
        "id": session.id,
        "site_id": session.site_id,
        "booking_url": services.booking_url(session),
        "date": session.held_on.isoformat(),
        "start": to_local(site, session.starts_at).strftime("%H:%M"),
        "end": to_local(site, session.ends_at).strftime("%H:%M"),
        "team": session.team,
        "kits": session.kits,
        "capacity": session.capacity,
        "booked": sum(s.booked_count for s in slots),
        "is_public": bool(slots) and all(s.is_public for s in slots),
    }


def request_json(request):
    """`R` of docs/api.md (with a few more fields)."""
    session = request.session
    return {
        "id": request.id,
        "status": request.status,
        "institution_kind": request.institution_kind,
        "institution_name": request.institution_name,
        "address": request.address,
        "kecamatan": request.kecamatan,
        "desa": request.desa,
        "expected_participants": request.expected_participants,
        "preferred_dates": list(request.preferred_dates or []),
        "contact_name": request.contact_name,
        "contact_phone": request.contact_phone,
        "notes": request.notes,
        "decline_reason": request.decline_reason,
        "session": session_json(session) if session is not None else None,
    }
