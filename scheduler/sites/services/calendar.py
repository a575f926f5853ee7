"""Time zones and local times of sites; public holidays, cuti bersama and admins' corrections."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.sites.models import (
    HolidayOverride,
)

# ------------------------------------------------------------------------- time helpers


def zone(site_or_name):
    name = site_or_name if isinstance(site_or_name, str) else site_or_name.timezone
    return ZoneInfo(name)


def local_today(tz_name=None):
    """Today's date in a zone (the regency's by default)."""
    tz = ZoneInfo(tz_name or current_app.config["REGENCY_TIMEZONE"])
    return clock.now().astimezone(tz).date()


def local_datetime(site, on, at):
    """An aware UTC datetime for a local date and time at a site."""
    return datetime.combine(on, at, tzinfo=zone(site)).astimezone(clock.now().tzinfo)


def to_local(site, moment):
    return moment.astimezone(zone(site))


# ----------------------------------------------------------------------------- holidays


HOLIDAY_LANGUAGES = {"id": "id", "en": "en_US"}


@lru_cache(maxsize=32)
def _package_holidays(year, language="id"):
    # The package otherwise follows the process locale; names are Indonesian by default.
    language = HOLIDAY_LANGUAGES.get(language, "id")
    public = holidays_lib.country_holidays(
        "ID", years=year, categories=("public",), language=language
    )
    # Cuti bersama: the package's "government" category for Indonesia.
    government = holidays_lib.country_holidays(
        "ID", years=year, categories=("government",), language=language
    )
    days = {d: (name, "cuti_bersama") for d, name in government.items()}
    days.update({d: (name, "public") for d, name in public.items()})
    return days


def holiday_calendar(start, end, language="id"):
    """{date: (name, category)} for the range, the package's days (named in `language`)
    corrected by admins."""
    days = {}
    for year in range(start.year, end.year + 1):
        days.update(_package_holidays(year, language))
    days = {d: v for d, v in days.items() if start <= d <= end}
    overrides = db.session.scalars(
        sa.select(HolidayOverride).where(HolidayOverride.on.between(start, end))
    ).all()
    for o in overrides:
        if o.action == "remove":
            days.pop(o.on, None)
        else:
            days[o.on] = (o.name, o.category)
    return days


# ------------------------------------------------------------------------ admin pages

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_label(site_or_name):
    """WIB, WITA or WIT for a site (or a zone name); the zone name for any other zone."""
    name = site_or_name if isinstance(site_or_name, str) else site_or_name.timezone
    return ZONE_LABELS.get(name, name)


@dataclass
class HolidayRow:
    on: date
    name: str
    category: str  # public | cuti_bersama
    source: str  # package | added | removed | renamed
    overridden: bool


def holiday_year(year, language="id"):
    """Every holiday of a year: the package's days (named in `language`) and the admins'
    overrides, by date. Removed days are listed too (source "removed") so that the removal
    can be undone. Raises ValidationError for an impossible year.
    """
    if not 1900 <= year <= 2200:
        raise ValidationError(fields={"year": _l("Tahun tidak sah.")})
    package = _package_holidays(year, language)
    overrides = {
        o.on: o
        for o in db.session.scalars(
            sa.select(HolidayOverride).where(
                HolidayOverride.on.between(date(year, 1, 1), date(year, 12, 31))
            )
        )
    }
    rows = {}
    for on, (name, category) in package.items():
        rows[on] = HolidayRow(on, name, category, "package", False)
    for on, o in overrides.items():
        if o.action == "remove":
            base = rows.get(on)
            rows[on] = HolidayRow(
                on,
                base.name if base else o.name,
                base.category if base else o.category,
                "removed",
                True,
            )
        else:
            rows[on] = HolidayRow(
                on, o.name, o.category, "renamed" if on in rows else "added", True
            )
    return [rows[on] for on in sorted(rows)]
