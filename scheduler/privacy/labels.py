"""Words for the codes of the access answer, as the resident's page shows them."""

from flask_babel import lazy_gettext as _l

EVENTS = {
    "booked": _l("Janji temu dipesan"),
    "check_in": _l("Check-in di loket"),
    "walk_in": _l("Didaftarkan di loket tanpa janji"),
    "recorded": _l("Perekaman biometrik selesai"),
    "recording_failed": _l("Perekaman gagal"),
    "no_show": _l("Tidak hadir"),
    "cancelled": _l("Dibatalkan"),
    "office_cancel": _l("Dibatalkan oleh kantor"),
}
READS = {
    "view_roster": _l("Daftar hadir harian di loket"),
    "view_desk": _l("Meja loket"),
    "view_card_queue": _l("Antrean cetak KTP-el"),
    "view_print_queue": _l("Daftar cetak harian"),
    "view_pickup": _l("Meja pengambilan KTP-el"),
    "view_uncollected": _l("Daftar KTP-el belum diambil"),
    "view_outbox": _l("Kotak pesan keluar"),
    "view_outreach": _l("Daftar peserta jemput bola"),
    "view_outreach_desk": _l("Meja jemput bola (salinan di perangkat petugas)"),
    "export": _l("Unduhan atau cetakan daftar"),
    "siak_export": _l("Ekspor untuk rekonsiliasi dengan SIAK pusat (dengan NIK)"),
}
MESSAGES = {
    "booking_confirmed": _l("Konfirmasi janji temu"),
    "appointment_reminder": _l("Pengingat sehari sebelumnya"),
    "appointment_cancelled": _l("Pembatalan janji temu"),
    "appointment_rescheduled": _l("Perubahan jadwal"),
    "appointment_cancelled_by_office": _l("Pembatalan oleh kantor"),
    "card_scheduled": _l("Jadwal cetak KTP-el"),
    "card_date_moved": _l("Tanggal KTP-el berubah"),
    "card_ready": _l("KTP-el siap diambil"),
    "card_uncollected": _l("Pengingat KTP-el belum diambil"),
}
CHANNELS = {"whatsapp": "WhatsApp", "sms": "SMS", "email": _l("Email"), "log": _l("Log sistem")}
MESSAGE_STATUSES = {
    "pending": _l("Menunggu dikirim"),
    "sent": _l("Terkirim"),
    "failed": _l("Gagal, akan dicoba lagi"),
    "dead": _l("Gagal"),
}
RULES = {
    "ended_booking": _l("Dihapus otomatis pada %(day)s"),
    "card_collected": _l(
        "Nomor HP dan email dihapus otomatis pada %(day)s; catatan perekaman disimpan kantor"
    ),
    "card_in_process": _l("Disimpan selama KTP-el Anda masih diproses"),
    "open_booking": _l("Disimpan selama janji temu Anda masih berjalan"),
    "erased": _l("Sudah dihapus"),
}


HOME_VISIT_STATUSES = {
    "requested": _l("Diminta, menunggu jadwal"),
    "planned": _l("Dijadwalkan"),
    "done": _l("Sudah dikunjungi"),
    "declined": _l("Ditutup tanpa kunjungan"),
}


def label(table, code):
    """The words for a code, or the code itself when it has none."""
    return str(table[code]) if code in table else code


def retention_text(retention):
    """How long the booking's personal data is kept, in words."""
    rule = RULES.get(retention["rule"])
    if rule is None:
        return retention["rule"]
    day = retention.get("personal_data_until")
    return str(rule) % {"day": day} if day else str(rule)
