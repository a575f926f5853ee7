"""Printing offices: where blank cards are kept and printed when an installation prints
at more than one place, and transfers of blanks between them.

A transfer is one StockTransfer and two ledger entries, out of the sender and into the
receiver, written in the same transaction under the stock lock (ledger.py); the sender's
CHECK on_hand >= 0 refuses a transfer it cannot cover, whatever Python checked first.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler.cards import ledger, services
from scheduler.cards.models import PrintingOffice, StockTransfer
from scheduler.db import transactional
from scheduler.errors import NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites


@transactional
def transfer_stock(from_office_id, to_office_id, quantity, reference="", user_id=None):
    """Move blanks from one printing office to another: out of one and into the other in
    one transaction (never below zero at the sender); re-plans. Returns the transfer.
    Raises ValidationError, InvalidState."""
    ledger.lock_counter()
    source = ledger.office_id_or_default(from_office_id)
    if to_office_id is None or to_office_id == source:
        raise ValidationError(fields={"to_office_id": _l("Pilih kantor cetak tujuan yang lain.")})
    target = ledger.office_id_or_default(to_office_id)
    today = sites.local_today()
    transfer = StockTransfer(
        from_office_id=source,
        to_office_id=target,
        quantity=quantity,
        transferred_on=today,
        reference=reference or "",
        user_id=user_id,
        created_at=clock.now(),
    )
    db.session.add(transfer)
    db.session.flush()
    names = _office_names()
    for office_id, delta, other in ((source, -quantity, target), (target, quantity, source)):
        ledger.post_entry(
            "transfer",
            delta,
            office_id=office_id,
            transfer_id=transfer.id,
            reference=reference,
            reason=str(_l("Pindah dengan %(o)s", o=names.get(other, other))),
            user_id=user_id,
        )
    services.allocate_cards()
    return transfer


def list_offices():
    """Every printing office, the default first."""
    ledger.office_id_or_default(None)
    return db.session.scalars(sa.select(PrintingOffice).order_by(PrintingOffice.id)).all()


def _office_names():
    return {o.id: o.name for o in list_offices()}


@transactional
def add_office(name, site_id=None):
    """A new printing office (its stock starts at zero). Raises ValidationError."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(fields={"name": _l("Wajib diisi.")})
    if db.session.scalar(sa.select(PrintingOffice.id).where(PrintingOffice.name == name)):
        raise ValidationError(fields={"name": _l("Nama kantor cetak ini sudah dipakai.")})
    if site_id is not None:
        try:
            sites.get_site(site_id)
        except NotFound:
            raise ValidationError(fields={"site_id": _l("Lokasi ini tidak ada.")}) from None
    ledger.lock_counter()
    # Ids are given here, under the stock lock, like the default office's: no sequence
    # to fall out of step with rows written with their id.
    next_id = (db.session.scalar(sa.select(sa.func.max(PrintingOffice.id))) or 0) + 1
    office = PrintingOffice(id=next_id, name=name, site_id=site_id, created_at=clock.now())
    db.session.add(office)
    db.session.flush()
    ledger.lock_stock()  # its counter row
    return office


def get_office(office_id):
    """A printing office; NotFound when there is none."""
    office = db.session.get(PrintingOffice, office_id)
    if office is None:
        raise NotFound()
    return office


def is_multi_office():
    """True when the installation prints at more than one place."""
    return len(list_offices()) > 1
