"""Print and pickup dates (cards/services/planning.py): capacity, working days, the
birthday, announced deliveries, spoilage, priority.

The clock stands at Monday 2026-12-07 08:00 WIB; the test office works Monday to Friday
and prints 2 cards a day.
"""

from datetime import date, timedelta

import pytest

from scheduler.cards import services, stock
from scheduler.errors import InvalidState
from scheduler.extensions import db
from tests.cards.conftest import MON, deliver, events


def test_daily_capacity_and_working_days(record):
    deliver(20)
    cards = [record()[1] for _ in range(5)]
    assert [c.print_on for c in cards] == [
        MON,
        MON,
        MON + timedelta(days=1),
        MON + timedelta(days=1),
        MON + timedelta(days=2),
    ]
    # Printed on Friday: collected on Monday, the next working day.
    assert services.allocate_cards()["changed"] == 0  # idempotent
    friday = [record()[1] for _ in range(5)][-1]
    assert friday.print_on == date(2026, 12, 11)
    assert friday.pickup_from == date(2026, 12, 14)


def test_a_sixteen_year_old_waits_for_the_birthday_even_with_stock(record):
    deliver(5)
    birth = date(2009, 12, 20)  # 17 on Sunday 2026-12-20
    appointment, card = record(birth_date=birth)
    assert card.status == "scheduled"
    assert card.print_on == date(2026, 12, 21)  # the next working day
    assert card.eligible_on == date(2026, 12, 20)
    with pytest.raises(InvalidState):
        services.mark_printed(card.code)
    # A married 16-year-old may hold a card at once.
    _, married = record(birth_date=date(2010, 1, 3), married=True)
    assert married.print_on == MON


def test_an_announced_delivery_gives_honest_later_dates(record):
    _, card = record()
    assert card.status == "awaiting_stock"
    expected = stock.add_expected(1, date(2026, 12, 14))
    db.session.refresh(card)
    assert card.status == "scheduled"
    assert card.print_on == date(2026, 12, 15)  # the day after it is due
    _, second = record()
    assert second.status == "awaiting_stock"
    assert services.card_json(second)["queue_position"] == 1
    # The delivery will not come: the promise is withdrawn and the resident told.
    stock.cancel_expected(expected.id)
    db.session.refresh(card)
    assert card.status == "awaiting_stock"
    assert events(card.code) == ["card_scheduled", "card_date_moved"]


def test_spoilage_moves_the_latest_promise_first(record):
    deliver(3)
    cards = [record()[1] for _ in range(3)]
    record_, entry = stock.record_spoilage(1, "Blangko tergores saat dibuka")
    assert entry.balance == 2 and record_.number.startswith("001/BA-BLANGKO/XII/2026")
    for c in cards:
        db.session.refresh(c)
    assert [c.status for c in cards] == ["scheduled", "scheduled", "awaiting_stock"]
    assert events(cards[2].code) == ["card_scheduled", "card_date_moved"]
    assert events(cards[0].code) == ["card_scheduled"]


def test_priority_gets_the_next_blank(record):
    cards = [record()[1] for _ in range(3)]
    services.set_priority(cards[2].code, 2, "Rawat inap di RSUD")
    deliver(1)
    for c in cards:
        db.session.refresh(c)
    assert [c.status for c in cards] == ["awaiting_stock", "awaiting_stock", "scheduled"]
    assert services.queue_position(cards[0]) == 1
