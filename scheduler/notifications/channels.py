"""Delivery channels: log, email (SMTP), WhatsApp (the Cloud API, whatsapp.py) and SMS (a
JSON HTTP gateway). A channel sends one rendered message or raises DeliveryError saying
whether trying again can help and, for a 429, when (Retry-After).

Every request carries the outbox row's idempotency key (HTTP header `Idempotency-Key`,
email `Message-ID`), so a provider can drop the copy a crashed worker may send again.
"""

import email.utils
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import requests
from flask import render_template
from flask_babel import force_locale

from scheduler import clock

log = logging.getLogger("scheduler.notifications.delivery")

USER_AGENT = "antre-ktp-el-outbox/1"
# A failing provider is tried again at least this often (seconds).
COOL_OFF_MAX_SECONDS = 300


class DeliveryError(Exception):
    """A channel could not deliver. `permanent`: retrying cannot help (bad number, refused
    address); `retry_after`: seconds the provider asked us to wait (HTTP 429); `code`: the
    provider's own error code, when it gave one."""

    def __init__(self, message, *, permanent=False, retry_after=None, code=None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code


def retry_after_seconds(value, now=None):
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    now = now or clock.now()
    return max(int((when - now).total_seconds()), 0)


class LogChannel:
    """Writes the message to the log: always available, the default without providers."""

    name = "log"

    def send(self, message, rendered):
        log.info(
            "outbox %s %s %s [%s] %s",
            message.id,
            message.event,
            message.reference or "-",
            message.idempotency_key,
            rendered.text,
        )
        return None


class HttpJsonChannel:
    """A JSON POST to a provider URL (exactly as configured) with a Bearer token; each
    subclass says what the body is (`body(message, rendered)`)."""

    name = "http"

    def __init__(self, url, token, timeout, session=None):
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, message, rendered):
        return self.post(message, self.body(message, rendered))

    def post(self, message, body):
        """POST one JSON body; the provider's message id, or raises DeliveryError."""
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            "User-Agent": USER_AGENT,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.post(
                self.url,
                json=body,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise DeliveryError(f"{self.name}: timed out after {self.timeout}s") from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return self.provider_id(response)
        raise self.failure(response)

    def failure(self, response):
        """The DeliveryError an answer other than 2xx means."""
        status = response.status_code
        detail = f"{self.name}: HTTP {status} {response.text[:300]}".strip()
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return DeliveryError(detail, retry_after=60 if wait is None else max(wait, 1))
        # 408 and 5xx are the provider's trouble; other 4xx are ours (number, token, body).
        return DeliveryError(detail, permanent=400 <= status < 500 and status != 408)

    @staticmethod
    def provider_id(response):
        try:
            data = response.json()
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        messages = data.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return str(messages[0].get("id") or "")[:120] or None
        value = data.get("id") or data.get("message_id")
        return str(value)[:120] if value else None


class SmsChannel(HttpJsonChannel):
    """An SMS gateway: one GSM-7 part of at most 160 characters."""

    name = "sms"

    def body(self, message, rendered):
        return {
            "to": message.phone.lstrip("+"),
            "text": rendered.sms,
            "reference": message.idempotency_key,
        }


class EmailChannel:
    """Email over SMTP (stdlib smtplib), plain text, in the message's language."""

    name = "email"

    def __init__(self, config, timeout):
        self.host = config["SMTP_HOST"]
        self.port = int(config.get("SMTP_PORT") or 25)
        self.sender = config.get("SMTP_FROM") or "antre-ktp@localhost"
        self.user = config.get("SMTP_USER")
        self.password = config.get("SMTP_PASSWORD")
        self.tls = bool(config.get("SMTP_TLS"))
        self.timeout = timeout
        self.regency = config.get("REGENCY_NAME", "")

    def build(self, message, rendered):
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.email
        mail["Subject"] = rendered.subject
        mail["Date"] = email.utils.format_datetime(clock.now())
        domain = self.sender.rpartition("@")[2] or "antre-ktp-el"
        mail["Message-ID"] = f"<{message.idempotency_key}@{domain}>"
        mail["Idempotency-Key"] = message.idempotency_key
        mail["Auto-Submitted"] = "auto-generated"
        with force_locale(message.locale):
            body = render_template(
                "notifications/email.html",
                name=message.recipient_name,
                text=rendered.text,
                regency=self.regency,
            )
        mail.set_content(body)
        return mail

    def send(self, message, rendered):
        mail = self.build(message, rendered)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.tls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"email: recipient refused {_smtp_codes(exc)}", permanent=True
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"email: SMTP {exc.smtp_code} {_decode(exc.smtp_error)}",
                permanent=500 <= exc.smtp_code < 600 and exc.smtp_code != 554,
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"email: {type(exc).__name__}: {exc}") from exc
        return mail["Message-ID"]


