"""Input and output shapes of the sites API."""

from datetime import date, datetime, timedelta
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduler.openapi import domain_error
from scheduler.sites.services import to_local, zone

MAX_RANGE_DAYS = 62


class SitesQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    kind: Literal["office", "subdistrict", "school", "village_hall", ""] | None = None
    kecamatan: str | None = Field(default=None, max_length=60)


class SlotsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.from_ and self.to:
            if self.to < self.from_:
                raise domain_error(_("Tanggal 'to' tidak boleh sebelum 'from'."))
            if self.to - self.from_ > timedelta(days=MAX_RANGE_DAYS):
                raise domain_error(_("Rentang tanggal paling lama %(n)s hari.", n=MAX_RANGE_DAYS))
        return self


class SiteOut(BaseModel):
    id: int
    name: str
    kind: Literal["office", "subdistrict", "school", "village_hall"]
    address: str
    kecamatan: str
    kecamatan_code: str
    desa: str
    timezone: str


class SlotOut(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    available: int
    session_kind: Literal["regular", "outreach"]


class SitesOut(BaseModel):
    sites: list[SiteOut]


class SlotsOut(BaseModel):
    slots: list[SlotOut]


def site_json(site):
    return {
        "id": site.id,
        "name": site.name,
        "kind": site.kind,
        "address": site.address,
        "kecamatan": site.kecamatan,
        "kecamatan_code": site.kecamatan_code,
        "desa": site.desa,
        "timezone": site.timezone,
    }


def slots_json(rows, site):
    """`slot_json` for the rows of `list_bookable_slots` (a month is hundreds of slots):
    the zone is looked up once, each row unpacked once."""
    tz = zone(site)
    return [
        {
            "id": slot_id,
            "starts_at": starts_at.astimezone(tz).isoformat(),
            "ends_at": ends_at.astimezone(tz).isoformat(),
            "capacity": capacity,
            "available": available,
            "session_kind": session_kind,
        }
        for slot_id, starts_at, ends_at, capacity, available, session_kind in rows
    ]


def slot_json(slot, site=None):
    site = site or slot.site
    return {
        "id": slot.id,
        "starts_at": to_local(site, slot.starts_at).isoformat(),
        "ends_at": to_local(site, slot.ends_at).isoformat(),
        "capacity": slot.capacity,
        "available": slot.available,
        "session_kind": slot.session_kind,
    }
