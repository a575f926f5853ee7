"""Property tests of the pure allocator: stock never negative, capacity never exceeded,
nobody printed before they may hold a card, nobody overtaken, promises kept."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.cards.allocation import Request, plan, queue_key

HORIZON = 40
SITES = (1, 2)


def _supply_by(on_hand, deliveries, day):
    return on_hand + sum(q for a, q in deliveries if max(a, 1) <= day and a < HORIZON)


def check_plan(requests, result, *, on_hand, deliveries, capacity):
    days = result.days
    placed = [(r, days[r.id]) for r in requests if days[r.id] is not None]
    # Stock never negative: by every day, no more cards printed than blanks arrived.
    for t in range(HORIZON):
        printed_by = sum(1 for _, d in placed if d <= t)
        assert printed_by <= _supply_by(on_hand, deliveries, t), f"day {t}"
    # Capacity never exceeded; never printed before eligible.
    counts = {}
    for r, d in placed:
        counts[(r.print_site, d)] = counts.get((r.print_site, d), 0) + 1
        assert d >= r.eligible and 0 <= d < HORIZON
        assert r.print_site is not None
    for (site, d), n in counts.items():
        assert n <= capacity[site][d]
    # No eligible request overtaken by a later one of the same priority.
    ordered = sorted(requests, key=queue_key)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            db_ = days[b.id]
            if db_ is None or a.priority != b.priority or a.eligible > db_:
                continue
            if a.print_site == b.print_site:
                assert days[a.id] is not None and days[a.id] <= db_, (a, b, days)


capacity_st = st.fixed_dictionaries(
    {s: st.lists(st.integers(0, 3), min_size=HORIZON, max_size=HORIZON) for s in SITES}
)
deliveries_st = st.lists(st.tuples(st.integers(-3, HORIZON + 5), st.integers(0, 6)), max_size=3)


@st.composite
def requests_st(draw, start_id=1, start_time=0, max_size=25):
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        out.append(
            Request(
                id=start_id + i,
                priority=draw(st.integers(0, 2)),
                queued_key=float(start_time + draw(st.integers(0, 5))),
                eligible=draw(st.sampled_from([0, 0, 0, 3, 12, 50])),
                print_site=draw(st.sampled_from([1, 1, 2, None])),
            )
        )
    return out


def _again(requests, result):
    return [
        Request(r.id, r.priority, r.queued_key, r.eligible, r.print_site, result.days[r.id])
        for r in requests
    ]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    reqs=requests_st(),
    on_hand=st.integers(0, 20),
    deliveries=deliveries_st,
    capacity=capacity_st,
)
def test_a_fresh_plan_keeps_every_rule(reqs, on_hand, deliveries, capacity):
    kw = {"on_hand": on_hand, "deliveries": deliveries, "capacity": capacity, "horizon": HORIZON}
    result = plan(reqs, **kw)
    check_plan(reqs, result, **{k: kw[k] for k in ("on_hand", "deliveries", "capacity")})
    # Deterministic and idempotent: planning its own output changes nothing.
    assert plan(list(reversed(reqs)), **kw).days == result.days
    second = plan(_again(reqs, result), **kw)
    assert second.days == result.days and second.revoked == set()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=requests_st(max_size=15),
    later=requests_st(start_id=100, start_time=10, max_size=15),
    on_hand=st.integers(0, 15),
    deliveries=deliveries_st,
    capacity=capacity_st,
    lost=st.integers(0, 6),
    extra=st.integers(0, 10),
)
def test_later_runs_keep_promises_and_rules(
    first, later, on_hand, deliveries, capacity, lost, extra
):
    kw = {"deliveries": deliveries, "capacity": capacity, "horizon": HORIZON}
    result = plan(first, on_hand=on_hand, **kw)
    # New residents are recorded and a delivery may arrive: every promise is kept.
    nxt = _again(first, result) + later
    grown = plan(nxt, on_hand=on_hand + extra, **kw)
    check_plan(nxt, grown, on_hand=on_hand + extra, deliveries=deliveries, capacity=capacity)
    for r in first:
        if result.days[r.id] is not None:
            assert grown.days[r.id] == result.days[r.id]
    # Blanks are lost: only the latest promises move, and the rules still hold.
    after = _again(nxt, grown)
    shrunk_stock = max(0, on_hand + extra - lost)
    shrunk = plan(after, on_hand=shrunk_stock, **kw)
    check_plan(after, shrunk, on_hand=shrunk_stock, deliveries=deliveries, capacity=capacity)
    # An overdue promise (yesterday's list not printed) counts as today's.
    late = [
        Request(
            r.id,
            r.priority,
            r.queued_key,
            max(0, r.eligible - 1),
            r.print_site,
            None if r.promised is None else r.promised - 1,
        )
        for r in after
    ]
    check_plan(
        late,
        plan(late, on_hand=shrunk_stock, **kw),
        on_hand=shrunk_stock,
        deliveries=deliveries,
        capacity=capacity,
    )
    for r in after:
        if r.promised is not None and r.id not in shrunk.revoked:
            assert shrunk.days[r.id] == r.promised
