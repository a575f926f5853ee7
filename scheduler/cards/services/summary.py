"""A card as its holder sees it (docs/api.md's `C`), its queue position and the messages
about it."""

import sqlalchemy as sa
from flask import current_app

from scheduler.appointments import services as appointments
from scheduler.cards.models import (
    CardRequest,
    ahead_in_queue,
)
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.sites import services as sites

NOT_RECORDED = {
    "status": "not_recorded",
    "print_on": None,
    "pickup_from": None,
    "pickup_site": None,
    "queue_position": None,
}


def _cfg(key):
    return current_app.config[key]


def today():
    """Today in the regency's zone: print dates and pickup dates are local dates."""
    return sites.local_today()


def _notify(card, event, **extra):
    site = card.pickup_site
    context = {
        "code": card.code,
        "status": card_json(card)["status"],
        "print_on": card.print_on.isoformat() if card.print_on else None,
        "pickup_from": card.pickup_from.isoformat() if card.pickup_from else None,
        "pickup_site": site.name,
        "pickup_address": site.address,
        **extra,
    }
    if card.status == "awaiting_stock":
        context["queue_position"] = queue_position(card)
    if card.appointment is not None:  # the resident's own status page
        context["link"] = appointments.appointment_link(card.appointment)
    notifications.enqueue(
        event,
        name=card.name,
        phone=card.phone,
        email=card.email,
        locale=card.locale,
        reference=card.code,
        nik_masked=card.nik_masked,
        context=context,
    )


def queue_position(card):
    """1 for the next card a blank will go to, among those waiting for stock."""
    return 1 + db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CardRequest)
        .where(CardRequest.status == "awaiting_stock", ahead_in_queue(card))
    )


# ---------------------------------------------------------------------- the summary


def card_json(card):
    """Card `C` of docs/api.md."""
    if card is None or card.status == "cancelled":
        return dict(NOT_RECORDED)
    status = card.status
    if status == "printed":
        status = "ready" if today() >= card.pickup_from else "scheduled"
    return {
        "status": status,
        "print_on": card.print_on.isoformat() if card.print_on else None,
        "pickup_from": card.pickup_from.isoformat() if card.pickup_from else None,
        "pickup_site": {"id": card.pickup_site.id, "name": card.pickup_site.name},
        "queue_position": queue_position(card) if status == "awaiting_stock" else None,
    }


def card_for_appointment(appointment):
    return db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )


def card_summary(appointment):
    """The card of an appointment as docs/api.md's `C` (registered with appointments)."""
    if appointment.id is None:
        return dict(NOT_RECORDED)
    return card_json(card_for_appointment(appointment))
