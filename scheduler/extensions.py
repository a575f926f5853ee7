"""Extension objects, created unbound; create_app binds them."""

import functools
import math
import time

from flask import current_app, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits import parse_many

from scheduler.db import Base
from scheduler.errors import RateLimited

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# Pages, CSS and JS go out compressed (zstd, brotli or gzip): residents pay for every byte.
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def booking_limit(methods=None):
    """The per-address limit on booking requests (BOOKING_LIMIT_PER_ADDRESS, never below
    600 a minute: a school's pupils share one address); `methods` limits only those.
    "off" leaves flood limits to the reverse proxy, and spares every booking attempt the
    limit storage's round trip.

    The counting is Flask-Limiter's own (its storage, strategy and keys: the address and
    "<endpoint>:booking", as `limiter.limit(scope="booking")` would count), without its
    per-request resolution of decorated limits, which cost a booking attempt more than
    the storage's round trip. A refusal is RateLimited (429, Retry-After)."""

    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if methods is None or request.method in methods:
                _count_booking_attempt()
            return view(*args, **kwargs)

        return limited

    return decorate


def _count_booking_attempt():
    items = _booking_limits(current_app.config.get("BOOKING_LIMIT_PER_ADDRESS") or "off")
    if not items:
        return
    key, scope = get_remote_address(), f"{request.endpoint}:booking"
    for item in items:
        if not limiter.limiter.hit(item, key, scope):
            reset = limiter.limiter.get_window_stats(item, key, scope).reset_time
            raise RateLimited(retry_after=max(1, math.ceil(reset - time.time())))


@functools.lru_cache(maxsize=8)
def _booking_limits(setting):
    if setting.strip().lower() == "off":
        return ()
    return tuple(parse_many(setting))


def skip_limiter_before_request(app):
    """Every limit here is a route decorator, which checks itself. The before-request pass
    that Flask-Limiter adds for default and application limits (there are none) would
    only cost every request a resolution of limits that finds nothing."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits:
        return  # someone added such limits: they need the pass
    app.before_request_funcs[None].remove(limiter._check_request_limit)
