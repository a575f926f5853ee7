"""The per-address limit on booking attempts (BOOKING_LIMIT_PER_ADDRESS).

`booking_limit()` decorates the booking views. The setting picks one of two twins with
one interface, `count_attempt(endpoint)`: `BookingLimit` counts the attempt (in batches,
`BookingCounts`) and raises RateLimited over the limit; `NoBookingLimit` ("off": a
reverse proxy limits floods) counts nothing and costs no storage round trip.
"""

import functools
import logging
import math
import threading
import time

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.errors import StorageError

from scheduler.errors import RateLimited
from scheduler.extensions import limiter

log = logging.getLogger(__name__)


def booking_limit(methods=None):
    """The per-address limit on booking requests (BOOKING_LIMIT_PER_ADDRESS, never below
    600 a minute: a school's pupils share one address); `methods` limits only those.

    The counting is Flask-Limiter's own (its storage, strategy and keys: the address and
    "<endpoint>:booking", as `limiter.limit(scope="booking")` would count), without its
    per-request resolution of decorated limits, and in batches (`BookingCounts`). A
    refusal is RateLimited (429, Retry-After)."""

    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            if methods is None or request.method in methods:
                limit_for(
                    current_app.config.get("BOOKING_LIMIT_PER_ADDRESS") or "off"
                ).count_attempt(request.endpoint)
            return view(*args, **kwargs)

        return limited

    return decorate


class BookingLimit:
    """Booking attempts counted against the limits of one setting."""

    def __init__(self, items, counts):
        self.items = items
        self._counts = counts

    def count_attempt(self, endpoint):
        """Count one attempt from this request's address; raises RateLimited."""
        key, scope = get_remote_address(), f"{endpoint}:booking"
        for item in self.items:
            self._counts.count(item, key, scope)


class NoBookingLimit:
    """The limit turned off: no attempt is counted, none refused."""

    items = ()

    def count_attempt(self, endpoint):
        """Count nothing."""


@functools.lru_cache(maxsize=8)
def limit_for(setting):
    """The BookingLimit of a setting ("600 per minute; 20000 per day"), or NoBookingLimit
    for "off"."""
    if setting.strip().lower() == "off":
        return NoBookingLimit()
    return BookingLimit(tuple(parse_many(setting)), booking_counts)


class BookingCounts:
    """This process's booking attempts per address, added to the shared counter (Redis
    when REDIS_URL is set) a batch at a time.

    The booking limit is a flood guard with a floor (never below 600 a minute),
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
