"""A resident's right to erasure (UU PDP art. 8 and 43), within what the office must keep.

One transaction: the booking's row is locked, what is still open is cancelled (the seat
freed, an unprinted card withdrawn), the personal data is removed, and an audit line
without personal data records that it happened. A recording that was made is the office's
record under the population administration law (UU 23/2006 jo. UU 24/2013): its name,
NIK and birth date stay, and the answer says so and names the office to ask.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.cards import services as cards
from scheduler.cards.models import UNPRINTED_STATUSES
from scheduler.db import transactional
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.privacy import scrub
from scheduler.sites import services as sites
from scheduler.staff import services as staff

LABELS = {
    "name": _l("Nama"),
    "phone": _l("Nomor HP"),
    "email": _l("Email"),
    "nik": _l("NIK (terenkripsi, tersamar, dan hash pencariannya)"),
    "birth_date": _l("Tanggal lahir (hanya tahunnya yang disimpan)"),
    "messages": _l("Alamat tujuan pesan, dan pesan yang belum terkirim"),
    "seat": _l("Janji temu dibatalkan, kursinya dilepas"),
    "card_request": _l("Permohonan cetak KTP-el ditarik (belum dicetak)"),
    "booking_counts": _l("Catatan janji temu tanpa data pribadi"),
    "audit": _l("Log audit petugas"),
    "recording": _l("Catatan perekaman KTP-el: nama, NIK, tanggal lahir"),
    "printed_card": _l("KTP-el yang sudah dicetak dan kontak untuk pengambilannya"),
    "home_visit": _l("Permintaan perekaman di rumah: alamat, kontak dan keterangannya"),
}
WHY = {
    "booking_counts": _l(
        "Status, lokasi, jam dan saluran pemesanan tetap dihitung dalam laporan kantor; "
        "tidak ada lagi yang menghubungkannya dengan Anda."
    ),
    "audit": _l(
        "Kantor wajib dapat mempertanggungjawabkan setiap tindakan dan akses petugas (UU PDP); "
        "log menyimpan kode booking dan waktu, tanpa nama atau NIK Anda."
    ),
    "recording": _l(
        "Perekaman biometrik sudah dilakukan: kantor wajib menyimpan catatannya menurut UU "
        "Administrasi Kependudukan (UU 23/2006 jo. UU 24/2013). Untuk melihat, membetulkan "
        "atau menanyakannya, hubungi %(office)s."
    ),
    "printed_card": _l(
        "KTP-el Anda sudah dicetak dan menunggu diambil; kontak Anda dipakai untuk "
        "pengambilan. Setelah diambil, ajukan penghapusan lagi atau hubungi %(office)s."
    ),
}


def _office():
    offices = sites.list_sites(kind="office")
    return offices[0] if offices else None


def _item(what, **values):
    item = {"what": what, "label": str(LABELS[what])}
    if what in WHY:
        item["why"] = str(WHY[what] % values) if values else str(WHY[what])
    return item


@transactional
def erase_my_data(code, nik):
    """Erase the personal data of a booking (code + NIK) as far as the law allows; returns
    {"removed", "kept", "complete", "office"}. Raises NotFound, InvalidState."""
    appointment = appointments.find_for_resident(code, nik)
    db.session.execute(
        sa.select(Appointment.id).where(Appointment.id == appointment.id).with_for_update()
    )
    db.session.refresh(appointment)
    office = _office()
    office_text = f"{office.name}, {office.address}" if office else str(_l("kantor Disdukcapil"))
    if appointment.status == "checked_in":
        raise InvalidState(
            _l(
                "Anda sudah check-in hari ini. Selesaikan perekaman atau minta petugas "
                "membatalkannya, lalu ajukan penghapusan lagi."
            )
        )
    if appointment.status == "recorded":
        removed, kept = _erase_recorded(appointment, office_text)
    else:
        removed = []
        if appointment.status == "booked":
            appointments.cancel_without_message(appointment, "erased by the resident")
            removed.append("seat")
        scrub.scrub_appointments([appointment.id], how="resident")
        removed += ["name", "phone", "email", "nik", "birth_date", "messages"]
        kept = [_item("booking_counts")]
    if scrub.erase_home_visit(appointment.id):
        removed.append("home_visit")
    staff.audit(None, "resident_erasure", appointment, detail="removed: " + ",".join(removed))
    return {
        "removed": [_item(what) for what in removed],
        "kept": kept + [_item("audit")],
        "complete": appointment.status != "recorded",
        "office": {"name": office.name, "address": office.address} if office else None,
    }


def _erase_recorded(appointment, office_text):
    card = cards.card_for_appointment(appointment)
    kept = [_item("recording", office=office_text)]
    if card is not None and card.status == "printed":
        return [], [_item("printed_card", office=office_text), *kept]
    removed = []
    if card is not None and card.status in UNPRINTED_STATUSES:
        cards.withdraw_card(appointment, "erased by the resident")
        removed.append("card_request")
    if card is not None:
        scrub.scrub_cards([card.id])
    scrub.remove_contact([appointment.id])
    return [*removed, "phone", "email", "messages"], kept
