from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from scheduler import clock
from scheduler.appointments import services
from scheduler.appointments.models import Appointment
from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.notifications import services as notifications
from scheduler.sites import services as sites
from scheduler.sites.models import Slot
from scheduler.worker import Job


def purge_idempotency_keys():
    """Forget Idempotency-Keys older than 24 hours."""
    return services.purge_idempotency_keys()


@transactional
def send_reminders():
    """Queue `appointment_reminder` for bookings that start tomorrow in their site's zone,
    from REMINDER_HOUR site-local time; each appointment and day at most once (a UNIQUE
    mark, so running twice or in two workers sends nothing twice). Returns how many."""
    now = clock.now()
    hour = int(current_app.config["REMINDER_HOUR"])
    # Tomorrow in any zone (UTC-12..+14) starts within this window.
    candidates = db.session.scalars(
        sa.select(Appointment)
        .join(Slot, Slot.id == Appointment.slot_id)
        .options(joinedload(Appointment.slot), joinedload(Appointment.site))
        .where(
            Appointment.status == "booked",
            Slot.starts_at > now,
            Slot.starts_at < now + timedelta(days=3),
        )
        .order_by(Appointment.id)
    ).all()
    queued = 0
    for appointment in candidates:
        site_now = sites.to_local(appointment.site, now)
        starts = sites.to_local(appointment.site, appointment.slot.starts_at)
        if site_now.hour < hour or starts.date() != site_now.date() + timedelta(days=1):
            continue
        key = f"appointment_reminder:{appointment.id}:{starts.date().isoformat()}"
        if notifications.mark_once(key):
            services.notify(appointment, "appointment_reminder")
            queued += 1
    return queued


def mark_no_shows():
    """Bookings nobody came for are no-shows once their site has closed (safe to repeat)."""
    return len(services.mark_no_shows_after_close())


JOBS = [
    Job("purge_idempotency_keys", purge_idempotency_keys, "interval", {"hours": 1}),
    Job("send_reminders", send_reminders, "interval", {"minutes": 30}),
    Job("mark_no_shows", mark_no_shows, "interval", {"minutes": 15}),
]
