"""The booking limit (scheduler/booking_limit.py): counted in batches (BookingCounts),
never a refusal under the limit, at most batch - 1 attempts past it per process, one
storage round trip per batch; against Redis, several processes share the counter; "off"
is the twin that counts nothing."""

import multiprocessing
import os
import time
import uuid

import pytest
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from scheduler.booking_limit import BookingCounts, BookingLimit, NoBookingLimit, limit_for
from scheduler.errors import RateLimited

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class CountingStrategy(FixedWindowRateLimiter):
    def __init__(self, storage):
        super().__init__(storage)
        self.hits = 0

    def hit(self, item, *identifiers, cost=1):
        self.hits += 1
        return super().hit(item, *identifiers, cost=cost)


def attempts_until_refused(counts, item, key, limit_of_attempts):
    """How many attempts passed before the first refusal (None: none refused)."""
    for n in range(limit_of_attempts):
        try:
            counts.count(item, key, "book:booking")
        except RateLimited:
            return n
    return None


@pytest.mark.parametrize(
    ("setting", "batch"),
    [("3 per minute", 1), ("149 per minute", 1), ("600 per minute", 8), ("5000 per hour", 8)],
)
def test_batches_grow_with_the_limit_and_small_limits_are_exact(setting, batch):
    assert BookingCounts.batch_size(parse(setting)) == batch


def test_no_attempt_under_the_limit_is_refused_and_the_limit_holds_within_a_batch():
    strategy = CountingStrategy(MemoryStorage())
    counts, item = BookingCounts(strategy), parse("600 per minute")
    passed = attempts_until_refused(counts, item, "10.0.0.1", 700)
    assert 600 <= passed < 600 + BookingCounts.batch_size(item)
    assert strategy.hits == passed // 8 + 1  # one round trip per batch of 8


def test_a_refused_address_is_refused_until_the_reset_without_asking_the_storage():
    strategy, now = CountingStrategy(MemoryStorage()), [time.time()]
    counts = BookingCounts(strategy, clock=lambda: now[0])
    item = parse("8 per minute")  # a batch of 1
    assert attempts_until_refused(counts, item, "10.0.0.2", 20) == 8
    asked = strategy.hits
    with pytest.raises(RateLimited) as refused:
        counts.count(item, "10.0.0.2", "book:booking")
    assert 1 <= refused.value.retry_after <= 61  # the window, rounded up
    assert strategy.hits == asked
    # Another address is not refused.
    counts.count(item, "10.0.0.3", "book:booking")
    # After the refusal's end the storage decides again (its own window, by the real
    # clock, has not ended: still over).
    now[0] += 61
    with pytest.raises(RateLimited):
        counts.count(item, "10.0.0.2", "book:booking")
    assert strategy.hits == asked + 2


def test_two_processes_sharing_a_counter_overshoot_at_most_a_batch_each():
    storage = MemoryStorage()
    first, second = (
        BookingCounts(FixedWindowRateLimiter(storage)),
        BookingCounts(FixedWindowRateLimiter(storage)),
    )
    item, passed = parse("600 per minute"), 0
    for n in range(800):
        try:
            (first if n % 2 else second).count(item, "10.0.0.4", "book:booking")
            passed += 1
        except RateLimited:
            pass
    assert 600 <= passed <= 600 + 2 * (BookingCounts.batch_size(item) - 1)


def test_a_new_window_drops_unsent_attempts():
    strategy, now = CountingStrategy(MemoryStorage()), [1_800_000_000.0]
    counts, item = BookingCounts(strategy, clock=lambda: now[0]), parse("600 per minute")
    for _ in range(7):
        counts.count(item, "10.0.0.5", "book:booking")
    now[0] += 60
    for _ in range(7):
        counts.count(item, "10.0.0.5", "book:booking")
    assert strategy.hits == 0  # the first window's 7 were dropped, not added to the next


def _burst_in_a_process(url, scope, attempts, results):
    strategy = FixedWindowRateLimiter(storage_from_string(url))
    counts, item, passed = BookingCounts(strategy), parse("600 per minute"), 0
    for _ in range(attempts):
        try:
            counts.count(item, "10.0.0.6", scope)
            passed += 1
        except RateLimited:
            pass
    results.put(passed)


