"""The print queue: a card by code, its priority, the queue and the day's print list."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler.appointments import services as appointments
from scheduler.cards import ledger
from scheduler.cards.models import (
    UNPRINTED_STATUSES,
    CardRequest,
    queue_order,
)
from scheduler.cards.services.planning import allocate_cards
from scheduler.cards.services.summary import today
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound
from scheduler.extensions import db


def _visible(query, site_ids):
    if site_ids is None:
        return query
    ids = list(site_ids)
    return query.where(
        sa.or_(
            CardRequest.print_site_id.in_(ids),
            CardRequest.pickup_site_id.in_(ids),
            CardRequest.recorded_site_id.in_(ids),
        )
    )


def get_card(code, site_ids=None):
    """A card request by its code, among those the user's sites handle; raises NotFound."""
    card = db.session.scalar(
        _visible(
            sa.select(CardRequest).where(CardRequest.code == appointments.normalize_code(code)),
            site_ids,
        )
    )
    if card is None:
        raise NotFound(_l("Tidak ada KTP-el dalam proses dengan kode ini."))
    return card


@transactional
def set_priority(code, priority, reason=""):
    """Set a waiting card's priority (0 normal, 1 elderly/exams, 2 hospital/urgent) and
    re-plan. Raises NotFound, InvalidState (already printed)."""
    ledger.lock_counter()
    card = get_card(code)
    if card.status not in UNPRINTED_STATUSES:
        raise InvalidState(_l("Kartu ini sudah dicetak."))
    card.priority = priority
    card.priority_reason = reason or ""
    db.session.flush()
    allocate_cards()
    db.session.refresh(card)
    return card


def list_queue(status=None, site_ids=None, limit=200):
    """Unprinted cards in queue order (models.QUEUE_ORDER)."""
    query = sa.select(CardRequest).where(CardRequest.status.in_(status or UNPRINTED_STATUSES))
    query = _visible(query, site_ids).order_by(*queue_order())
    return db.session.scalars(query.limit(limit)).all()


# -------------------------------------------------------------------------- printing


def print_queue(on, site_ids=None):
    """The cards to print on a day (and those overdue from earlier days, on today's list)."""
    cond = CardRequest.print_on == on if on != today() else CardRequest.print_on <= on
    query = sa.select(CardRequest).where(CardRequest.status == "scheduled", cond)
    if site_ids is not None:
        query = query.where(CardRequest.print_site_id.in_(list(site_ids)))
    query = query.order_by(CardRequest.print_on, *queue_order())
    return db.session.scalars(query).all()
