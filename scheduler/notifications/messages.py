"""Message templates, one per event, in Bahasa Indonesia (source) and English (.po).

Each template turns an outbox row's `context` into a subject (email), a text (WhatsApp and
email) and an SMS text that fits one GSM-7 SMS (160 characters). Its docstring lists the
context keys it reads; the feature that enqueues the event fills them. Events about an
appointment get `code`, `site`, `address`, `starts_at` and `link` from
`appointments.services.notify(appointment, event, **extra)`; the extra keys are named
below. Dates may be ISO strings or date objects, places a name or `{"id", "name"}`.
A full NIK is never part of a message (the outbox holds only the masked one).
"""

import contextvars

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import lazy_gettext as _l

from scheduler.notifications.formatting import (
    SMS_LIMIT,
    Context,
    MissingContext,
    Rendered,
    gsm7,
    is_gsm7,
)

__all__ = ["SMS_LIMIT", "TEMPLATES", "MissingContext", "Rendered", "gsm7", "is_gsm7", "render"]

TEMPLATES = {}


# What the outbox page shows for each event: every template names its event in words.
EVENT_LABELS = {}


def template(event, label):
    def deco(fn):
        TEMPLATES[event] = fn
        EVENT_LABELS[event] = label
        return fn

    return deco


_translations = contextvars.ContextVar("outbox_translations")


def _(string, **variables):
    """gettext in the message's locale (set by render(), looked up once per locale: the
    worker renders thousands of messages a second)."""
    text = _translations.get().ugettext(string)
    return text % variables if variables else text


def _catalogue(locale):
    cache = current_app.extensions.setdefault("outbox_translations", {})
    if locale not in cache:
        with force_locale(locale):
            cache[locale] = get_translations()
    return cache[locale]


def render(event, context, locale="id", name=""):
    """Render an event's message in `locale`; raises MissingContext for a missing key."""
    locale = locale if locale in ("id", "en") else "id"
    token = _translations.set(_catalogue(locale))
    try:
        rendered = TEMPLATES.get(event, _generic)(Context(context, locale))
    finally:
        _translations.reset(token)
    rendered.values = {**rendered.values, "name": name or "-"}
    return rendered


# ---------------------------------------------------------------------------- appointments


