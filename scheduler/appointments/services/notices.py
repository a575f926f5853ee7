"""What an appointment tells the resident (messages) and how its card is described."""

from scheduler.appointments.services.tokens import appointment_link
from scheduler.notifications import services as notifications
from scheduler.sites import services as sites

_card_provider = None


def register_card_provider(fn):
    """The cards feature tells appointments how to describe an appointment's card."""
    global _card_provider
    _card_provider = fn


def card_summary(appointment, *, booked_now=False):
    """The card part of an appointment's answer (status, print and pickup dates, queue). `booked_now`: the appointment was created in
    this request's transaction, so no card request can point at it (saves the look-up)."""
    if _card_provider is not None and not booked_now:
        return _card_provider(appointment)
    return {
        "status": "not_recorded",
        "print_on": None,
        "pickup_from": None,
        "pickup_site": None,
        "queue_position": None,
    }


def notify(appointment, event, **extra):
    """Queue a message about an appointment, in the caller's transaction (the outbox)."""
    event, message = message_about(appointment, event, **extra)
    notifications.enqueue(event, **message)


def message_about(appointment, event, **extra):
    """(event, enqueue's keywords) of a message about an appointment (or a record with
    the same attributes, its slot and site included)."""
    site, slot = appointment.site, appointment.slot
    starts = sites.to_local(site, slot.starts_at)
    return event, {
        "name": appointment.name,
        "phone": appointment.phone,
        "email": appointment.email,
        "locale": appointment.locale,
        "reference": appointment.code,
        "nik_masked": appointment.nik_masked,
        "context": {
            "code": appointment.code,
            "site": site.name,
            "address": site.address,
            "starts_at": starts.isoformat(),
            "link": appointment_link(appointment),
            **extra,
        },
    }
