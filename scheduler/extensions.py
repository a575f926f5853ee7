"""Extension objects, created unbound; create_app binds them."""

from flask import current_app
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from scheduler.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# Pages, CSS and JS go out compressed (zstd, brotli or gzip): residents pay for every byte.
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def booking_limit(**options):
    """The per-address limit on booking requests (BOOKING_LIMIT_PER_ADDRESS, never below
    600 a minute: a school's pupils share one address). "off" leaves flood limits to the
    reverse proxy, and spares every booking attempt the limit storage's round trip."""
    return limiter.limit(
        lambda: current_app.config["BOOKING_LIMIT_PER_ADDRESS"],
        scope="booking",
        exempt_when=_booking_limit_off,
        **options,
    )


def _booking_limit_off():
    setting = current_app.config.get("BOOKING_LIMIT_PER_ADDRESS") or "off"
    return setting.strip().lower() == "off"
