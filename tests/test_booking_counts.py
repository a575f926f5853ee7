"""The booking limit counted in batches (extensions.BookingCounts): never a refusal under
the limit, at most batch - 1 attempts past it per process, one storage round trip per
batch; against Redis, several processes share the counter."""

import multiprocessing
import os
import time
import uuid

import pytest
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from scheduler.errors import RateLimited
from scheduler.extensions import BookingCounts

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
