"""Extension objects, created unbound; create_app binds them."""

import functools
import logging
import math
import threading
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
from limits.errors import StorageError

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
log = logging.getLogger(__name__)


def booking_limit(methods=None):
    """The per-address limit on booking requests (BOOKING_LIMIT_PER_ADDRESS, never below
    600 a minute: a school's pupils share one address); `methods` limits only those.
    "off" leaves flood limits to the reverse proxy, and spares every booking attempt the
    limit storage's round trip.

    The counting is Flask-Limiter's own (its storage, strategy and keys: the address and
    "<endpoint>:booking", as `limiter.limit(scope="booking")` would count), without its
    per-request resolution of decorated limits, and in batches (`BookingCounts`). A
    refusal is RateLimited (429, Retry-After)."""

    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if methods is None or request.method in methods:
                _count_booking_attempt()
            return view(*args, **kwargs)

        return limited

    return decorate


class BookingCounts:
    """This process's booking attempts per address, added to the shared counter (Redis
    when REDIS_URL is set) a batch at a time.

    The booking limit is a flood guard with a floor (API.md: never below 600 a minute),
    not a quota, so it need not be exact upwards: an attempt never waits for a round trip
    to the storage unless its batch is complete. A limit of `amount` a window is counted
    in batches of amount // 75 attempts (at most 8; a limit under 150 is counted one by
    one, exactly), so every process lets at most batch - 1 attempts past the limit before
    it learns, and no attempt under the limit is ever refused. Once the storage refuses a
    batch, this process refuses the address until the window's reset without asking
    again. A window's unsent attempts are dropped when it ends."""

    MAX_BATCH = 8
    PER_BATCH_STEP = 75
    MAX_TRACKED = 4096  # addresses and limits with unsent attempts before a clean-up

    def __init__(self, strategy=None, clock=time.time):
        self._strategy = strategy  # None: the app's limiter's (its storage)
        self._clock = clock
        self._lock = threading.Lock()
        self._pending = {}  # (limit, address) -> [window number, attempts not yet sent]
        self._refused = {}  # (limit, address) -> the end of the refusal, epoch seconds
        self._warned_at = float("-inf")

    @classmethod
    def batch_size(cls, item):
        return max(1, min(cls.MAX_BATCH, item.amount // cls.PER_BATCH_STEP))

    def reset(self):
        with self._lock:
            self._pending.clear()
            self._refused.clear()

    def count(self, item, key, scope):
        """Count one attempt; raises RateLimited when the address is over the limit."""
        now = self._clock()
        window = int(now // item.get_expiry())
        slot = (item, key)
        with self._lock:
            until = self._refused.get(slot)
            if until is not None:
                if now < until:
                    raise RateLimited(retry_after=max(1, math.ceil(until - now)))
                del self._refused[slot]
            entry = self._pending.get(slot)
            if entry is None or entry[0] != window:
                if len(self._pending) >= self.MAX_TRACKED:
                    self._forget_old(now)
                entry = self._pending[slot] = [window, 0]
            entry[1] += 1
            if entry[1] < self.batch_size(item):
                return
            cost, entry[1] = entry[1], 0
        strategy = self._strategy or limiter.limiter
        try:
            if strategy.hit(item, key, scope, cost=cost):
                return
        except StorageError as exc:
            # Redis unreachable: the limit only guards against floods, and the database
            # still enforces every booking rule, so the attempt goes on (a look-up, whose
            # limit stops NIK guessing, answers 503 instead: errors.py).
            self._warn_storage_down(exc)
            return
        until = strategy.get_window_stats(item, key, scope).reset_time
        with self._lock:
            self._refused[slot] = until
        raise RateLimited(retry_after=max(1, math.ceil(until - self._clock())))

    def _warn_storage_down(self, exc):
        now = self._clock()
        if now - self._warned_at >= 60:  # once a minute, not once an attempt
            self._warned_at = now
            log.warning("booking limit not counted, its storage failed: %s", exc)

    def _forget_old(self, now):
        # Unsent attempts of a window that has ended (each limit has its own windows),
        # and refusals that have run out.
        self._pending = {
            (item, key): entry
            for (item, key), entry in self._pending.items()
            if entry[0] == int(now // item.get_expiry())
        }
        self._refused = {k: v for k, v in self._refused.items() if v > now}


booking_counts = BookingCounts()


def _count_booking_attempt():
    items = _booking_limits(current_app.config.get("BOOKING_LIMIT_PER_ADDRESS") or "off")
    if not items:
        return
    key, scope = get_remote_address(), f"{request.endpoint}:booking"
    for item in items:
        booking_counts.count(item, key, scope)


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
