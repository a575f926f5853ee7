"""The blank-card stock's gauges for /metrics."""

from scheduler import metrics
from scheduler.cards import stock


@metrics.gauge(
    "antre_stock_days_of_cover",
    "Days the free blank-card stock lasts at the recent daily usage (no sample while "
    "no card was used in CARD_USAGE_WINDOW_DAYS).",
)
def days_of_cover():
    return stock.stock_summary()["days_of_cover"]


@metrics.gauge(
    "antre_stock_blanks",
    "Blank cards: on_hand in stock, reserved for scheduled cards, awaiting (recorded "
    "cards no blank covers yet).",
    labels=("state",),
)
def blanks():
    summary = stock.stock_summary()
    return {(state,): summary[state] for state in ("on_hand", "reserved", "awaiting")}
