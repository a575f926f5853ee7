"""Input and output shapes of the sites API."""

from datetime import date, datetime, timedelta
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduler.openapi import domain_error
from scheduler.sites.models import SESSION_KINDS, SITE_KINDS
from scheduler.sites.services import slot_document, zone

MAX_RANGE_DAYS = 62


class SitesQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    kind: Literal[*SITE_KINDS, ""] | None = None
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
    kind: Literal[SITE_KINDS]
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
    session_kind: Literal[SESSION_KINDS]


class DesaOut(BaseModel):
    code: str = Field(description="Kemendagri code, e.g. 33.19.02.1001")
    name: str
    kind: Literal["desa", "kelurahan"]


class KecamatanOut(BaseModel):
    code: str = Field(description="Kemendagri code, e.g. 33.19.02")
    name: str
    desa: list[DesaOut] = Field(description="Its desa and kelurahan, by name")


class RegencyOut(BaseModel):
    code: str = Field(description="Kemendagri code of the regency or city, e.g. 33.19")
    name: str
    kind: Literal["kabupaten", "kota"]
    timezone: str = Field(description="IANA name: Asia/Jakarta, Asia/Makassar or Asia/Jayapura")
    kecamatan: list[KecamatanOut]


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


def regency_json(regency, name, timezone):
    """The regency as GET /api/v1/regency answers it (name and zone as configured)."""
    return {
        "code": regency.code,
        "name": name,
        "kind": regency.kind,
        "timezone": timezone,
        "kecamatan": [
            {
                "code": k.code,
                "name": k.name,
                "desa": [{"code": d.code, "name": d.name, "kind": d.kind} for d in k.desa],
            }
            for k in regency.kecamatan
        ],
    }


def slot_json(slot, site=None):
    site = site or slot.site
    row = (slot.id, slot.starts_at, slot.ends_at, slot.capacity, slot.available, slot.session_kind)
    return slot_document(row, zone(site))