def _decode(value):
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _smtp_codes(exc):
    return ", ".join(f"{code} {_decode(text)}" for code, text in exc.recipients.values())


class Channels:
    """The channels configured for this process, and which ones a row's route uses."""

    def __init__(self, config):
        # whatsapp.py builds on this module's HttpJsonChannel.
        from scheduler.notifications.whatsapp import WhatsAppChannel

        timeout = float(config.get("OUTBOX_HTTP_TIMEOUT_SECONDS") or 10)
        session = requests.Session()
        self.log = LogChannel()
        self.whatsapp = (
            WhatsAppChannel(
                config["WHATSAPP_API_URL"],
                config.get("WHATSAPP_TOKEN"),
                timeout,
                session,
                templates=config.get("WHATSAPP_TEMPLATES"),
                languages=config.get("WHATSAPP_TEMPLATE_LANGUAGES"),
            )
            if config.get("WHATSAPP_API_URL")
            else None
        )
        self.sms = (
            SmsChannel(config["SMS_API_URL"], config.get("SMS_TOKEN"), timeout, session)
            if config.get("SMS_API_URL")
            else None
        )
        self.email = EmailChannel(config, timeout) if config.get("SMTP_HOST") else None
        # A provider that answered 429 is left alone until then (channel name -> moment).
        self.paused_until: dict[str, datetime] = {}
        # A provider that timed out or failed (5xx, connection) is not tried again until
        # then, so one that hangs does not hold up the rest of a batch: its messages go
        # to the next channel or wait, without spending an attempt. One message tries it
        # when that moment has passed; each failure in a row doubles the wait.
        self.failing_until: dict[str, datetime] = {}
        self.failures: dict[str, int] = {}
        self.cool_off = float(config.get("OUTBOX_BACKOFF_SECONDS") or 30)

    def note_failure(self, name, now):
        """A transient failure of a channel: leave it alone for a while."""
        count = self.failures.get(name, 0) + 1
        self.failures[name] = count
        # Half the message's own backoff (its shortest with jitter): a message's retry
        # is never held up by the channel's pause after its own failure.
        wait = min(self.cool_off * 2 ** (count - 1) / 2, COOL_OFF_MAX_SECONDS)
        self.failing_until[name] = now + timedelta(seconds=wait)

    def note_success(self, name):
        self.failures.pop(name, None)
        self.failing_until.pop(name, None)

    def names(self):
        return [c.name for c in (self.whatsapp, self.sms, self.email) if c] or ["log"]

    def for_route(self, route, whatsapp_failed=False):
        """Channels to try, in order. WhatsApp first, SMS as its fallback (SMS alone once
        WhatsApp reported the message failed, when SMS is configured); email for an
        address; the log when the route has no configured provider."""
        if route == "phone":
            chosen = [c for c in (self.whatsapp, self.sms) if c]
            if whatsapp_failed and self.sms:
                chosen = [self.sms]
        elif route == "email":
            chosen = [self.email] if self.email else []
        else:
            chosen = []
        return chosen or [self.log]
