"""Configuration: defaults here, then the file named by SCHEDULER_CONFIG, then
environment variables, then the overrides given to create_app."""

import json
import logging
import os
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from scheduler import regions

DEFAULTS = {
    # "development", "production" or "testing"
    "SCHEDULER_ENV": "development",
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "NIK_ENCRYPTION_KEY": None,
    "NIK_HASH_KEY": None,
    # Key rotation (flask nik rotate-keys): lists, or comma-separated in the environment;
    # the first key writes, every one reads. When set they replace the single keys above.
    "NIK_ENCRYPTION_KEYS": None,
    "NIK_HASH_KEYS": None,
    "REDIS_URL": None,
    # The regency or city this installation serves, by its Kemendagri code: its name, kind,
    # kecamatan, desa/kelurahan and time zone come from the region data (scheduler.regions).
    # REGENCY_NAME and REGENCY_TIMEZONE, when set, override the data's name and zone.
    "REGENCY_CODE": "33.19",
    "REGENCY_NAME": None,
    "REGENCY_TIMEZONE": None,
    # The address residents reach the service at (links in messages, calendar files and
    # outreach pages). Unset, pages use the address each request came to; the worker
    # refuses to start without it (it has no request to take an address from).
    "PUBLIC_BASE_URL": None,
    # Booking rules
    "BOOKING_MIN_NOTICE_MINUTES": 60,
    "BOOKING_WINDOW_DAYS": 30,
    "SLOT_WINDOW_DAYS": 30,
    "RECORDING_MINUTES": 15,
    "MINIMUM_RECORDING_AGE": 16,
    "IDEMPOTENCY_TTL_HOURS": 24,
    # Check-in opens this long before the slot starts.
    "CHECKIN_EARLY_MINUTES": 60,
    # Rate limits (Flask-Limiter notation)
    "LOOKUP_LIMIT_PER_ADDRESS": "20 per 10 minutes",
    "LOOKUP_LIMIT_PER_CODE": "5 per 10 minutes",
    "BOOKING_LIMIT_PER_ADDRESS": "600 per minute",
    "LOGIN_LIMIT_PER_ADDRESS": "10 per 5 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    # Outreach: mobile recording kits the office owns.
    "OUTREACH_KITS": 4,
    # Outreach bookings nobody tallied lapse to no-show this many days after the session.
    "OUTREACH_TALLY_GRACE_DAYS": 7,
    # A coordinator's invitation link stays valid this many days.
    "OUTREACH_INVITE_DAYS": 7,
    # Rows one roster file may hold, and its size in bytes.
    "OUTREACH_ROSTER_MAX_ROWS": 3000,
    "OUTREACH_ROSTER_MAX_BYTES": 2 * 1024 * 1024,
    # The national recording coverage target (percent), shown on the coverage page.
    "OUTREACH_COVERAGE_TARGET": "99.40",
    # The public dashboard (/angka) computes its figures at most once per this many seconds
    # per process; the answers say so in Cache-Control.
    "PUBLIC_DASHBOARD_CACHE_SECONDS": 300,
    # Cards: the planning horizon, days from printing to pickup (at the print site, or
    # elsewhere after transport), days before an announced delivery's blanks are usable,
    # where cards are collected ("none": where recorded; "outreach": schools and village
    # halls collect at their kecamatan office; "all": every recording away from the main
    # office collects at its kecamatan office), reminder days, the usage window for days
    # of cover, and how long a certificate of recording is valid.
    "CARD_PLANNING_DAYS": 365,
    "CARD_PICKUP_AFTER_DAYS": 1,
    "CARD_TRANSFER_DAYS": 2,
    "CARD_DELIVERY_LEAD_DAYS": 1,
    "CARD_PICKUP_AT_KECAMATAN": "outreach",
    "CARD_REMINDER_DAYS_FIRST": 14,
    "CARD_REMINDER_DAYS_SECOND": 30,
    "CARD_USAGE_WINDOW_DAYS": 30,
    "CERTIFICATE_VALID_DAYS": 180,
    # Notification channels (off while unset)
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_FROM": "antre-ktp@localhost",
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_TLS": False,
    "WHATSAPP_API_URL": None,
    "WHATSAPP_TOKEN": None,
    # The Meta app's secret (signs the status webhooks: X-Hub-Signature-256) and the token
    # the webhook's subscription handshake must echo; the webhook is off while unset.
    "WHATSAPP_APP_SECRET": None,
    "WHATSAPP_VERIFY_TOKEN": None,
    # Messages the office starts go out as approved templates (free text only within 24
    # hours of the resident's last message): per event (or variant) the template's name,
    # its language code per message locale (else WHATSAPP_TEMPLATE_LANGUAGES) and the
    # body parameters {{1}}, {{2}}, ... in order, named after the values the texts use.
    "WHATSAPP_TEMPLATE_LANGUAGES": {"id": "id", "en": "en"},
    "WHATSAPP_TEMPLATES": {
        "booking_confirmed": {
            "name": "antre_booking_confirmed",
            "parameters": ["name", "code", "when", "place", "link"],
        },
        "appointment_reminder": {
            "name": "antre_appointment_reminder",
            "parameters": ["name", "when", "place", "code", "link"],
        },
        "appointment_cancelled": {
            "name": "antre_appointment_cancelled",
            "parameters": ["code", "when", "site", "link"],
        },
        "appointment_rescheduled": {
            "name": "antre_appointment_rescheduled",
            "parameters": ["code", "when", "site", "link"],
        },
        "appointment_cancelled_by_office": {
            "name": "antre_appointment_cancelled_by_office",
            "parameters": ["code", "when", "site", "reason", "link"],
        },
        "outreach_approved": {
            "name": "antre_outreach_approved",
            "parameters": ["institution", "day", "start", "end", "link"],
        },
        "outreach_declined": {
            "name": "antre_outreach_declined",
            "parameters": ["institution", "reason"],
        },
        "card_scheduled": {
            "name": "antre_card_scheduled",
            "parameters": ["code", "day", "site", "link"],
        },
        "card_date_moved": {
            "name": "antre_card_date_moved",
            "parameters": ["code", "day", "site", "link"],
        },
        "card_date_withdrawn": {
            "name": "antre_card_date_withdrawn",
            "parameters": ["code", "position", "link"],
        },
        "card_ready": {"name": "antre_card_ready", "parameters": ["code", "site", "link"]},
        "card_uncollected": {
            "name": "antre_card_uncollected",
            "parameters": ["code", "site", "link"],
        },
    },
    "SMS_API_URL": None,
    "SMS_TOKEN": None,
    # The outbox worker (scheduler/notifications/delivery.py)
    "OUTBOX_POLL_SECONDS": 5,
    "OUTBOX_BATCH_SIZE": 200,
    "OUTBOX_LEASE_SECONDS": 300,
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_BACKOFF_SECONDS": 30,
    "OUTBOX_BACKOFF_MAX_SECONDS": 6 * 3600,
    "OUTBOX_HTTP_TIMEOUT_SECONDS": 10.0,
    # Sent messages (with their phone numbers and emails) are deleted after this.
    "OUTBOX_RETENTION_DAYS": 90,
    # Personal data (UU PDP): days after a booking ended (cancelled, no-show, recording
    # failed) before its name, phone, email and NIK are removed; days after a card was
    # collected; days after an outreach session for its roster's unrecorded participants;
    # days the audit log is kept.
    "PERSONAL_DATA_RETENTION_DAYS": 90,
    "CARD_PICKUP_RETENTION_DAYS": 365,
    "OUTREACH_ROSTER_RETENTION_DAYS": 30,
    "AUDIT_RETENTION_DAYS": 730,
    # Reminders go out the day before, from this hour (site-local).
    "REMINDER_HOUR": 8,
    # Sessions
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,  # idle: the cookie lapses after this
    "SESSION_MAX_HOURS": 12,  # absolute: a page session ends this long after login
    # The roster page refreshes itself this often (JavaScript on).
    "ROSTER_REFRESH_SECONDS": 20,
    "QUEUE_DISPLAY_REFRESH_SECONDS": 5,
    "QUEUE_PICKUP_COUNTERS": 1,
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host/-Port/
    # -Prefix (nginx alone: 1); 0 trusts none of those headers.
    "PROXY_COUNT": 0,
    # Logs: "json" (one object a line) or "text"; one line per request when REQUEST_LOG.
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "REQUEST_LOG": True,
    # /readyz fails when more messages than this are due and unsent, or the oldest has
    # waited longer than this (the worker is down or a provider is stuck).
    "READYZ_OUTBOX_BACKLOG": 5000,
    "READYZ_OUTBOX_MAX_AGE_SECONDS": 900,
}

