"""Resident pages: choose a site, a day and a time; book; look up, cancel, reschedule.

Plain HTML forms that work without JavaScript. The rules are the API's: every change goes
through the same services. The full NIK is only ever read from a POST body and never
written back into a page after it was accepted.
"""

from datetime import date
from itertools import groupby

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.appointments import services
from scheduler.appointments.forms import (
    ASSISTANCE_LABELS,
    BookingForm,
    LookupForm,
    NikConfirmForm,
    RescheduleForm,
    applicant_of,
    booking_faults,
)
from scheduler.appointments.limits import page_lookup_limits
from scheduler.booking_limit import booking_limit
from scheduler.errors import DomainError, NotFound, SlotFull, ValidationError
from scheduler.forms import render_form
from scheduler.sites import services as sites
from scheduler.sites.models import SITE_KINDS

bp = Blueprint("appointments_views", __name__)

# Errors that are about the person, not about the slot: shown next to the NIK.
NIK_ERRORS = {"duplicate_booking", "already_recorded", "not_found"}


STATUS_LABELS = {
    "booked": _l("Dipesan"),
    "checked_in": _l("Sudah check-in"),
    "recorded": _l("Sudah direkam"),
    "recording_failed": _l("Perekaman gagal; silakan pesan lagi"),
    "no_show": _l("Tidak hadir"),
    "cancelled": _l("Dibatalkan"),
    "recording_rejected": _l("Rekaman ditolak pusat; silakan pesan jadwal rekam ulang"),
}
CARD_LABELS = {
    "not_recorded": _l("Belum direkam"),
    "awaiting_stock": _l("Menunggu blangko KTP-el"),
    "scheduled": _l("Dijadwalkan untuk dicetak"),
    "ready": _l("Siap diambil"),
    "picked_up": _l("Sudah diambil"),
}


@bp.app_template_filter("appointment_status")
def appointment_status(status):
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_filter("assistance_label")
def assistance_label(kind):
    return str(ASSISTANCE_LABELS.get(kind, kind or ""))


@bp.app_template_filter("card_status")
def card_status(status):
    return str(CARD_LABELS.get(status, status))


# ---------------------------------------------------------------------------- helpers


def refused_fields(exc):
    """Where a resident page shows a refusal: the service's fields, or the NIK for a
    refusal about the NIK itself (a booking it holds already, a code and NIK that match
    nothing)."""
    if exc.fields:
        return {name: str(message) for name, message in exc.fields.items()}
    if exc.code in NIK_ERRORS:
        return {"nik": str(exc.message)}
    return {}


def _link(appointment):
    return url_for(
        ".appointment", code=appointment.code, s=services.link_signature(appointment.code)
    )


def _signed(code):
    """The appointment a signed URL names (404 for a wrong or missing signature)."""
    code = services.normalize_code(code)
    if not services.verify_link(code, request.args.get("s")):
        raise NotFound()
    return services.get_by_code(code)


def _parse_day(raw):
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _days(slots, site):
    """[(local date, free seats, slots)] in order."""
    days = []
    for on, group in groupby(slots, key=lambda s: sites.to_local(site, s.starts_at).date()):
        group = list(group)
        days.append((on, sum(s.available for s in group), group))
    return days


def _site_choice(site_id, raw_day):
    """What the day/time picker shows for a site: its days, or the times of one day."""
    site, slots = sites.list_bookable_slots(site_id)
    day = _parse_day(raw_day)
    bad_day = bool(raw_day) and day is None
    days = _days(slots, site)
    times = None
    if day is not None:
        times = next((group for on, _free, group in days if on == day), [])
    return {
        "site": site,
        "days": days,
        "day": day,
        "times": times,
        "bad_day": bad_day,
        "zone": sites.zone_label(site),
    }


# -------------------------------------------------------------------------- booking


@bp.get("/")
def home():
    chosen = request.args.get("kecamatan") or None
    all_sites = sites.list_sites()
    kecamatan = sites.list_kecamatan()
    if chosen not in {code for code, _name in kecamatan}:
        chosen = None
    shown = [s for s in all_sites if s.kind == "office" or s.kecamatan_code == chosen]
    groups = [(kind, [s for s in shown if s.kind == kind]) for kind in SITE_KINDS]
    return render_template(
        "appointments/home.html",
        kecamatan=kecamatan,
        chosen=chosen,
        chosen_name=dict(kecamatan).get(chosen),
        groups=[(kind, items) for kind, items in groups if items],
    )


@bp.get("/lokasi/<int:site_id>")
def site(site_id):
    choice = _site_choice(site_id, request.args.get("tanggal"))
    status = 422 if choice["bad_day"] else 200

    def day_url(on):
        return url_for(".site", site_id=site_id, tanggal=on.isoformat() if on else None)

    return render_template("appointments/site.html", day_url=day_url, **choice), status


