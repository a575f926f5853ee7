"""Printing a card and handing it over; cards not yet collected and their reminders."""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature

from scheduler import clock, l10n, names
from scheduler.appointments import services as appointments
from scheduler.cards import ledger
from scheduler.cards.models import (
    COLLECTORS,
    PRINTED_STATUSES,
    CardRequest,
)
from scheduler.cards.services.planning import _Planner, allocate_cards
from scheduler.cards.services.queue import get_card
from scheduler.cards.services.summary import _cfg, _notify, today
from scheduler.db import transactional
from scheduler.errors import InvalidQR, InvalidState, ValidationError
from scheduler.extensions import db


def _move(card_id, condition, **values):
    """A conditional UPDATE of one card: True when `condition` still held (so two desks,
    or a job run twice, never both act)."""
    result = db.session.execute(
        sa.update(CardRequest)
        .where(CardRequest.id == card_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@transactional
def mark_printed(code, *, actor_id=None, site_ids=None, misprints=0):
    """The card is printed: one blank used, and each misprint spoils one more (with its
    berita acara). Printing before print_on is allowed, never before the holder may hold
    a card. Raises NotFound, InvalidState (not scheduled, printed twice, no blank)."""
    ledger.lock_counter()
    card = get_card(code, site_ids)
    if card.status in PRINTED_STATUSES:
        raise InvalidState(_l("Kartu ini sudah dicetak."))
    if card.status != "scheduled":
        raise InvalidState(_l("Kartu ini belum mendapat blangko; tunggu jadwal cetaknya."))
    now_on = today()
    if card.eligible_on and card.eligible_on > now_on:
        raise InvalidState(
            _l(
                "Pemilik kartu belum berusia 17 tahun; cetak mulai %(on)s.",
                on=l10n.Day(card.eligible_on),
            )
        )
    office_id = ledger.office_of_print_site(card.print_site_id)
    if misprints:
        ledger.spoil(
            misprints,
            str(_l("Salah cetak KTP-el %(code)s", code=card.code)),
            user_id=actor_id,
            card_request_id=card.id,
            reference=card.code,
            office_id=office_id,
        )
    ledger.post_entry(
        "used",
        -1,
        office_id=office_id,
        reference=card.code,
        card_request_id=card.id,
        user_id=actor_id,
    )
    early = card.print_on > now_on
    planner = _Planner()
    pickup_from = max(
        card.pickup_from, planner.pickup_from(card.pickup_site_id, card.print_site_id, now_on)
    )
    printed = _move(
        card.id,
        CardRequest.status == "scheduled",
        status="printed",
        printed_at=clock.now(),
        printed_by_id=actor_id,
        pickup_from=pickup_from,
    )
    if not printed:
        raise InvalidState(_l("Kartu ini sudah dicetak."))
    db.session.refresh(card)
    if misprints or early:
        # Blanks were lost, or a blank promised to an earlier card was used: re-plan.
        allocate_cards()
    return card


# --------------------------------------------------------------------------- pickup


def find_card(text, site_ids=None):
    """The card named by a typed code, a scanned check-in QR or a certificate's QR text.
    Raises InvalidQR for a forged QR, NotFound for an unknown code."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(fields={"q": _l("Ketik kode atau tempel teks QR.")})
    if "/verifikasi/" in text:
        from scheduler.cards import certificates

        certificate = certificates.verify_token(text.rsplit("/verifikasi/", 1)[1])
        if certificate is None:
            raise InvalidQR()
        return get_card(certificate.card_request.code, site_ids)
    if "." in text:
        try:
            code = appointments.code_from_checkin_token(text)
        except BadSignature:
            raise InvalidQR() from None
        return get_card(code, site_ids)
    return get_card(text, site_ids)


@transactional
def hand_over(
    code, *, collected_by, collector_name=None, actor_id=None, site_ids=None, ikd_activated=False
):
    """Record who collected a printed card (the resident, or a family member on the family
    card) and when, and whether the digital ID (IKD) was activated there (not counted
    again when it was activated at recording). Raises NotFound, ValidationError,
    InvalidState (not printed, before pickup_from, handed over already)."""
    card = get_card(code, site_ids)
    if collected_by not in COLLECTORS:
        raise ValidationError(fields={"collected_by": _l("Pilih siapa yang mengambil.")})
    collector_name = names.check_name((collector_name or "").strip(), "collector_name") or None
    if collected_by == "family" and not collector_name:
        raise ValidationError(
            fields={"collector_name": _l("Tulis nama anggota keluarga yang mengambil.")}
        )
    if card.status == "picked_up":
        raise InvalidState(_l("Kartu ini sudah diserahkan."))
    if card.status != "printed":
        raise InvalidState(_l("Kartu ini belum dicetak."))
    if today() < card.pickup_from:
        raise InvalidState(_l("Kartu dapat diambil mulai %(on)s.", on=l10n.Day(card.pickup_from)))
    handed = _move(
        card.id,
        CardRequest.status == "printed",
        status="picked_up",
        picked_up_at=clock.now(),
        collected_by=collected_by,
        collector_name=collector_name if collected_by == "family" else card.name,
        handed_over_by_id=actor_id,
        **(
            {"ikd_activated_at": clock.now()}
            if ikd_activated and not _ikd_at_recording(card)
            else {}
        ),
    )
    if not handed:
        raise InvalidState(_l("Kartu ini sudah diserahkan."))
    db.session.refresh(card)
    return card


def _ikd_at_recording(card):
    return card.appointment is not None and card.appointment.ikd_activated_at is not None


def uncollected(site_ids=None, min_days=0):
    """Printed cards ready for pickup and not collected, the longest waiting first:
    [(card, days waiting)]."""
    now_on = today()
    query = sa.select(CardRequest).where(
        CardRequest.status == "printed",
        CardRequest.pickup_from <= now_on - timedelta(days=min_days),
    )
    if site_ids is not None:
        query = query.where(CardRequest.pickup_site_id.in_(list(site_ids)))
    cards = db.session.scalars(query.order_by(CardRequest.pickup_from, CardRequest.id)).all()
    return [(c, (now_on - c.pickup_from).days) for c in cards]


# ------------------------------------------------------------------------- messages


@transactional
def send_card_messages():
    """Tell residents their card is ready, and remind them after 14 and 30 days when it is
    still not collected. Safe to run twice (conditional updates). Returns counts."""
    now_on, now = today(), clock.now()
    ready = db.session.scalars(
        sa.select(CardRequest).where(
            CardRequest.status == "printed",
            CardRequest.pickup_from <= now_on,
            CardRequest.ready_notified_at.is_(None),
        )
    ).all()
    sent_ready = 0
    for card in ready:
        if _move(card.id, CardRequest.ready_notified_at.is_(None), ready_notified_at=now):
            _notify(card, "card_ready")
            sent_ready += 1
    reminders = 0
    for step, key in ((1, "CARD_REMINDER_DAYS_FIRST"), (2, "CARD_REMINDER_DAYS_SECOND")):
        days = int(_cfg(key))
        due = db.session.scalars(
            sa.select(CardRequest).where(
                CardRequest.status == "printed",
                CardRequest.pickup_from <= now_on - timedelta(days=days),
                CardRequest.reminders_sent < step,
            )
        ).all()
        for card in due:
            if _move(card.id, CardRequest.reminders_sent < step, reminders_sent=step):
                _notify(
                    card,
                    "card_uncollected",
                    ready_since=card.pickup_from.isoformat(),
                    days_waiting=(now_on - card.pickup_from).days,
                )
                reminders += 1
    return {"ready": sent_ready, "reminders": reminders}
