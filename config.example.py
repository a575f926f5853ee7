# Copy to config.py (any name) and point SCHEDULER_CONFIG at it. Environment variables
# override what is set here. See README.md and ../shared/API.md for every setting.

SCHEDULER_ENV = "production"
SECRET_KEY = "change-me: a long random string"
DATABASE_URL = "postgresql+psycopg://ktp:secret@127.0.0.1:5432/antre"
# Fernet key (python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")
NIK_ENCRYPTION_KEY = "change-me"
NIK_HASH_KEY = "change-me: another long random string"
REDIS_URL = "redis://127.0.0.1:6379/0"   # rate limits shared by every gunicorn worker
# RATELIMIT_HEADERS_ENABLED = True   # X-RateLimit-* on look-ups and logins: two more Redis reads each
#                                      (booking answers never carry them; a 429 always has Retry-After)
PUBLIC_BASE_URL = "https://antre.disdukcapil.kuduskab.go.id"

REGENCY_NAME = "Kabupaten Kudus"
REGENCY_TIMEZONE = "Asia/Jakarta"
BOOKING_MIN_NOTICE_MINUTES = 60
BOOKING_WINDOW_DAYS = 30
SLOT_WINDOW_DAYS = 30
RECORDING_MINUTES = 15
CHECKIN_EARLY_MINUTES = 60
# Staff logins: throttled per address and per account; sessions end after 8 idle hours
# (PERMANENT_SESSION_LIFETIME, seconds) and at most SESSION_MAX_HOURS after login.
# Booking requests per address: never below 600 a minute (a school's pupils share one
# address); "off" leaves flood limits to the reverse proxy. Each worker counts them in
# batches (8 at 600 a minute, exact under 150), so an address may get up to 7 more per
# worker before a 429, never fewer.
BOOKING_LIMIT_PER_ADDRESS = "600 per minute"
LOGIN_LIMIT_PER_ADDRESS = "10 per 5 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
PERMANENT_SESSION_LIFETIME = 8 * 3600
SESSION_MAX_HOURS = 12
ROSTER_REFRESH_SECONDS = 20
OUTREACH_KITS = 4
OUTREACH_TALLY_GRACE_DAYS = 7   # untallied outreach bookings lapse to no-show after this
OUTREACH_INVITE_DAYS = 7           # a coordinator's invitation link stays valid this long
OUTREACH_ROSTER_MAX_ROWS = 3000    # rows per roster file
OUTREACH_ROSTER_MAX_BYTES = 2097152
OUTREACH_COVERAGE_TARGET = "99.40" # national recording coverage target, percent

# Cards (blank stock and pickup dates)
CARD_PLANNING_DAYS = 365           # how far ahead print dates are promised
CARD_PICKUP_AFTER_DAYS = 1         # printed at the pickup site: ready this many days later
CARD_TRANSFER_DAYS = 2             # printed elsewhere: days for transport
CARD_DELIVERY_LEAD_DAYS = 1        # an announced delivery's blanks are usable this long after
CARD_PICKUP_AT_KECAMATAN = "outreach"  # "none" | "outreach" | "all"
CARD_REMINDER_DAYS_FIRST = 14
CARD_REMINDER_DAYS_SECOND = 30
CERTIFICATE_VALID_DAYS = 180

# Notification channels: each is off while unset; without any, messages go to the log.
# SMTP_HOST = "127.0.0.1"
# SMTP_PORT = 25
# SMTP_FROM = "antre-ktp@kuduskab.go.id"
# WHATSAPP_API_URL = "https://graph.example/v1/PHONE_ID/messages"
# WHATSAPP_TOKEN = "..."
# SMS_API_URL = "https://sms-gateway.example/send"
# SMS_TOKEN = "..."
# SMTP_USER = "..."
# SMTP_PASSWORD = "..."
# SMTP_TLS = True

# The outbox worker: batch size, lease of a claimed batch (a killed worker's messages go
# out after it), retries with exponential backoff (seconds) before a message is dead.
# OUTBOX_POLL_SECONDS = 5
# OUTBOX_BATCH_SIZE = 200
# OUTBOX_LEASE_SECONDS = 300
# OUTBOX_MAX_ATTEMPTS = 8
# OUTBOX_BACKOFF_SECONDS = 30
# OUTBOX_BACKOFF_MAX_SECONDS = 21600
# OUTBOX_HTTP_TIMEOUT_SECONDS = 10
# OUTBOX_RETENTION_DAYS = 90
# Appointment reminders go out the day before, from this site-local hour.
# REMINDER_HOUR = 8