INT_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}
BOOL_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, bool)}
INT_KEYS |= {"SMTP_PORT"}

DEV_SECRET = "development-only-secret-do-not-use-in-production"


class ConfigError(RuntimeError):
    """The configuration cannot run the service."""


def _coerce(key, value):
    if isinstance(DEFAULTS.get(key), dict) and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ConfigError(f"{key} must be JSON when set in the environment") from exc
    if key in BOOL_KEYS and isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if key in INT_KEYS and isinstance(value, str):
        return int(value)
    return value


def load_config(app, overrides=None):
    """Fill app.config from defaults, the SCHEDULER_CONFIG file, the environment and overrides."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    path = os.environ.get("SCHEDULER_CONFIG")
    if path:
        app.config.from_pyfile(os.path.abspath(path))
    for key in DEFAULTS:
        if key in os.environ and os.environ[key] != "":
            app.config[key] = _coerce(key, os.environ[key])
    if overrides:
        app.config.update(overrides)

    env = app.config["SCHEDULER_ENV"]
    if not app.config.get("SECRET_KEY") and env != "production":
        app.config["SECRET_KEY"] = DEV_SECRET
    if not app.config.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "scheduler.db")
    url = app.config["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    # A storage failure (Redis down) is raised as limits' StorageError, whatever the
    # storage: bookings go on without their flood limit, look-ups and logins answer 503.
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
    app.config["RATELIMIT_STORAGE_OPTIONS"].setdefault("wrap_exceptions", True)
    # No X-RateLimit-* headers on every answer: each costs the storage two more reads (two
    # Redis round trips per request). A 429 still says when to come back (Retry-After).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    apply_regency(app.config)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "id")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["REGENCY_TIMEZONE"])
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if env == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
    validate(app.config)


def apply_regency(config):
    """REGENCY_CODE in its dotted form, and the regency's name and zone unless overridden."""
    raw = config.get("REGENCY_CODE")
    try:
        regency = regions.regency(str(raw or ""))
    except regions.UnknownRegion:
        raise ConfigError(
            f"REGENCY_CODE {raw!r} is not a regency or city of Indonesia: give its Kemendagri "
            "code, e.g. 33.19 (Kabupaten Kudus), 36.03 (Kabupaten Tangerang), 12.77 (Kota "
            "Padangsidimpuan) or 73.71 (Kota Makassar)"
        ) from None
    config["REGENCY_CODE"] = regency.code
    config["REGENCY_NAME"] = config.get("REGENCY_NAME") or regency.name
    zone = config.get("REGENCY_TIMEZONE") or regency.timezone
    if zone not in (regions.WIB, regions.WITA, regions.WIT):
        raise ConfigError(
            f"REGENCY_TIMEZONE must be {regions.WIB} (WIB), {regions.WITA} (WITA) or "
            f"{regions.WIT} (WIT), not {zone!r}"
        )
    config["REGENCY_TIMEZONE"] = zone


