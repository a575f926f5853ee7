"""Formatting for outbox messages: GSM-7 text that fits one SMS, site-local times and
dates in the message's language, and a reader of a message's context."""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_datetime

SMS_LIMIT = 160

# GSM 03.38 basic character set (one septet each); anything else is replaced.
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_PUNCTUATION = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)
_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


@dataclass
class Rendered:
    subject: str
    text: str
    sms: str
    # The values the texts were filled with (code, when, site, ... and the recipient's
    # name), in the message's language: a WhatsApp template's parameters are picked here.
    values: dict = field(default_factory=dict)
    # The WhatsApp template to use, when an event has variants (else the event's own).
    template: str | None = None


class MissingContext(KeyError):
    """A template needs a context key the enqueuing feature did not give."""


def gsm7(text):
    """Text limited to the GSM-7 basic set, so an SMS is not split into UCS-2 parts."""
    text = str(text)
    if _GSM7.issuperset(text):
        return text
    out = []
    for ch in text.translate(_PUNCTUATION):
        if ch in _GSM7:
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        plain = plain.translate(str.maketrans("[]{}~\\|^", "()()-/!-"))
        out.append(plain if plain and all(c in _GSM7 for c in plain) else "?")
    return "".join(out)


def is_gsm7(text):
    return all(ch in _GSM7 for ch in text)


class Context:
    """Reads an outbox row's context with the message's locale."""

    def __init__(self, values, locale):
        self.values = values or {}
        self.locale = locale

    def require(self, *keys):
        missing = [k for k in keys if self.values.get(k) in (None, "")]
        if missing:
            raise MissingContext(", ".join(missing))

    def text(self, key, default=""):
        value = self.values.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        return default if value in (None, "") else str(value)

    def when(self, key="starts_at"):
        """A site-local moment as 'Sel 8 Des 10.00 WIB'."""
        raw = self.values.get(key)
        return _when(raw.isoformat() if isinstance(raw, datetime) else str(raw), self.locale)

    def day(self, key):
        """A date as 'Sel 8 Des 2026' (the year, since card dates may be months away)."""
        raw = self.values.get(key)
        if isinstance(raw, (datetime, date)):
            raw = raw.isoformat()
        return _day(str(raw)[:10], self.locale)

    def appointment(self, *required):
        """The values of an appointment event: code, when, site, place (site and address),
        link, reason. Raises MissingContext unless code, starts_at and `required` exist."""
        self.require("code", "starts_at", *required)
        site = self.text("site")
        return {
            "code": self.text("code"),
            "when": self.when(),
            "site": site,
            "place": ", ".join(p for p in (site, self.text("address")) if p),
            "link": self.text("link"),
            "reason": self.text("reason", "-"),
        }

    def card(self, *required):
        """The values of a card event: code, site (pickup_site, else the recording site),
        link and, when required or given, day (pickup_from)."""
        self.require("code", *required)
        values = {
            "code": self.text("code"),
            "site": self.text("pickup_site") or self.text("site"),
            "link": self.text("link"),
        }
        if self.values.get("pickup_from"):
            values["day"] = self.day("pickup_from")
        return values

    def sms(self, pattern, short=None, shrink=("site", "institution", "reason"), **values):
        """Fill an SMS pattern, shortening the named free-text values until it fits 160.
        When a value would be cut to almost nothing (a long PUBLIC_BASE_URL leaves little
        room), the `short` pattern without it; at worst only the code and the link."""
        values = {k: gsm7(v) for k, v in values.items()}
        text = pattern % values
        for key in shrink:
            if len(text) <= SMS_LIMIT or key not in values:
                continue
            value = values[key]
            keep = len(value) - (len(text) - SMS_LIMIT) - 3
            if keep < 8 and short:
                text = short % values
                break
            values[key] = value[:keep].rstrip() + "..." if keep >= 4 else "-"
            text = pattern % values
        if len(text) > SMS_LIMIT and values.get("link"):
            text = " ".join(p for p in ("KTP-el", values.get("code", ""), values["link"]) if p)
        return text[:SMS_LIMIT]


@lru_cache(maxsize=4096)  # many messages share a slot's start
def _when(iso, locale):
    moment = datetime.fromisoformat(iso)
    pattern = "EEE d MMM HH.mm" if locale == "id" else "EEE d MMM HH:mm"
    text = format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=locale)
    offset = moment.utcoffset()
    if offset is None:
        return text
    hours = offset.total_seconds() / 3600
    return f"{text} {_ZONES.get(hours) or f'UTC{hours:+g}'}"


@lru_cache(maxsize=1024)
def _day(iso, locale):
    return format_date(date.fromisoformat(iso), "EEE d MMM y", locale=locale)