@template("booking_confirmed", _l("Janji temu dipesan"))
def booking_confirmed(c):
    """A resident booked a recording slot.

    Context: code, site, address, starts_at (ISO 8601 with the site's offset), link.
    """
    v = c.appointment("site", "link")
    return Rendered(
        subject=_("Janji perekaman KTP-el %(code)s", code=v["code"]),
        text=_(
            "Janji perekaman KTP-el Anda tercatat. Kode booking: %(code)s. Jadwal: %(when)s di "
            "%(place)s. Datang 15 menit lebih awal dan tunjukkan kode QR: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el: janji %(code)s %(when)s di %(site)s. Datang 15 mnt awal: %(link)s"),
            _("KTP-el: janji %(code)s %(when)s. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("appointment_reminder", _l("Pengingat janji temu"))
def appointment_reminder(c):
    """The day before the appointment (sent once per appointment and day).

    Context: code, site, address, starts_at, link.
    """
    v = c.appointment("site", "link")
    return Rendered(
        subject=_("Pengingat: perekaman KTP-el besok (%(code)s)", code=v["code"]),
        text=_(
            "Pengingat: besok %(when)s Anda dijadwalkan merekam KTP-el di %(place)s. Kode "
            "booking: %(code)s. Bawa kode QR. Tidak bisa datang? Batalkan atau ubah: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el besok %(when)s di %(site)s, kode %(code)s. Ubah/batal: %(link)s"),
            _("KTP-el besok %(when)s, kode %(code)s: %(link)s"),
            **v,
        ),
        values=v,
    )


@template("appointment_cancelled", _l("Janji temu dibatalkan"))
def appointment_cancelled(c):
    """The resident cancelled.

    Context: code, site, starts_at, link.
    """
    v = c.appointment()
    return Rendered(
        subject=_("Janji %(code)s dibatalkan", code=v["code"]),
        text=_(
            "Janji perekaman KTP-el %(code)s (%(when)s, %(site)s) sudah dibatalkan. Anda dapat "
            "memesan jadwal baru kapan saja. Rincian: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el: janji %(code)s %(when)s di %(site)s dibatalkan. %(link)s"),
            _("KTP-el: janji %(code)s dibatalkan. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("appointment_rescheduled", _l("Jadwal janji temu diubah"))
def appointment_rescheduled(c):
    """The resident moved the appointment; starts_at and site are the new ones.

    Context: code, site, address, starts_at, link.
    """
    v = c.appointment("site", "link")
    return Rendered(
        subject=_("Jadwal baru untuk janji %(code)s", code=v["code"]),
        text=_(
            "Janji perekaman KTP-el %(code)s dipindah ke %(when)s di %(site)s. Kode QR tetap "
            "sama: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el: janji %(code)s pindah ke %(when)s di %(site)s. %(link)s"),
            _("KTP-el: janji %(code)s pindah ke %(when)s. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("appointment_cancelled_by_office", _l("Janji temu dibatalkan kantor"))
def appointment_cancelled_by_office(c):
    """The office cancelled (closure, device fault); the resident should book again.

    Context: code, site, starts_at, link, reason (free text, may be shortened in an SMS).
    """
    v = c.appointment()
    return Rendered(
        subject=_("Mohon maaf: janji %(code)s dibatalkan kantor", code=v["code"]),
        text=_(
            "Mohon maaf, Disdukcapil membatalkan janji %(code)s (%(when)s, %(site)s). Alasan: "
            "%(reason)s. Silakan pesan jadwal lain: %(link)s",
            **v,
        ),
        sms=c.sms(
            _(
                "Maaf, janji KTP-el %(code)s %(when)s dibatalkan kantor (%(reason)s). Pesan lagi: %(link)s"
            ),
            _("Maaf, janji KTP-el %(code)s %(when)s dibatalkan kantor. %(link)s"),
            **v,
        ),
        values=v,
    )


# -------------------------------------------------------------------------------- outreach


@template("outreach_approved", _l("Jemput bola disetujui"))
def outreach_approved(c):
    """An outreach (jemput bola) request was approved; sent to the requesting contact.

    Context: institution, date (YYYY-MM-DD), start and end (site-local HH:MM), link (the
    session's booking URL; `booking_url` is read too), optional reference.
    """
    c.require("institution", "date")
    link = c.text("link") or c.text("booking_url")
    v = dict(
        institution=c.text("institution"),
        day=c.day("date"),
        start=c.text("start", "-"),
        end=c.text("end", "-"),
        link=link,
    )
    return Rendered(
        subject=_("Jemput bola KTP-el disetujui: %(institution)s", institution=v["institution"]),
        text=_(
            "Permohonan perekaman KTP-el (jemput bola) untuk %(institution)s disetujui: %(day)s, "
            "%(start)s-%(end)s. Peserta memesan jadwal di %(link)s",
            **v,
        ),
        sms=c.sms(
            _("Jemput bola KTP-el %(institution)s disetujui: %(day)s %(start)s-%(end)s. %(link)s"),
            _("Jemput bola KTP-el disetujui: %(day)s %(start)s-%(end)s. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("outreach_declined", _l("Jemput bola ditolak"))
def outreach_declined(c):
    """An outreach request was declined; sent to the requesting contact.

    Context: institution, reason, optional reference.
    """
    c.require("institution")
    v = dict(institution=c.text("institution"), reason=c.text("reason", "-"))
    return Rendered(
        subject=_("Jemput bola KTP-el: %(institution)s", institution=v["institution"]),
        text=_(
            "Mohon maaf, permohonan jemput bola KTP-el untuk %(institution)s belum dapat "
            "disetujui. Alasan: %(reason)s. Hubungi Disdukcapil untuk tanggal lain.",
            **v,
        ),
        sms=c.sms(
            _("Maaf, jemput bola KTP-el %(institution)s belum disetujui: %(reason)s."),
            shrink=("reason", "institution"),
            **v,
        ),
        values=v,
    )


# ----------------------------------------------------------------------------------- cards


@template("card_scheduled", _l("Jadwal cetak KTP-el"))
def card_scheduled(c):
    """The recorded card has a promised pickup date.

    Context: code, pickup_from (date), pickup_site (name or {"id","name"}; defaults to
    site), link; optional print_on.
    """
    v = c.card("pickup_from")
    return Rendered(
        subject=_("KTP-el Anda dijadwalkan (%(code)s)", code=v["code"]),
        text=_(
            "Perekaman %(code)s selesai. KTP-el Anda dapat diambil mulai %(day)s di %(site)s. "
            "Kami kabari lagi saat kartu siap: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el %(code)s dapat diambil mulai %(day)s di %(site)s. %(link)s"),
            _("KTP-el %(code)s dapat diambil mulai %(day)s. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("card_date_moved", _l("Tanggal KTP-el berubah"))
def card_date_moved(c):
    """The promised pickup date changed (stock, spoilage), or was withdrawn.

    Context: code, pickup_site, link; pickup_from (the new date) or, when no blank covers
    the card any more, none and queue_position (its place in the queue).
    """
    v = c.card()
    if "day" not in v:  # lost its blank: waiting for stock again, said honestly
        v["position"] = c.text("queue_position", "-")
        return Rendered(
            subject=_("Tanggal pengambilan KTP-el ditunda (%(code)s)", code=v["code"]),
            text=_(
                "Mohon maaf, blangko KTP-el untuk %(code)s belum tersedia sehingga tanggal "
                "pengambilan ditunda. Antrean Anda: nomor %(position)s. Kami kabari lagi "
                "begitu ada tanggal baru. Info: %(link)s",
                **v,
            ),
            sms=c.sms(
                _(
                    "Maaf, KTP-el %(code)s tertunda: blangko habis. Antrean no. %(position)s. "
                    "Kami kabari lagi. %(link)s"
                ),
                _("Maaf, KTP-el %(code)s tertunda. %(link)s"),
                **v,
            ),
            values=v,
            template="card_date_withdrawn",
        )
    return Rendered(
        subject=_("Tanggal pengambilan KTP-el berubah (%(code)s)", code=v["code"]),
        text=_(
            "Mohon maaf, tanggal pengambilan KTP-el %(code)s berubah menjadi mulai %(day)s di "
            "%(site)s. Info: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("Maaf, KTP-el %(code)s baru dapat diambil mulai %(day)s di %(site)s. %(link)s"),
            _("Maaf, KTP-el %(code)s baru dapat diambil mulai %(day)s. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("card_ready", _l("KTP-el siap diambil"))
def card_ready(c):
    """The card is printed and can be collected.

    Context: code, pickup_site, link; optional pickup_from.
    """
    v = c.card()
    return Rendered(
        subject=_("KTP-el Anda siap diambil (%(code)s)", code=v["code"]),
        text=_(
            "KTP-el Anda (%(code)s) sudah jadi dan dapat diambil di %(site)s pada jam layanan. "
            "Bawa kode QR atau kode booking: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el %(code)s sudah jadi. Ambil di %(site)s pada jam layanan. %(link)s"),
            _("KTP-el %(code)s sudah jadi dan dapat diambil. %(link)s"),
            **v,
        ),
        values=v,
    )


@template("card_uncollected", _l("Pengingat KTP-el belum diambil"))
def card_uncollected(c):
    """The printed card has not been collected yet (periodic reminder).

    Context: code, pickup_site, link; optional ready_since (date).
    """
    v = c.card()
    return Rendered(
        subject=_("KTP-el Anda belum diambil (%(code)s)", code=v["code"]),
        text=_(
            "KTP-el Anda (%(code)s) masih menunggu di %(site)s. Silakan ambil pada jam layanan; "
            "keluarga boleh mengambilkan dengan membawa kode booking: %(link)s",
            **v,
        ),
        sms=c.sms(
            _("KTP-el %(code)s belum diambil. Silakan ambil di %(site)s. %(link)s"),
            _("KTP-el %(code)s belum diambil. %(link)s"),
            **v,
        ),
        values=v,
    )


def _generic(c):
    """Any other event: a short note pointing at the appointment page.

    Context: optional code, link.
    """
    v = dict(code=c.text("code", "-"), link=c.text("link"))
    return Rendered(
        subject=_("Kabar layanan KTP-el"),
        text=_("Ada kabar tentang layanan KTP-el Anda (%(code)s). %(link)s", **v),
        sms=c.sms(_("Ada kabar tentang layanan KTP-el Anda (%(code)s). %(link)s"), **v),
        values=v,
    )


def sample_context(event):
    """A filled context for an event (tests and documentation)."""
    base = {
        "code": "ACDE3467",
        "site": "Kantor Kecamatan Kota Kudus",
        "address": "Jl. Jenderal Sudirman 1",
        "starts_at": "2026-12-08T10:00:00+07:00",
        "link": "https://antre.example.go.id/janji/ACDE3467?s=AbCdEfGhIjKlMnOpQrStUvWxYz0",
    }
    extra = {
        "appointment_cancelled_by_office": {"reason": "Listrik padam"},
        "outreach_approved": {
            "institution": "SMA Negeri 1 Kudus",
            "date": "2026-12-15",
            "start": "08:00",
            "end": "12:00",
        },
        "outreach_declined": {"institution": "SMA Negeri 1 Kudus", "reason": "Alat terpakai"},
        "card_scheduled": {"pickup_from": "2026-12-20", "pickup_site": "Disdukcapil Kudus"},
        "card_date_moved": {"pickup_from": "2027-01-05", "pickup_site": "Disdukcapil Kudus"},
        "card_ready": {"pickup_site": {"id": 1, "name": "Disdukcapil Kudus"}},
        "card_uncollected": {"pickup_site": "Disdukcapil Kudus", "ready_since": "2026-11-01"},
    }
    extra.update(household_messages.SAMPLES)
    return {**base, **extra.get(event, {})}


# Registers its templates here (it reads `template` and `_` from this module).
from scheduler.notifications import household_messages  # noqa: E402
