"""WhatsApp through Meta's Cloud API.

The Cloud API takes free text only within 24 hours of the resident's last message to the
office (the customer service window); a message the office starts (a confirmation, a
reminder, "your card is ready") must be an approved template, its body parameters filled
in order. So each message goes as free text when the resident wrote within the window
(WhatsAppWindow, fed by the webhook), else as the event's template from
WHATSAPP_TEMPLATES, else not by WhatsApp at all (the SMS fallback takes it). A free text
refused as outside the window (131047) is sent again as the template; a template the
API refuses (the 132xxx codes: unknown, paused, disabled, parameters that do not match)
is a permanent failure of this channel, so the message falls back to SMS at once.
"""

import functools
import hashlib
import hmac
import re
from datetime import timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from scheduler import clock
from scheduler.extensions import db
from scheduler.notifications.channels import DeliveryError, HttpJsonChannel
from scheduler.notifications.models import WhatsAppWindow

WINDOW = timedelta(hours=24)
# A free text is sent only with this much of the window left (it may wait in a batch).
WINDOW_MARGIN = timedelta(minutes=10)

# Outside the customer service window (and its pre-2023 code).
REENGAGEMENT_CODES = {131047, 470}
# Template problems: none of them goes away by sending the same message again.
TEMPLATE_CODES = {
    132000: "number of parameters does not match",
    132001: "template does not exist in this language",
    132005: "translated text too long",
    132007: "template format character policy violated",
    132012: "parameter format does not match",
    132015: "template is paused",
    132016: "template is disabled",
    132068: "flow is blocked",
    132069: "flow is throttled",
}
# Throughput limits of the business number: pause the channel as for an HTTP 429.
THROTTLE_CODES = {4, 80007, 130429}


def phone_hash(phone):
    """Keyed hash of a phone number (E.164, with or without '+'): the only form in which
    the window table holds it."""
    digits = re.sub(r"\D", "", str(phone or ""))
    key = _hash_key(current_app.config.get("NIK_HASH_KEY"), current_app.config["SECRET_KEY"])
    return hmac.new(key, f"+{digits}".encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=8)
def _hash_key(hash_key, secret):
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"antre-phone-hash")
    return kdf.derive((hash_key or secret).encode())


def window_is_open(phone, now=None):
    """True when the resident wrote to the office recently enough for free text."""
    now = now or clock.now()
    table = WhatsAppWindow.__table__
    last = db.session.execute(
        sa.select(table.c.last_inbound_at).where(table.c.phone_hash == phone_hash(phone))
    ).scalar()
    return last is not None and last + WINDOW - WINDOW_MARGIN > now


def parameter_text(value):
    """A template parameter as the API accepts it: no newline or tab, no run of more than
    three spaces, never empty."""
    text = re.sub(r"[\r\n\t]+", " ", str(value))
    text = re.sub(r" {4,}", "   ", text).strip()
    return text or "-"


def api_error(response):
    """(code, text) of a Graph API error answer, or (None, the body's start)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None, response.text[:300]
    code = error.get("code")
    details = (
        (error.get("error_data") or {}).get("details")
        if isinstance(error.get("error_data"), dict)
        else None
    )
    text = " ".join(str(p) for p in (error.get("message"), details) if p)
    return (code if isinstance(code, int) else None), text[:300]


class WhatsAppChannel(HttpJsonChannel):
    """Cloud API messages: free text inside the window, otherwise the event's template."""

    name = "whatsapp"

    def __init__(self, url, token, timeout, session=None, templates=None, languages=None):
        super().__init__(url, token, timeout, session)
        self.templates = templates or {}
        self.languages = languages or {"id": "id", "en": "en"}

    def send(self, message, rendered):
        spec = self.templates.get(rendered.template or message.event)
        if window_is_open(message.phone):
            try:
                return self.post(message, self.text_body(message, rendered))
            except DeliveryError as exc:
                # Our record of the window was wrong (or it closed meanwhile): the template.
                if exc.code not in REENGAGEMENT_CODES or spec is None:
                    raise
        if spec is None:
            raise DeliveryError(
                f"whatsapp: no template for {rendered.template or message.event} and the "
                "resident has not written within 24 hours",
                permanent=True,
            )
        return self.post(message, self.template_body(message, rendered, spec))

    def _base(self, message):
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.phone.lstrip("+"),
            "biz_opaque_callback_data": message.idempotency_key,
        }

    def text_body(self, message, rendered):
        return {
            **self._base(message),
            "type": "text",
            "text": {"preview_url": True, "body": rendered.text},
        }

    def template_body(self, message, rendered, spec):
        languages = {**self.languages, **(spec.get("languages") or {})}
        names = spec.get("parameters") or []
        missing = [n for n in names if n not in rendered.values]
        if missing:
            raise DeliveryError(
                f"whatsapp: template {spec['name']} names unknown values: {', '.join(missing)}",
                permanent=True,
            )
        template = {
            "name": spec["name"],
            "language": {"code": languages.get(message.locale) or languages.get("id", "id")},
        }
        if names:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": parameter_text(rendered.values[n])} for n in names
                    ],
                }
            ]
        return {**self._base(message), "type": "template", "template": template}

    def failure(self, response):
        code, text = api_error(response)
        status = response.status_code
        prefix = f"whatsapp: HTTP {status}"
        if code in TEMPLATE_CODES:
            return DeliveryError(
                f"{prefix} template refused (#{code} {TEMPLATE_CODES[code]}): {text}",
                permanent=True,
                code=code,
            )
        if code in REENGAGEMENT_CODES:
            return DeliveryError(
                f"{prefix} outside the 24-hour window (#{code}): {text}", permanent=True, code=code
            )
        if code in THROTTLE_CODES and status != 429:
            return DeliveryError(f"{prefix} (#{code}) {text}", retry_after=60, code=code)
        error = super().failure(response)
        error.code = code
        return error
