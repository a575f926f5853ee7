# Antre KTP-el settings. Copy this file (to /etc/antre/config.py, say), keep it readable
# by the service's user only, and point SCHEDULER_CONFIG at it. An environment variable
# of the same name overrides a value set here. Every setting is listed; the commented
# ones show their default. docs/deployment.md explains the deployment as a whole.

# --- The installation ------------------------------------------------------------
# "production" (refuses to start without real secrets, secure cookies), "development"
# (the default: a development secret, a SQLite file in instance/) or "testing".
SCHEDULER_ENV = "production"
# Signs sessions, QR tokens and signed links: a long random string, e.g.
#   python3 -c "import secrets; print(secrets.token_urlsafe(48))"
# Changing it logs everyone out and invalidates every QR code and link already sent.
SECRET_KEY = "change-me: a long random string"
# SQLAlchemy URL. PostgreSQL in production; unset, a SQLite file in the instance folder.
DATABASE_URL = "postgresql+psycopg://antre:secret@127.0.0.1:5432/antre"
# The NIK at rest: NIK_ENCRYPTION_KEY is a Fernet key that encrypts it
#   python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
# and NIK_HASH_KEY keys the hash a booking is found by (any long random string). Both
# are required in production. Back them up apart from the database dumps: without them
# no stored NIK can be read or found again. Never change them in place: rotate them.
NIK_ENCRYPTION_KEY = "change-me"
NIK_HASH_KEY = "change-me: another long random string"
# Rotating the keys (`flask nik rotate-keys`): list the new key first and keep the old
# one after it, in both lists (the first writes, every one reads), restart the web app
# and the worker, run the command (it resumes if stopped), then drop the old keys and
# restart again. While set, these lists replace the two single keys above.
# NIK_ENCRYPTION_KEYS = ["new Fernet key", "the old NIK_ENCRYPTION_KEY"]
# NIK_HASH_KEYS = ["new long random string", "the old NIK_HASH_KEY"]
# Redis for the rate limits, shared by every gunicorn worker and app server. Unset, each
# process counts alone (in memory). When Redis is unreachable, bookings go on without
# their flood limit; look-ups and logins answer 503 until it is back.
REDIS_URL = "redis://127.0.0.1:6379/0"
# RATELIMIT_HEADERS_ENABLED = True   # X-RateLimit-* on look-ups and logins: two more Redis
#                                      reads each (a 429 always carries Retry-After)
# The address residents reach the service at (with the path prefix, if the service runs
# under one): the links in messages, calendar files, QR codes and outreach pages. Set
# it: the worker (`flask jobs run`), which writes reminders and card notices without a
# request, refuses to start without it, and production warns at start-up. Unset, web
# pages and answers use the address each request came to (the Host header, or what
# PROXY_COUNT lets the proxy say).
PUBLIC_BASE_URL = "https://antre.disdukcapil.kuduskab.go.id"

# --- The regency -----------------------------------------------------------------
# The regency or city served, by its Kemendagri code (33.19 Kabupaten Kudus, 36.03
# Kabupaten Tangerang, 12.77 Kota Padangsidimpuan, 73.71 Kota Makassar, ...). Its name,
# kind, kecamatan, desa/kelurahan and time zone (WIB, WITA or WIT, from the province)
# come from the region data; an unknown code refuses to start. The zone dates the print
# queue and the reports (each site keeps its own zone).
REGENCY_CODE = "33.19"
# Only to override the region data: the name on pages, messages and reports, the zone.
# REGENCY_NAME = "Kabupaten Kudus"
# REGENCY_TIMEZONE = "Asia/Jakarta"

# --- Booking rules ---------------------------------------------------------------
BOOKING_MIN_NOTICE_MINUTES = 60   # a slot can be booked until this long before it starts
BOOKING_WINDOW_DAYS = 30          # residents book up to this many days ahead
SLOT_WINDOW_DAYS = 30             # slots are generated this many days ahead
RECORDING_MINUTES = 15            # one recording at one station (slot capacity from it)
MINIMUM_RECORDING_AGE = 16        # age on the slot's date from which a resident may book
IDEMPOTENCY_TTL_HOURS = 24        # an Idempotency-Key of a booking is kept this long
CHECKIN_EARLY_MINUTES = 60        # check-in opens this long before the slot starts

