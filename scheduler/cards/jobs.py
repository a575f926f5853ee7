from scheduler.cards import services
from scheduler.worker import Job


def allocate_cards():
    """Re-plan print dates: a new day's capacity, late deliveries, cards printed early."""
    return services.allocate_cards()


def send_card_messages():
    """Tell residents their card is ready; remind them after 14 and 30 days uncollected."""
    return services.send_card_messages()


JOBS = [
    Job("allocate_cards", allocate_cards, "interval", {"minutes": 30}),
    Job("send_card_messages", send_card_messages, "interval", {"hours": 1}),
]