def validate(config):
    """Refuse to start with settings that would be unsafe or meaningless."""
    env = config["SCHEDULER_ENV"]
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"SCHEDULER_ENV must be development, production or testing, not {env!r}")
    if env == "production":
        if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET:
            raise ConfigError("SECRET_KEY is required in production")
        has_enc = config.get("NIK_ENCRYPTION_KEYS") or config.get("NIK_ENCRYPTION_KEY")
        has_hash = config.get("NIK_HASH_KEYS") or config.get("NIK_HASH_KEY")
        if not has_enc or not has_hash:
            raise ConfigError("NIK_ENCRYPTION_KEY and NIK_HASH_KEY are required in production")
    for key in (
        "BOOKING_MIN_NOTICE_MINUTES",
        "BOOKING_WINDOW_DAYS",
        "SLOT_WINDOW_DAYS",
        "PROXY_COUNT",
        "PUBLIC_DASHBOARD_CACHE_SECONDS",
        "PERSONAL_DATA_RETENTION_DAYS",
        "CARD_PICKUP_RETENTION_DAYS",
        "OUTREACH_ROSTER_RETENTION_DAYS",
        "AUDIT_RETENTION_DAYS",
    ):
        if int(config[key]) < 0:
            raise ConfigError(f"{key} must not be negative")
    if config["LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError("LOG_FORMAT must be json or text")
    if config["CARD_PICKUP_AT_KECAMATAN"] not in ("none", "outreach", "all"):
        raise ConfigError("CARD_PICKUP_AT_KECAMATAN must be none, outreach or all")
    if int(config["CARD_PLANNING_DAYS"]) < 1:
        raise ConfigError("CARD_PLANNING_DAYS must be at least 1")
    if int(config["RECORDING_MINUTES"]) <= 0:
        raise ConfigError("RECORDING_MINUTES must be positive")
    for key in ("OUTREACH_KITS", "OUTREACH_INVITE_DAYS", "OUTREACH_ROSTER_MAX_ROWS"):
        if int(config[key]) <= 0:
            raise ConfigError(f"{key} must be positive")
    _validate_whatsapp_templates(config)
    _validate_base_url(config)
    try:
        target = Decimal(str(config["OUTREACH_COVERAGE_TARGET"]))
    except InvalidOperation:
        target = None
    if target is None or not 0 <= target <= 100:
        raise ConfigError("OUTREACH_COVERAGE_TARGET must be a percentage, like 99.40")


def _validate_base_url(config):
    value = config.get("PUBLIC_BASE_URL")
    if not value:
        if config["SCHEDULER_ENV"] == "production":
            logging.getLogger(__name__).warning(
                "PUBLIC_BASE_URL is not set: links follow the Host each request names, and "
                "the worker (reminders, card notices) will not start; set it to the "
                "address residents reach the service at"
            )
        return
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            "PUBLIC_BASE_URL must be the service's address, e.g. https://antre.example.go.id "
            f"(http or https, a host, an optional path), not {value!r}"
        )


def require_base_url(config, who="the worker"):
    """Raise ConfigError unless PUBLIC_BASE_URL is set (a process that has no request)."""
    if not config.get("PUBLIC_BASE_URL"):
        raise ConfigError(
            f"PUBLIC_BASE_URL must be set for {who}: the messages it writes carry links to "
            "the service and it has no request to take an address from, e.g. "
            "PUBLIC_BASE_URL=https://antre.example.go.id (make run sets it from PORT)"
        )


def _validate_whatsapp_templates(config):
    templates = config.get("WHATSAPP_TEMPLATES") or {}
    if not isinstance(templates, dict):
        raise ConfigError("WHATSAPP_TEMPLATES must map an event to its template")
    for event, spec in templates.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise ConfigError(f"WHATSAPP_TEMPLATES[{event!r}] needs a template name")
        parameters = spec.get("parameters", [])
        if not isinstance(parameters, list) or not all(isinstance(p, str) for p in parameters):
            raise ConfigError(f"WHATSAPP_TEMPLATES[{event!r}]['parameters'] must list names")
        if not isinstance(spec.get("languages", {}), dict):
            raise ConfigError(f"WHATSAPP_TEMPLATES[{event!r}]['languages'] must map locales")
