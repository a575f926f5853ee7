"""Retention: personal data is kept only as long as its purpose needs (UU PDP art. 16).

| what | removed | setting |
| --- | --- | --- |
| a cancelled, missed or failed booking | days after it ended | PERSONAL_DATA_RETENTION_DAYS |
| an outreach roster's unrecorded participant | days after the session | OUTREACH_ROSTER_RETENTION_DAYS |
| a collected card's holder data and its recording's phone and email | days after pickup | CARD_PICKUP_RETENTION_DAYS |
| audit entries | days after they were written | AUDIT_RETENTION_DAYS |
| a home visit done or declined (the person, address, contact) | days after its result or request | PERSONAL_DATA_RETENTION_DAYS |

The purge works in batches, each its own transaction, and picks only rows not yet
scrubbed: it is safe to run twice, in two workers, or to stop halfway.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import ENDED_STATUSES, Appointment
from scheduler.cards.models import CardRequest
from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.outreach.models import CLOSED_VISIT_STATUSES, HomeVisit
from scheduler.privacy import scrub
from scheduler.sites.models import Slot
from scheduler.staff.models import AuditEntry, audit_entry_appointments

log = logging.getLogger(__name__)
BATCH = 500


def _days(config, key):
    return timedelta(days=int(config[key]))


def kept_until(appointment, config):
    """{"personal_data_until": ISO date or None, "rule"}: when the purge removes this
    booking's personal data, and why then (None: kept while it is needed)."""
    if appointment.erased_at is not None:
        return {"personal_data_until": None, "rule": "erased"}
    if appointment.is_ended:
        until = appointment.status_changed_at + _days(config, "PERSONAL_DATA_RETENTION_DAYS")
        if appointment.channel == "roster":
            roster = appointment.slot.ends_at + _days(config, "OUTREACH_ROSTER_RETENTION_DAYS")
            until = min(until, max(roster, appointment.status_changed_at))
        return {"personal_data_until": until.date().isoformat(), "rule": "ended_booking"}
    if appointment.status == "recorded":
        card = db.session.scalar(
            sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
        )
        if card is not None and card.status == "picked_up":
            until = card.picked_up_at + _days(config, "CARD_PICKUP_RETENTION_DAYS")
            return {"personal_data_until": until.date().isoformat(), "rule": "card_collected"}
        return {"personal_data_until": None, "rule": "card_in_process"}
    return {"personal_data_until": None, "rule": "open_booking"}


def _ended_bookings(now, config):
    return sa.select(Appointment.id).where(
        Appointment.erased_at.is_(None),
        Appointment.status.in_(ENDED_STATUSES),
        Appointment.status_changed_at < now - _days(config, "PERSONAL_DATA_RETENTION_DAYS"),
    )


def _roster_participants(now, config):
    # Only bookings that ended (no-show lapses them after the tally grace): a booked
    # row must keep its NIK hash, the partial unique index holds it.
    return (
        sa.select(Appointment.id)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(
            Appointment.erased_at.is_(None),
            Appointment.channel == "roster",
            Appointment.status.in_(ENDED_STATUSES),
            Slot.ends_at < now - _days(config, "OUTREACH_ROSTER_RETENTION_DAYS"),
        )
    )


def _collected_cards(now, config):
    return sa.select(CardRequest.id).where(
        CardRequest.status == "picked_up",
        CardRequest.name != "",
        CardRequest.picked_up_at < now - _days(config, "CARD_PICKUP_RETENTION_DAYS"),
    )


def _old_audit(now, config):
    return sa.select(AuditEntry.id).where(
        AuditEntry.at < now - _days(config, "AUDIT_RETENTION_DAYS")
    )


def _closed_home_visits(now, config):
    return sa.select(HomeVisit.id).where(
        HomeVisit.status.in_(CLOSED_VISIT_STATUSES),
        HomeVisit.nik_encrypted != "",
        sa.func.coalesce(HomeVisit.outcome_at, HomeVisit.created_at)
        < now - _days(config, "PERSONAL_DATA_RETENTION_DAYS"),
    )


KINDS = (
    "ended_bookings",
    "roster_participants",
    "collected_cards",
    "home_visits",
    "audit_entries",
)


def _queries(now, config):
    return {
        "ended_bookings": _ended_bookings(now, config),
        "roster_participants": _roster_participants(now, config),
        "collected_cards": _collected_cards(now, config),
        "home_visits": _closed_home_visits(now, config),
        "audit_entries": _old_audit(now, config),
    }


def count_due(config):
    """{kind: rows the purge would change now}, changing nothing (the CLI's dry run)."""
    queries = _queries(clock.now(), config)
    return {
        kind: db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
        for kind, q in queries.items()
    }


@transactional
def _purge_batch(kind, ids):
    if kind in ("ended_bookings", "roster_participants"):
        return scrub.scrub_appointments(ids, how="retention")
    if kind == "collected_cards":
        appointment_ids = db.session.scalars(
            sa.select(CardRequest.appointment_id).where(
                CardRequest.id.in_(ids), CardRequest.appointment_id.is_not(None)
            )
        ).all()
        scrub.remove_contact(appointment_ids)
        return scrub.scrub_cards(ids)
    if kind == "home_visits":
        return scrub.scrub_home_visits(ids)
    db.session.execute(
        sa.delete(audit_entry_appointments).where(
            audit_entry_appointments.c.audit_entry_id.in_(ids)
        )
    )
    return db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id.in_(ids))).rowcount


def purge(config, batch=BATCH, progress=None):
    """Remove what has passed its retention, in batches of `batch` rows, each committed;
    returns {kind: rows changed}. `progress(kind, done)` is told after each batch."""
    done = dict.fromkeys(KINDS, 0)
    for kind in KINDS:
        while True:
            query = _queries(clock.now(), config)[kind]
            ids = db.session.scalars(query.order_by(query.selected_columns[0]).limit(batch)).all()
            if not ids:
                break
            changed = _purge_batch(kind, ids) or 0
            done[kind] += changed
            if progress is not None:
                progress(kind, done[kind])
            if len(ids) < batch or not changed:
                break
    if any(done.values()):
        log.info("personal data purged: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
    return done
