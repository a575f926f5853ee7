"""Dates and numbers in the page's language, through Babel: "7 Desember 2026", "4.500" and
"99,64 %" on an Indonesian page; "7 December 2026", "4,500" and "99.64%" on an English one.

Templates use the filters registered by init_app (`day`, `short_day`, `moment`, `number`,
`percent`, `days_in_text`); services put a `Day(...)` into their lazy messages, which
formats itself when the message is shown, in the language of the page or answer showing it.
Attributes (a date input's value, a URL) keep ISO dates: only what people read changes.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import has_app_context
from flask_babel import get_locale, get_timezone

DAY = "d MMMM y"  # 7 Desember 2026 / 7 December 2026
SHORT_DAY = "d MMM y"  # 7 Des 2026 / 7 Dec 2026
# Indonesian separates a percentage from its number (PUEBI); Babel's Indonesian data does
# not, so its pattern is given here. English keeps CLDR's "99.64%".
_PERCENT = {"id": "#,##0{decimals}\u00a0%"}


def _locale():
    locale = get_locale() if has_app_context() else None
    return locale or "id"


def _local(moment):
    """A datetime in the regency's zone (Flask-Babel's timezone); dates stay dates."""
    if isinstance(moment, datetime):
        zone = get_timezone() if has_app_context() else None
        return moment.astimezone(zone) if zone and moment.tzinfo else moment
    return moment


def day(value, pattern=DAY):
    """A date (or an aware moment, in the regency's zone) as '7 Desember 2026'; '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    value = _local(value)
    if isinstance(value, datetime):
        value = value.date()
    return babel_dates.format_date(value, pattern, locale=_locale())


def short_day(value):
    """'7 Des 2026' for tables."""
    return day(value, SHORT_DAY)


def moment(value):
    """An aware moment in the regency's zone: '7 Des 2026 08:05'."""
    if value is None:
        return ""
    local = _local(value)
    return f"{short_day(local.date())} {local.strftime('%H:%M')}"


def number(value, digits=None):
    """'4.500', '24,47' (digits fixes the decimals: number(0, 1) is '0,0'); '' for None."""
    if value is None or value == "":
        return ""
    if digits is None:
        return babel_numbers.format_decimal(value, locale=_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    quantized = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits))
    return babel_numbers.format_decimal(quantized, format=pattern, locale=_locale())


def percent(value, digits=2):
    """A figure already in percent (99.64) as '99,64 %' / '99.64%'; '' for None."""
    if value is None or value == "":
        return ""
    locale = _locale()
    decimals = "." + "0" * digits if digits else ""
    code = getattr(locale, "language", str(locale))
    pattern = _PERCENT.get(code, "#,##0{decimals}%").format(decimals=decimals)
    fraction = Decimal(str(value)) / 100
    return babel_numbers.format_percent(fraction, format=pattern, locale=locale)


_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b(?!T)")


def days_in_text(text):
    """Free text (an audit entry's detail) with its ISO dates written as '7 Des 2026'."""

    def replace(match):
        try:
            return short_day(date.fromisoformat(match[0]))
        except ValueError:
            return match[0]

    return _ISO_DAY.sub(replace, text or "")


_CLOCK = re.compile(r"\s*(\d{1,2})[.:](\d{2})\s*")


def parse_time(text):
    """A wall-clock time as people type it: "8.00", "08.00" (Indonesian), "8:00" or
    "08:00"; None for anything else."""
    match = _CLOCK.fullmatch(text or "")
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


class Day:
    """A date that formats itself when a lazy message is shown (services know no locale)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __str__(self):
        return day(self.value)

    def __repr__(self):
        return f"Day({self.value!r})"


def init_app(app):
    """Register the filters once for every template."""
    app.jinja_env.filters.update(
        day=day,
        short_day=short_day,
        moment=moment,
        number=number,
        percent=percent,
        days_in_text=days_in_text,
    )