# --- Rate limits (Flask-Limiter notation: "N per M minutes") ------------------------
# Failed code + NIK checks (look-up, cancel, reschedule) per address and per code.
LOOKUP_LIMIT_PER_ADDRESS = "20 per 10 minutes"
LOOKUP_LIMIT_PER_CODE = "5 per 10 minutes"
# Booking requests per address: never below 600 a minute (a school's pupils share one
# address); "off" leaves flood limits to the reverse proxy. Each worker counts them in
# batches (8 at 600 a minute, exact under 150), so an address may get up to 7 more per
# worker before a 429, never fewer.
BOOKING_LIMIT_PER_ADDRESS = "600 per minute"
# Staff logins, per address and per account.
LOGIN_LIMIT_PER_ADDRESS = "10 per 5 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"

# --- Staff sessions and pages ----------------------------------------------------
PERMANENT_SESSION_LIFETIME = 8 * 3600   # seconds idle before a staff session lapses
SESSION_MAX_HOURS = 12                  # a session ends this long after login, in any case
ROSTER_REFRESH_SECONDS = 20             # the roster page reloads itself this often (JavaScript)
QUEUE_DISPLAY_REFRESH_SECONDS = 5       # the waiting-room screen (/layar/<site>) reloads this often
QUEUE_PICKUP_COUNTERS = 1               # counters calling numbers at each site's pickup desk

# --- Outreach (schools and village halls) ----------------------------------------
OUTREACH_KITS = 4                  # mobile recording kits the office owns
OUTREACH_TALLY_GRACE_DAYS = 7      # untallied outreach bookings lapse to no-show after this
OUTREACH_INVITE_DAYS = 7           # a coordinator's invitation link stays valid this long
OUTREACH_ROSTER_MAX_ROWS = 3000    # rows per roster file
OUTREACH_ROSTER_MAX_BYTES = 2097152  # bytes per roster file (nginx: client_max_body_size)
OUTREACH_COVERAGE_TARGET = "99.40"   # national recording coverage target, percent
PUBLIC_DASHBOARD_CACHE_SECONDS = 300  # the public dashboard's figures are recomputed this often

# --- Cards: blank stock and pickup dates -----------------------------------------
CARD_PLANNING_DAYS = 365           # how far ahead print dates are promised
CARD_PICKUP_AFTER_DAYS = 1         # printed at the pickup site: ready this many days later
CARD_TRANSFER_DAYS = 2             # printed elsewhere: days for transport
CARD_DELIVERY_LEAD_DAYS = 1        # an announced delivery's blanks are usable this long after
# Where cards are collected: "none" where recorded; "outreach": schools and village halls
# collect at their kecamatan office; "all": every recording away from the main office.
CARD_PICKUP_AT_KECAMATAN = "outreach"
CARD_REMINDER_DAYS_FIRST = 14      # an uncollected card: first reminder after this many days
CARD_REMINDER_DAYS_SECOND = 30     # ... and the second
CARD_USAGE_WINDOW_DAYS = 30        # days of recent use behind "days of cover"
CERTIFICATE_VALID_DAYS = 180       # a certificate of recording is valid this long

