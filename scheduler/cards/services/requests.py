"""Card requests: the one made when a recording is done, and a replacement."""

import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler import clock, names
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.cards import ledger
from scheduler.cards.models import (
    OPEN_STATUSES,
    UNPRINTED_STATUSES,
    CardRequest,
    open_card_refusal,
)
from scheduler.cards.services.planning import allocate_cards, eligible_on, pickup_site_for
from scheduler.cards.services.summary import today
from scheduler.constraints import add_or_refuse
from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites

# ---------------------------------------------------------------------- the card queue


def _refuse_open_card_under_older_keys(nik):
    """While the NIK keys rotate, an open card may still hold its hash under an older key,
    which the open-card index cannot compare with the new one: look for it by hand."""
    older = niks.older_hashes(nik)
    if older and db.session.scalar(
        sa.select(CardRequest.id).where(
            CardRequest.nik_hash.in_(older), CardRequest.status.in_(OPEN_STATUSES)
        )
    ):
        raise open_card_refusal()


@transactional
def on_recorded(appointment, actor_id=None):
    """Queue the card of a resident just recorded and allocate it, in the caller's
    transaction; returns the card request (the same one when called twice).
    Raises InvalidState when the appointment is not recorded."""
    if appointment.status != "recorded" or appointment.recorded_at is None:
        raise InvalidState(_l("Janji temu ini belum berstatus direkam."))
    ledger.lock_counter()
    existing = db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )
    if existing is not None:
        return existing
    recorded_on = appointment.recorded_at.astimezone(sites.zone(appointment.site)).date()
    card = add_or_refuse(
        CardRequest(
            code=appointment.code,
            kind="new",
            appointment_id=appointment.id,
            status="awaiting_stock",
            priority=0,
            name=appointment.name,
            nik_hash=appointment.nik_hash,
            nik_encrypted=appointment.nik_encrypted,
            nik_masked=appointment.nik_masked,
            phone=appointment.phone,
            email=appointment.email,
            locale=appointment.locale,
            eligible_on=eligible_on(appointment.birth_date, appointment.married, recorded_on),
            recorded_site_id=appointment.site_id,
            pickup_site_id=pickup_site_for(appointment.site).id,
            queued_at=appointment.recorded_at,
            created_by_id=actor_id,
            created_at=clock.now(),
        )
    )
    allocate_cards()
    db.session.refresh(card)
    return card


def _new_card_code():
    for _attempt in range(20):
        code = "".join(
            secrets.choice(appointments.CODE_ALPHABET) for _ in range(appointments.CODE_LENGTH)
        )
        try:
            appointments.get_by_code(code)
        except NotFound:
            if db.session.scalar(sa.select(CardRequest.id).where(CardRequest.code == code)) is None:
                return code
    raise RuntimeError("could not find a free card code")


@transactional
def request_replacement(
    *,
    nik,
    name,
    birth_date,
    phone,
    reason,
    site_id,
    married=False,
    email=None,
    locale="id",
    actor_id=None,
    site_ids=None,
):
    """Queue a replacement card (lost, damaged, changed data) at one of the actor's
    `site_ids` (None: any): no new recording, the same queue and blanks. Raises
    ValidationError, InvalidState (a card already in process)."""
    sites.check_site(
        site_ids,
        site_id,
        ValidationError(fields={"site_id": _l("Bukan lokasi tempat Anda bertugas.")}),
    )
    names.check_name(name)
    info = niks.parse_nik(nik)
    niks.check_birth_date(info, birth_date)
    try:
        site = sites.get_site(site_id)
    except NotFound:
        raise ValidationError(fields={"site_id": _l("Lokasi ini tidak ada.")}) from None
    _refuse_open_card_under_older_keys(nik)
    ledger.lock_counter()
    card = add_or_refuse(
        CardRequest(
            code=_new_card_code(),
            kind="replacement",
            replacement_reason=reason,
            status="awaiting_stock",
            priority=0,
            name=name,
            nik_hash=niks.hash_nik(nik),
            nik_encrypted=niks.encrypt_nik(nik),
            nik_masked=niks.mask_nik(nik),
            phone=appointments.normalize_phone(phone),
            email=email or None,
            locale=locale,
            eligible_on=eligible_on(birth_date, married, today()),
            recorded_site_id=site.id,
            pickup_site_id=pickup_site_for(site).id,
            queued_at=clock.now(),
            created_by_id=actor_id,
            created_at=clock.now(),
        )
    )
    allocate_cards()
    db.session.refresh(card)
    return card


@transactional
def withdraw_card(appointment, reason=""):
    """Withdraw the card of a recording the centre rejected or the resident erased, in the
    caller's transaction, and re-plan (its promised blank goes to the next card); returns
    the card request or None. Raises InvalidState when it is already printed or handed over."""
    ledger.lock_counter()
    card = db.session.scalar(
        sa.select(CardRequest)
        .where(CardRequest.appointment_id == appointment.id)
        .execution_options(populate_existing=True)  # as it is now, under the lock
    )
    if card is None or card.status == "cancelled":
        return card
    if card.status not in UNPRINTED_STATUSES:
        raise InvalidState(
            _l("KTP-el ini sudah dicetak; penolakan rekaman tidak dapat dicatat di sini.")
        )
    card.status = "cancelled"
    card.print_on = card.pickup_from = card.print_site_id = None  # nothing promised now
    card.priority_reason = (f"withdrawn: {reason}" if reason else "withdrawn")[:200]
    db.session.flush()
    allocate_cards()
    db.session.refresh(card)
    return card
