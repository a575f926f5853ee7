"""The sites' gauge for /metrics: how full the coming slots are."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from scheduler import clock, metrics
from scheduler.extensions import db
from scheduler.sites.models import Site, Slot


@metrics.gauge(
    "antre_slot_fill_ratio",
    "Booked seats over seats in each active site's public slots from now to the end of "
    "the booking window (0 to 1).",
    labels=("site_id", "site"),
)
def slot_fill_ratio():
    now = clock.now()
    until = now + timedelta(days=int(current_app.config["BOOKING_WINDOW_DAYS"]))
    rows = db.session.execute(
        sa.select(Site.id, Site.name, sa.func.sum(Slot.booked_count), sa.func.sum(Slot.capacity))
        .join(Slot, Slot.site_id == Site.id)
        .where(Site.active, Slot.is_public, Slot.starts_at >= now, Slot.starts_at < until)
        .group_by(Site.id, Site.name)
    ).all()
    return {
        (site_id, name): (booked / seats if seats else 0.0) for site_id, name, booked, seats in rows
    }
