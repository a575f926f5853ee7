"""A new installation's sites: the regency's main office and one office per kecamatan.

`flask regency setup` calls setup_regency(): for the configured REGENCY_CODE it creates
what is missing (never changes what exists), with the default week, and their slots.
"""

from dataclasses import dataclass, field
from datetime import time

import sqlalchemy as sa
from flask import current_app

from scheduler import regions
from scheduler.db import transactional
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Site

_WORKDAY = (time(8), time(15), time(12), time(13))
# Monday to Thursday 08:00-15:00 with a 12:00-13:00 break; Friday 08:00-11:00.
DEFAULT_WEEK = {
    0: _WORKDAY,
    1: _WORKDAY,
    2: _WORKDAY,
    3: _WORKDAY,
    4: (time(8), time(11), None, None),
}
# Papua's provinces call their kecamatan "distrik".
_DISTRIK_PROVINCES = ("91", "92", "93", "94", "95", "96")


@dataclass
class SetupReport:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    slots: int = 0


def office_name(regency):
    return f"Kantor Disdukcapil {regency.name}"


def kecamatan_office_name(regency, kecamatan):
    word = "Distrik" if regency.code[:2] in _DISTRIK_PROVINCES else "Kecamatan"
    return f"{word} {kecamatan.name}"


def _foreign_sites(regency):
    """Sites placed in another regency's kecamatan (another installation's data)."""
    return db.session.scalars(
        sa.select(Site).where(
            Site.kecamatan_code != "", ~Site.kecamatan_code.startswith(regency.code + ".")
        )
    ).all()


def _create(report, name, timezone, **fields):
    site = services.save_site(None, name=name, timezone=timezone, stations=1, active=True, **fields)
    services.set_weekly_hours(site.id, DEFAULT_WEEK)
    report.created.append(site)
    return site


@transactional
def setup_regency():
    """Create the main office and a kecamatan office per kecamatan of the configured regency
    where missing, with the default week, then their slots. Returns a SetupReport.
    Raises InvalidState when the database holds sites of another regency."""
    regency = regions.current()
    foreign = _foreign_sites(regency)
    if foreign:
        raise InvalidState(
            f"The database holds {len(foreign)} site(s) of another regency (e.g. "
            f"{foreign[0].name}, kecamatan {foreign[0].kecamatan_code}); REGENCY_CODE is "
            f"{regency.code} ({regency.name}). Set up a new installation on an empty database."
        )
    timezone = current_app.config["REGENCY_TIMEZONE"]
    report = SetupReport()
    office = db.session.scalar(sa.select(Site).where(Site.kind == "office").limit(1))
    if office is None:
        _create(report, office_name(regency), timezone, kind="office", address="")
    else:
        report.existing.append(office)
    have = set(db.session.scalars(sa.select(Site.kecamatan_code).where(Site.kind == "subdistrict")))
    for kecamatan in regency.kecamatan:
        if kecamatan.code in have:
            continue
        _create(
            report,
            kecamatan_office_name(regency, kecamatan),
            timezone,
            kind="subdistrict",
            address="",
            kecamatan=kecamatan.name,
            kecamatan_code=kecamatan.code,
        )
    report.existing += [s for s in _subdistricts() if s not in report.created]
    for site in report.created:
        report.slots += services.generate_slots(site_id=site.id)["created"]
    return report


def _subdistricts():
    return db.session.scalars(
        sa.select(Site).where(Site.kind == "subdistrict").order_by(Site.kecamatan_code)
    ).all()