def test_processes_share_the_count_in_redis():
    """Four processes, 250 attempts each from one address, counted in Redis: at least
    the limit passes, and at most a batch - 1 more per process."""
    storage = storage_from_string(REDIS_URL)
    try:
        if not storage.check():
            raise ConnectionError
    except Exception:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    scope = f"test-{uuid.uuid4().hex}:booking"
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_burst_in_a_process, args=(REDIS_URL, scope, 250, results))
        for _ in range(4)
    ]
    for w in workers:
        w.start()
    passed = sum(results.get(timeout=60) for _ in workers)
    for w in workers:
        w.join(timeout=10)
    assert 600 <= passed <= 600 + 4 * (BookingCounts.batch_size(parse("600 per minute")) - 1)


def test_an_unreachable_storage_lets_bookings_through_and_warns_once(caplog):
    """Nothing listens on port 1: every batch's round trip fails. The limit is a flood
    guard, so the attempts go on; one warning, not one per attempt."""
    storage = storage_from_string("redis://127.0.0.1:1/0", wrap_exceptions=True)
    strategy = FixedWindowRateLimiter(storage)
    counts, item = BookingCounts(strategy), parse("8 per minute")  # every attempt asks
    with caplog.at_level("WARNING", logger="scheduler.extensions"):
        for _ in range(20):
            counts.count(item, "10.0.0.7", "book:booking")
    warnings = [r for r in caplog.records if "booking limit not counted" in r.getMessage()]
    assert len(warnings) == 1


def test_the_apps_limit_storage_reports_failures_as_storage_errors(app):
    from scheduler.extensions import limiter

    assert limiter.storage.wrap_exceptions


def _storage_down(*_args, **_kwargs):
    raise StorageError(ConnectionError("Redis is down"))


def test_with_the_limit_storage_down_a_booking_goes_on_and_a_lookup_answers_503(
    client, app, monkeypatch
):
    from scheduler.extensions import limiter
    from tests.factories import booking_body, make_slot

    monkeypatch.setitem(app.config, "BOOKING_LIMIT_PER_ADDRESS", "3 per minute")  # exact
    # Every call to the storage fails, as with Redis down (wrap_exceptions: StorageError).
    for method in ("incr", "get", "get_expiry", "clear"):
        monkeypatch.setattr(limiter.storage, method, _storage_down)
    slot = make_slot(capacity=5)
    booked = client.post("/api/v1/appointments", json=booking_body(slot))
    assert booked.status_code == 201, booked.get_json()
    code = booked.get_json()["appointment"]["code"]
    looked_up = client.post(f"/api/v1/appointments/{code}/lookup", json={"nik": "1"})
    assert looked_up.status_code == 503
    assert looked_up.get_json()["error"]["code"] == "unavailable"
    assert looked_up.headers["Retry-After"] == "30"


def test_the_unsent_attempts_of_ended_windows_are_forgotten(monkeypatch):
    """Past MAX_TRACKED addresses, a clean-up drops what belongs to ended windows, each
    limit by its own window (a day's count survives a minute's end)."""
    monkeypatch.setattr(BookingCounts, "MAX_TRACKED", 10)
    now = [1_800_000_000.0]  # a minute starts here; the day ends 16 hours later
    counts = BookingCounts(CountingStrategy(MemoryStorage()), clock=lambda: now[0])
    minute, day = parse("600 per minute"), parse("60000 per day")
    for n in range(5):
        counts.count(minute, f"10.1.0.{n}", "book:booking")
        counts.count(day, f"10.1.0.{n}", "book:booking")
    now[0] += 61  # the minute has ended, the day has not
    counts.count(minute, "10.1.0.9", "book:booking")
    assert set(counts._pending) == {(day, f"10.1.0.{n}") for n in range(5)} | {(minute, "10.1.0.9")}


def test_the_setting_picks_the_limit_or_its_twin_that_counts_nothing(app):
    assert isinstance(limit_for("off"), NoBookingLimit)
    assert isinstance(limit_for(" OFF "), NoBookingLimit)
    limit = limit_for("600 per minute; 20000 per day")
    assert isinstance(limit, BookingLimit)
    assert [(i.amount, i.GRANULARITY.name) for i in limit.items] == [
        (600, "minute"),
        (20000, "day"),
    ]
    with app.test_request_context("/api/v1/appointments", method="POST"):
        for _ in range(10):
            limit_for("off").count_attempt("appointments_api.book")  # never refuses