# --- Notification channels: each is off while unset; with none, messages go to the log.
# SMTP_HOST = "127.0.0.1"          # email
# SMTP_PORT = 25
# SMTP_FROM = "antre-ktp@kuduskab.go.id"
# SMTP_USER = "..."                # with SMTP_PASSWORD: log in to the server
# SMTP_PASSWORD = "..."
# SMTP_TLS = True                  # STARTTLS
# WHATSAPP_API_URL = "https://graph.example/v1/PHONE_ID/messages"   # Cloud-API-style POST
# WHATSAPP_TOKEN = "..."           # sent as Authorization: Bearer
# WHATSAPP_APP_SECRET = "..."      # the Meta app's secret: checks X-Hub-Signature-256 of
#                                  # the webhook /api/v1/webhooks/whatsapp (off while unset)
# WHATSAPP_VERIFY_TOKEN = "..."    # the webhook's GET handshake must echo this token
# Outside the 24 hours after a resident last wrote, WhatsApp takes only approved
# templates: per event the template's name, its language per locale (else
# WHATSAPP_TEMPLATE_LANGUAGES) and the body parameters {{1}}, {{2}}, ... named after the
# values of the texts (code, when, site, place, link, reason, day, position, institution,
# start, end, name). The defaults (scheduler/config.py) are antre_<event>; an event left
# out goes by SMS unless the resident wrote within the window.
# WHATSAPP_TEMPLATE_LANGUAGES = {"id": "id", "en": "en"}
# WHATSAPP_TEMPLATES = {
#     "booking_confirmed": {
#         "name": "antre_booking_confirmed",
#         "languages": {"id": "id", "en": "en_US"},
#         "parameters": ["name", "code", "when", "place", "link"],
#     },
#     # ... one entry per event, see scheduler/config.py
# }
# SMS_API_URL = "https://sms-gateway.example/send"   # JSON {"to", "text", "reference"}
# SMS_TOKEN = "..."                # sent as Authorization: Bearer

# --- The outbox worker (flask jobs run) ------------------------------------------
# OUTBOX_POLL_SECONDS = 5          # how often it looks for messages due
# OUTBOX_BATCH_SIZE = 200          # messages one worker claims at a time
# OUTBOX_LEASE_SECONDS = 300       # a killed worker's claimed messages go out after this
# OUTBOX_MAX_ATTEMPTS = 8          # tries before a message is dead
# OUTBOX_BACKOFF_SECONDS = 30      # first retry delay, doubled each time (with jitter) ...
# OUTBOX_BACKOFF_MAX_SECONDS = 21600   # ... up to this
# OUTBOX_HTTP_TIMEOUT_SECONDS = 10 # a provider that takes longer has failed this attempt
# OUTBOX_RETENTION_DAYS = 90       # sent messages (with their addresses) are deleted after this
# REMINDER_HOUR = 8                # reminders go out the day before, from this site-local hour

# --- Personal data (UU PDP No. 27/2022): how long it is kept ---------------------
# The worker's purge_personal_data job (and `flask privacy purge`) removes the name,
# phone, email and NIK of what has served its purpose; counts and reports stay.
# PERSONAL_DATA_RETENTION_DAYS = 90    # after a booking was cancelled, missed or failed
# CARD_PICKUP_RETENTION_DAYS = 365     # after a card was collected (the NIK's keyed hash
#                                        stays: it stops a second recording booking)
# OUTREACH_ROSTER_RETENTION_DAYS = 30  # after an outreach session, for roster participants
#                                        who were not recorded
# AUDIT_RETENTION_DAYS = 730           # audit entries (who did or read what) older than this

# --- Running behind a proxy, logs, health ----------------------------------------
# Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port/-Prefix
# are trusted (werkzeug's ProxyFix): 1 for nginx alone, 2 for a load balancer and nginx.
# 0 (the default) trusts none: right only when nothing stands in front of gunicorn.
PROXY_COUNT = 1
# LOG_FORMAT = "json"              # "json": one object a line (journald, Loki...); or "text"
# LOG_LEVEL = "INFO"               # DEBUG, INFO, WARNING, ERROR
# REQUEST_LOG = True               # one line per request: method, route, status, duration,
#                                    request id; never a path, query or personal data
# /readyz answers 503 when more messages than this are due and unsent, or when the oldest
# due message has waited longer than this many seconds (the worker or a provider is stuck).
# READYZ_OUTBOX_BACKLOG = 5000
# READYZ_OUTBOX_MAX_AGE_SECONDS = 900
