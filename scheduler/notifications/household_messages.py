"""Messages for those served beyond the ordinary booking: a recording the centre
rejected (re-recording), a home visit, a family's bookings. Registered in messages.py's
TEMPLATES; the same rules (a text, an SMS of one GSM-7 part, the masked NIK at most)."""

from flask_babel import lazy_gettext as _l

from scheduler.notifications.formatting import Context, MissingContext, Rendered
from scheduler.notifications.messages import _, template

SAMPLES = {
    "recording_rejected": {"kind": "bad_capture", "reason": "Foto buram"},
    "household_booking_confirmed": {
        "members": [
            {
                "code": "ACDE3467",
                "starts_at": "2026-12-08T10:00:00+07:00",
                "link": "https://antre.example.go.id/janji/ACDE3467?s=AbCdEfGhIjKlMnOpQrStUvWxYz0",
            },
            {
                "code": "KMNP7963",
                "starts_at": "2026-12-08T10:00:00+07:00",
                "link": "https://antre.example.go.id/janji/KMNP7963?s=ZyXwVuTsRqPoNmLkJiHgFeDcBa9",
            },
            {
                "code": "TUVW4679",
                "starts_at": "2026-12-08T10:30:00+07:00",
                "link": "https://antre.example.go.id/janji/TUVW4679?s=QwErTyUiOpAsDfGhJkLzXcVbNm1",
            },
        ]
    },
    "home_visit_planned": {
        "resident": "Mbah Sarinah",
        "date": "2026-12-09",
        "start": "09:00",
        "end": "10:00",
    },
}


@template("recording_rejected", _l("Perekaman ditolak pusat"))
def recording_rejected(c):
    """The national centre rejected a recording; the resident is invited to record again.

    Context: code, site, starts_at, link (the appointment page, with its "book again"
    button), kind (duplicate_biometrics, bad_capture, data_not_accepted), optional reason.
    """
    v = c.appointment()
    kinds = {
        "duplicate_biometrics": _("biometrik terdeteksi ganda"),
        "bad_capture": _("kualitas rekaman kurang baik"),
        "data_not_accepted": _("data belum diterima pusat"),
    }
    v["why"] = kinds.get(c.text("kind"), _("data belum diterima pusat"))
    return Rendered(
        subject=_("Perekaman KTP-el perlu diulang (%(code)s)", code=v["code"]),
        text=_(
            "Mohon maaf, hasil perekaman KTP-el Anda (%(code)s, %(site)s) tidak dapat diproses "
            "pusat: %(why)s. Permohonan kartu dibatalkan; silakan pesan jadwal rekam ulang "
            "tanpa biaya: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el %(code)s: rekaman perlu diulang (%(why)s). Pesan jadwal: %(link)s"),
            _("KTP-el %(code)s: rekaman perlu diulang. Pesan jadwal: %(link)s"),
            shrink=("why",),
            **v,
        ),
        values=v,
    )


@template("home_visit_planned", _l("Kunjungan rumah dijadwalkan"))
def home_visit_planned(c):
    """A home visit is planned; sent to the family or coordinator who asked.

    Context: code, resident (the name), date (YYYY-MM-DD), start and end (local HH:MM),
    link (the appointment page).
    """
    c.require("code", "date", "start", "end")
    v = {
        "code": c.text("code"),
        "resident": c.text("resident", "-"),
        "day": c.day("date"),
        "start": c.text("start"),
        "end": c.text("end"),
        "link": c.text("link"),
    }
    return Rendered(
        subject=_("Kunjungan perekaman KTP-el di rumah: %(day)s", day=v["day"]),
        text=_(
            "Tim Disdukcapil akan datang merekam KTP-el %(resident)s di rumah pada %(day)s "
            "antara pukul %(start)s dan %(end)s (kode %(code)s). Siapkan Kartu Keluarga. "
            "Info: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el %(code)s: tim datang ke rumah %(day)s %(start)s-%(end)s. %(link)s"),
            _("KTP-el %(code)s: kunjungan rumah %(day)s. %(link)s"),
            shrink=("resident",),
            **v,
        ),
        values=v,
    )


@template("household_booking_confirmed", _l("Keluarga memesan"))
def household_booking_confirmed(c):
    """A family booked its members (one Kartu Keluarga) into one slot or the ones after it.

    Context: code, site, address, starts_at and link (the first member's), members (a list
    of {"code", "starts_at", "link"}, one per member).
    """
    v = c.appointment("site", "link")
    members = c.values.get("members") or []
    if not members:
        raise MissingContext("members")
    v["count"] = len(members)
    v["codes"] = " ".join(m["code"] for m in members)
    lines = []
    for n, m in enumerate(members, 1):
        when = Context({"t": m["starts_at"]}, c.locale).when("t")
        lines.append(f"{n}. {m['code']} ({when}): {m.get('link', '')}")
    v["list"] = "\n".join(lines)
    return Rendered(
        subject=_("Janji perekaman KTP-el untuk %(count)s anggota keluarga", count=v["count"]),
        text=_(
            "Janji perekaman KTP-el untuk %(count)s anggota keluarga tercatat di %(place)s, "
            "mulai %(when)s. Setiap anggota punya kode dan kode QR sendiri:\n%(list)s\n"
            "Datang bersama 15 menit lebih awal dan bawa Kartu Keluarga.",
            **v,
        ),
        sms=c.sms(
            _("KTP-el %(count)s org %(when)s %(site)s: %(codes)s %(link)s"),
            _("KTP-el %(count)s org %(when)s: %(codes)s %(link)s"),
            **v,
        ),
        values=v,
    )
