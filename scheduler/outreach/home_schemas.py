"""Input and output shapes of the home-visit API, and `V`."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from scheduler.appointments.schemas import BirthDate, Name, NikText
from scheduler.outreach.models import HOME_VISIT_OUTCOMES, HOME_VISIT_REASONS, HOME_VISIT_STATUSES
from scheduler.outreach.schemas import ApproveIn, Day, _In, _text
from scheduler.sites.services import to_local


class HomeVisitIn(_In):
    nik: NikText
    name: Name
    birth_date: BirthDate
    married: bool = False
    reason: Literal[HOME_VISIT_REASONS]
    reason_note: Annotated[str, Field(max_length=300)] = ""
    address: _text(200)
    kecamatan: _text(60)
    desa: _text(60)
    contact_name: Name
    contact_phone: Annotated[str, Field(min_length=1, max_length=30)]


class HomeVisitQuery(_In):
    status: Literal[*HOME_VISIT_STATUSES, ""] | None = None


class PlanIn(_In):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)
    on: Day = Field(alias="date")
    start: Annotated[str, Field(min_length=1, max_length=5)]
    minutes: Annotated[int, Field(ge=15, le=240)] = 60
    team: _text(60)
    visits: Annotated[
        list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(min_length=1, max_length=12)
    ]

    _hhmm = ApproveIn._hhmm


class ResultIn(_In):
    outcome: Literal[HOME_VISIT_OUTCOMES]
    reason: Annotated[str, Field(max_length=150)] = ""


class WindowOut(BaseModel):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class HomeVisitOut(BaseModel):
    id: int
    status: Literal[HOME_VISIT_STATUSES]
    reason: Literal[HOME_VISIT_REASONS]
    name: str
    nik_masked: str
    address: str
    kecamatan: str
    desa: str
    contact_name: str
    contact_phone: str
    date: date | None
    window: WindowOut | None
    team: str | None
    code: str | None = Field(description="the visit's appointment (its card follows it)")
    outcome: Literal[HOME_VISIT_OUTCOMES] | None


class HomeVisitEnvelope(BaseModel):
    visit: HomeVisitOut


class HomeVisitsOut(BaseModel):
    visits: list[HomeVisitOut]


def visit_json(visit):
    """Visit `V` of docs/api.md (the full NIK never)."""
    window = None
    site_zone_moment = None
    if visit.window_starts_at is not None:
        site = visit.appointment.site
        window = {
            "starts_at": to_local(site, visit.window_starts_at).isoformat(),
            "ends_at": to_local(site, visit.window_ends_at).isoformat(),
        }
        site_zone_moment = to_local(site, visit.window_starts_at)
    return {
        "id": visit.id,
        "status": visit.status,
        "reason": visit.reason,
        "name": visit.name,
        "nik_masked": visit.nik_masked,
        "address": visit.address,
        "kecamatan": visit.kecamatan,
        "desa": visit.desa,
        "contact_name": visit.contact_name,
        "contact_phone": visit.contact_phone,
        "date": site_zone_moment.date().isoformat() if site_zone_moment else None,
        "window": window,
        "team": visit.round.team if visit.round is not None else None,
        "code": visit.appointment.code if visit.appointment is not None else None,
        "outcome": visit.outcome,
    }
