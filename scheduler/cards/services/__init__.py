"""The cards feature's public interface: other features and the views call only what is
named here. Other features use on_recorded(appointment) and card_summary(appointment); the
stock ledger lives in ledger.py and stock.py, the allocator itself in allocation.py.

- `summary`: a card as its holder sees it (docs/api.md's `C`), its queue position, its messages
- `planning`: the card age, print and pickup sites, allocate_cards()
- `requests`: the card request made when a recording is done, and replacements
- `queue`: finding a card, its priority and the print queue
- `handover`: printing and handing over, cards not yet collected and their reminders
"""

from scheduler.cards.services.handover import (
    find_card,
    hand_over,
    mark_printed,
    send_card_messages,
    uncollected,
)
from scheduler.cards.services.planning import (
    CARD_AGE,
    allocate_cards,
    eligible_on,
    pickup_site_for,
    print_route,
)
from scheduler.cards.services.queue import (
    get_card,
    list_queue,
    print_queue,
    set_priority,
)
from scheduler.cards.services.requests import (
    on_recorded,
    request_replacement,
    withdraw_card,
)
from scheduler.cards.services.summary import (
    NOT_RECORDED,
    card_for_appointment,
    card_json,
    card_summary,
    queue_position,
    today,
)

__all__ = [
    "CARD_AGE",
    "NOT_RECORDED",
    "allocate_cards",
    "card_for_appointment",
    "card_json",
    "card_summary",
    "eligible_on",
    "find_card",
    "get_card",
    "hand_over",
    "list_queue",
    "mark_printed",
    "on_recorded",
    "pickup_site_for",
    "print_queue",
    "print_route",
    "queue_position",
    "request_replacement",
    "send_card_messages",
    "set_priority",
    "today",
    "uncollected",
    "withdraw_card",
]
