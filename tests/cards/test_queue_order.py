"""One queue order (models.QUEUE_ORDER) everywhere the card queue is read: the queue
list, a card's place in it, who gets the next blanks and the day's print list."""

from datetime import date, timedelta
from operator import attrgetter

from scheduler.cards import services, stock
from scheduler.cards.allocation import Request, in_queue_order, queue_key
from scheduler.cards.models import QUEUE_ORDER
from scheduler.extensions import db
from tests.cards.conftest import deliver

MON = date(2026, 12, 7)


def _by_queue_order(cards):
    """The cards sorted by QUEUE_ORDER itself: one stable sort per column, last first."""
    for name, descending in reversed(QUEUE_ORDER):
        cards = sorted(cards, key=attrgetter(name), reverse=descending)
    return cards


def test_every_reading_of_the_queue_follows_the_one_order(office, record):
    stock.save_print_site(office.id, printers=1, operators=1, cards_per_printer=6)
    db.session.commit()
    cards = [record(name=f"Warga {i}")[1] for i in range(7)]
    # Recorded in the same moment: among equals the earlier row goes first...
    assert len({c.queued_at for c in cards[:6]}) == 1
    # ...but the recording time comes before the row: the last one was recorded earlier.
    cards[6].queued_at = cards[0].queued_at - timedelta(hours=1)
    db.session.commit()
    for card, priority in zip(cards, [0, 2, 1, 0, 2, 1, 0], strict=True):
        services.set_priority(card.code, priority)

    waiting = services.list_queue()
    expected = [cards[i] for i in (1, 4, 2, 5, 6, 0, 3)]
    assert [c.code for c in waiting] == [c.code for c in expected]
    assert [c.code for c in _by_queue_order(cards)] == [c.code for c in expected]
    # The place a resident is told is the place in the list.
    assert [services.queue_position(c) for c in waiting] == [1, 2, 3, 4, 5, 6, 7]
    assert [services.card_json(c)["queue_position"] for c in waiting] == [1, 2, 3, 4, 5, 6, 7]

    # The blanks go to the first in the queue, and the print list keeps their order.
    deliver(4)
    for c in waiting:
        db.session.refresh(c)
    assert [c.status for c in waiting] == ["scheduled"] * 4 + ["awaiting_stock"] * 3
    assert [c.code for c in services.print_queue(MON)] == [c.code for c in waiting[:4]]
    assert [services.queue_position(c) for c in waiting[4:]] == [1, 2, 3]
    assert [c.code for c in services.list_queue(status=["awaiting_stock"])] == [
        c.code for c in waiting[4:]
    ]


def test_the_allocator_sorts_requests_by_the_same_order():
    # Ties of priority and of recording time, given in no particular order.
    requests = [
        Request(id=i, priority=p, queued_key=float(t), eligible=0, print_site=1)
        for i, p, t in [(5, 0, 1), (3, 2, 1), (9, 0, 0), (1, 0, 1), (7, 2, 0), (2, 1, 1)]
    ]
    ordered = [(r.id, r.priority, r.queued_key) for r in in_queue_order(requests)]
    assert ordered == [(7, 2, 0.0), (3, 2, 1.0), (2, 1, 1.0), (9, 0, 0.0), (1, 0, 1.0), (5, 0, 1.0)]
    assert in_queue_order(requests) == sorted(requests, key=queue_key)