@bp.route("/pesan/<int:slot_id>", methods=["GET", "POST"])
@booking_limit(methods=["POST"])
def book(slot_id):
    try:
        slot = sites.get_bookable_slot(slot_id)
    except DomainError as exc:
        message = next(iter(exc.fields.values()), exc.message)
        # A closed day is a conflict (409); a slot unknown, past or not yet open is not here.
        status = exc.status if exc.status == 409 else 404
        return render_template("appointments/unavailable.html", message=str(message)), status
    form = BookingForm()
    context = {"form": form, "slot": slot, "site": slot.site, "zone": sites.zone_label(slot.site)}
    if not slot.available:
        context["alternatives"] = sites.nearest_free_slots(slot)
        if request.method == "GET":
            full = SlotFull()
            return render_form(
                "appointments/book.html", error=full, errors=refused_fields(full), **context
            )
    if request.method == "GET":
        return render_form("appointments/book.html", **context)
    if not form.validate_on_submit():
        faults = _all_faults(form, slot)
        return render_form(
            "appointments/book.html", error=faults, errors=refused_fields(faults), **context
        )
    applicant, phone_errors = applicant_of(form)
    try:
        appointment, _created = services.book_appointment(
            slot_id, applicant, channel="web", field_errors=phone_errors
        )
    except DomainError as exc:
        if isinstance(exc, SlotFull):
            # Filled while the resident typed: the nearest free times, one press each
            # with what was typed.
            context["alternatives"] = sites.nearest_free_slots(slot)
        return render_form(
            "appointments/book.html", error=exc, errors=refused_fields(exc), **context
        )
    flash(_("Janji temu Anda sudah tercatat. Simpan atau cetak halaman ini."))
    return redirect(_link(appointment))


def _all_faults(form, slot):
    """A form its own validation refused, with what the booking rules would refuse of its
    other fields (NIK, name, birth date, phone): every fault at once."""
    on = sites.to_local(slot.site, slot.starts_at).date()
    return ValidationError(fields=booking_faults(form, on))


# ------------------------------------------------------------------ the resident's page


@bp.get("/janji/<code>")
def appointment(code):
    appointment = _signed(code)
    signature = services.link_signature(appointment.code)
    site = appointment.site
    return render_template(
        "appointments/appointment.html",
        appointment=appointment,
        site=site,
        slot=appointment.slot,
        zone=sites.zone_label(site),
        card=services.card_summary(appointment),
        signature=signature,
        qr_url=url_for("appointments_api.qr_png", code=appointment.code, s=signature),
        ics_url=url_for("appointments_api.ics", code=appointment.code, s=signature),
        print_view=request.args.get("cetak") == "1",
    )


@bp.route("/cek", methods=["GET", "POST"])
@page_lookup_limits
def lookup():
    form = LookupForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_form("appointments/lookup.html", form)
    try:
        appointment = services.find_for_resident(form.code.data, form.nik.data)
    except DomainError as exc:
        return render_form("appointments/lookup.html", form, error=exc, errors=refused_fields(exc))
    return redirect(_link(appointment))


@bp.route("/janji/<code>/batal", methods=["GET", "POST"])
@page_lookup_limits
def cancel(code):
    appointment = _signed(code)
    form = NikConfirmForm()
    context = {
        "form": form,
        "appointment": appointment,
        "site": appointment.site,
        "zone": sites.zone_label(appointment.site),
        "signature": request.args.get("s"),
    }
    if request.method == "GET" or not form.validate_on_submit():
        return render_form("appointments/cancel.html", **context)
    try:
        appointment = services.cancel_appointment(appointment.code, form.nik.data)
    except DomainError as exc:
        return render_form(
            "appointments/cancel.html", error=exc, errors=refused_fields(exc), **context
        )
    flash(_("Janji temu sudah dibatalkan dan kursinya dilepas."))
    return redirect(_link(appointment))


@bp.route("/janji/<code>/ubah", methods=["GET", "POST"])
@page_lookup_limits
def reschedule(code):
    appointment = _signed(code)
    form = RescheduleForm()
    site_id = request.args.get("lokasi", type=int) or appointment.site_id
    try:
        choice = _site_choice(site_id, request.args.get("tanggal"))
    except NotFound:
        choice = _site_choice(appointment.site_id, request.args.get("tanggal"))
    signature = request.args.get("s")

    def day_url(on):
        return url_for(
            ".reschedule",
            code=appointment.code,
            s=signature,
            lokasi=choice["site"].id,
            tanggal=on.isoformat() if on else None,
        )

    context = {
        **choice,
        "form": form,
        "appointment": appointment,
        "signature": signature,
        "day_url": day_url,
        "choose_slot": True,
        "all_sites": sites.list_sites(),
        "current_zone": sites.zone_label(appointment.site),
    }
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" or choice["bad_day"] else 200
        return render_form("appointments/reschedule.html", status=status, **context)
    try:
        appointment = services.reschedule_appointment(
            appointment.code, form.nik.data, form.slot_id.data
        )
    except DomainError as exc:
        return render_form(
            "appointments/reschedule.html", error=exc, errors=refused_fields(exc), **context
        )
    flash(_("Jadwal sudah dipindahkan. Kode booking Anda tetap sama."))
    return redirect(_link(appointment))


from scheduler.appointments import household_views  # noqa: E402,F401  (routes on this blueprint)
