"""Property test through the services and the database (SQLite, or PostgreSQL with
DATABASE_URL): whatever residents, deliveries, spoilage, printing and days passing do,
stock is never negative, capacity is never exceeded, no card is printed before its
holder is 17 (or married), and no eligible card is overtaken by a later one."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.cards import ledger, services, stock
from scheduler.cards.models import (
    CardRequest,
    ExpectedDelivery,
    RecordingCertificate,
    SpoilageRecord,
    StockCounter,
    StockEntry,
)
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from scheduler.sites import services as sites
from tests.conftest import FROZEN_NOW

CAPACITY = 2

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            st.sampled_from(["adult", "adult", "teen", "married"]),
            st.integers(1, 30),
        ),
        st.tuples(st.just("deliver"), st.integers(1, 4), st.just(0)),
        st.tuples(st.just("expect"), st.integers(1, 4), st.integers(0, 10)),
        st.tuples(st.just("spoil"), st.integers(1, 3), st.just(0)),
        st.tuples(st.just("print"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("day"), st.integers(1, 3), st.just(0)),
        st.tuples(st.just("urgent"), st.integers(0, 5), st.just(0)),
    ),
    min_size=1,
    max_size=10,
)


def _clean():
    for model in (
        OutboxMessage,
        RecordingCertificate,
        StockEntry,
        SpoilageRecord,
        CardRequest,
        ExpectedDelivery,
        StockCounter,
        Appointment,
    ):
        db.session.execute(sa.delete(model))
    db.session.commit()


def _check(today):
    on_hand = ledger.on_hand()
    total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockEntry.delta), 0)))
    assert on_hand == total >= 0
    assert db.session.scalar(sa.select(sa.func.min(StockEntry.balance))) in (None, 0) or (
        db.session.scalar(sa.select(sa.func.min(StockEntry.balance))) >= 0
    )
    cards = db.session.scalars(sa.select(CardRequest)).all()
    scheduled = [c for c in cards if c.status == "scheduled"]
    per_day = {}
    for c in scheduled:
        assert c.print_on >= today
        assert c.eligible_on is None or c.print_on >= c.eligible_on
        per_day[c.print_on] = per_day.get(c.print_on, 0) + 1
    for c in cards:
        if c.printed_at is not None and c.eligible_on is not None:
            assert c.printed_at.astimezone(sites.zone("Asia/Jakarta")).date() >= c.eligible_on
    for _day, n in per_day.items():
        assert n <= CAPACITY
    arrivals = db.session.execute(
        sa.select(ExpectedDelivery.expected_on, ExpectedDelivery.quantity).where(
            ExpectedDelivery.closed_at.is_(None)
        )
    ).all()
    for day in sorted(per_day):
        printed_by = sum(n for d, n in per_day.items() if d <= day)
        came = sum(
            q for on, q in arrivals if max(on + timedelta(days=1), today + timedelta(days=1)) <= day
        )
        assert printed_by <= on_hand + came
    waiting = sorted(
        (c for c in cards if c.status in ("awaiting_stock", "scheduled")),
        key=lambda c: (-c.priority, c.queued_at, c.id),
    )
    for i, a in enumerate(waiting):
        for b in waiting[i + 1 :]:
            if b.status != "scheduled" or a.priority != b.priority:
                continue
            if (a.eligible_on or today) <= b.print_on:
                assert a.status == "scheduled" and a.print_on <= b.print_on, (a.code, b.code)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_any_sequence_keeps_the_rules(ctx, office, record, steps):
    _clean()
    clock.freeze(FROZEN_NOW)
    now = FROZEN_NOW
    for kind, a, b in steps:
        today = services.today()
        if kind == "record":
            if a == "teen":
                birth = date(today.year - 17, today.month, today.day) + timedelta(days=b)
                record(birth_date=birth)
            else:
                record(birth_date=date(1990, 1, b), married=(a == "married"))
        elif kind == "deliver":
            stock.receive_delivery(a, today)
        elif kind == "expect":
            stock.add_expected(a, today + timedelta(days=b))
        elif kind == "spoil":
            try:
                stock.record_spoilage(a, "rusak")
            except InvalidState:
                db.session.rollback()
        elif kind == "print":
            queue = services.print_queue(today)
            if len(queue) > a:
                services.mark_printed(queue[a].code, misprints=a % 2 if ledger.on_hand() > 2 else 0)
        elif kind == "day":
            now += timedelta(days=a)
            clock.freeze(now)
            services.allocate_cards()
        elif kind == "urgent":
            waiting = services.list_queue()
            if len(waiting) > a:
                services.set_priority(waiting[a].code, 2, "rumah sakit")
        db.session.commit()
        _check(services.today())
    # Idempotent: another run with nothing new changes nothing.
    assert services.allocate_cards()["changed"] == 0
    clock.freeze(datetime(2026, 12, 7, 1, tzinfo=UTC))
