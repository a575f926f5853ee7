"""The desk pages: the day's roster, check-in by camera or typed code, walk-ins, outcomes.

Every page works without JavaScript (plain forms); with it, the roster refreshes itself
and the check-in page reads the QR code from the device camera.
"""

from flask import (
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler import clock
from scheduler.appointments.forms import ASSISTANCE_LABELS
from scheduler.auth import page_roles
from scheduler.errors import BirthDateMismatch, DomainError, ValidationError
from scheduler.openapi import load_json, validate
from scheduler.sites import services as sites
from scheduler.staff import desk, queue
from scheduler.staff.forms import CheckinForm, RejectionForm, WalkInForm
from scheduler.staff.schemas import CheckinIn, RejectionIn, WalkInIn
from scheduler.staff.views import bp

STATUS_LABELS = {
    "booked": _l("Dipesan"),
    "checked_in": _l("Sudah check-in"),
    "recorded": _l("Terekam"),
    "recording_failed": _l("Gagal rekam"),
    "no_show": _l("Tidak hadir"),
    "cancelled": _l("Dibatalkan"),
    "recording_rejected": _l("Ditolak pusat"),
}


def status_label(status):
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_filter("status_label")
def _status_label_filter(status):
    return status_label(status)


def _int_arg(name):
    try:
        return int(request.values.get(name, ""))
    except ValueError:
        return None


def _chosen_site(site_list):
    wanted = _int_arg("site_id")
    for site in site_list:
        if site.id == wanted:
            return site
    return site_list[0] if site_list else None


def _date_arg():
    from datetime import date

    raw = request.values.get("date") or ""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(fields={"date": _("Tanggal harus berformat YYYY-MM-DD.")}) from None


# ------------------------------------------------------------------------------ roster


def _roster_context(site_list=None):
    site_list = site_list if site_list is not None else desk.desk_sites(current_user)
    site = _chosen_site(site_list)
    if site is None:
        return {"site": None, "site_list": site_list}
    site, on, rows, counts = desk.roster(current_user, site.id, _date_arg())
    return {
        "site": site,
        "site_list": site_list,
        "on": on,
        "rows": rows,
        "counts": counts,
        "updated": sites.to_local(site, clock.now()).strftime("%H:%M:%S"),
        "local_time": lambda moment: sites.to_local(site, moment).strftime("%H:%M"),
        "reasons": desk.FAILURE_REASONS,
        "refresh": current_app.config["ROSTER_REFRESH_SECONDS"],
    }


@bp.get("/petugas/daftar")
@page_roles(*desk.DESK_ROLES)
def roster():
    return render_template("staff/roster.html", **_roster_context())


@bp.get("/petugas/daftar/bagian")
@page_roles(*desk.DESK_ROLES)
def roster_fragment():
    """The roster's table alone; the page polls it to refresh without a full reload."""
    if _int_arg("site_id") is None:
        raise ValidationError(fields={"site_id": _("Pilih lokasi.")})
    desk.check_desk_site(current_user, _int_arg("site_id"))
    resp = make_response(render_template("staff/_roster_table.html", **_roster_context()))
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ---------------------------------------------------------------------------- outcomes

ACTIONS = ("check-in", "recorded", "recording-failed", "no-show", "office-cancel")


def _reason():
    kind = request.form.get("reason_kind", "")
    text = (request.form.get("reason") or "").strip()
    label = str(desk.FAILURE_REASONS[kind]) if kind in desk.FAILURE_REASONS else ""
    reason = "; ".join(p for p in (label, text) if p)[:200]
    if not reason:
        raise ValidationError(fields={"reason": _("Tulis alasannya.")})
    return reason


@bp.post("/petugas/janji/<code>/<action>")
@page_roles(*desk.DESK_ROLES)
def appointment_action(code, action):
    """One button of the roster. A refusal (too early for a no-show, no reason given, ...)
    shows the roster again with the reason next to the row, not a bare error page."""
    if action not in ACTIONS:
        raise ValidationError(_("Tindakan tidak dikenal."))
    try:
        appointment = _act(code, action)
    except DomainError as exc:
        context = _roster_context()
        context["row_error"] = {"code": code, "message": _refusal(exc)}
        return render_template("staff/roster.html", **context), exc.status
    flash(
        _(
            "%(name)s (%(code)s): %(status)s.",
            name=appointment.name,
            code=appointment.code,
            status=status_label(appointment.status),
        )
    )
    return redirect(
        url_for(
            "staff_views.roster",
            site_id=request.form.get("site_id") or None,
            date=request.form.get("date") or None,
        )
    )


def _act(code, action):
    if action == "check-in":
        return desk.check_in(current_user, code=code)
    if action == "recorded":
        return desk.mark_recorded(current_user, code, request.form.get("ikd_activated") == "y")
    if action == "recording-failed":
        return desk.mark_recording_failed(current_user, code, _reason())
    if action == "no-show":
        return desk.mark_no_show(current_user, code)
    return desk.office_cancel(current_user, code, _reason())


def _refusal(exc):
    """What a refusal says: a field's own message when there is one."""
    messages = [str(m) for m in (exc.fields or {}).values()]
    return " ".join(messages) if messages else str(exc.message)


# ---------------------------------------------------------------------------- check-in


def _checkin_context(site_list, **extra):
    form = CheckinForm()
    form.site_id.choices = [(s.id, s.name) for s in site_list]
    site = _chosen_site(site_list)
    if site is not None:
        form.site_id.data = site.id
    return {"form": form, "site_list": site_list, "site": site, "result": None, **extra}


def _result(appointment):
    site = appointment.site
    message = _(
        "Check-in berhasil: %(name)s, jadwal %(time)s.",
        name=appointment.name,
        time=sites.to_local(site, appointment.slot.starts_at).strftime("%H:%M"),
    )
    ticket = queue.ticket_for(appointment)
    if ticket is not None:
        message += " " + _("Nomor antrean: %(label)s.", label=ticket.label)
    if appointment.assistance:
        message += " " + _(
            "Prioritas (%(kind)s): layani lebih dulu.",
            kind=ASSISTANCE_LABELS[appointment.assistance],
        )
    return {
        "ok": True,
        "code": appointment.code,
        "name": appointment.name,
        "nik_masked": appointment.nik_masked,
        "home_regency": str(desk.home_regency(appointment.nik_masked)),
        "status": appointment.status,
        "time": sites.to_local(site, appointment.slot.starts_at).strftime("%H:%M"),
        "site": site.name,
        "assistance": appointment.assistance,
        "ticket": ticket.label if ticket is not None else None,
        "message": message,
    }


@bp.route("/petugas/check-in", methods=["GET", "POST"])
@page_roles(*desk.DESK_ROLES)
def checkin():
    site_list = desk.desk_sites(current_user)
    context = _checkin_context(site_list)
    g.form_page = ("staff/checkin.html", context)
    if request.method == "POST":
        typed = _form_dict(("qr", "code", "site_id"))
        if "qr" not in typed and "code" not in typed:
            raise ValidationError(fields={"code": EMPTY_CODE_MESSAGE})
        data = validate(CheckinIn, typed)
        appointment = desk.check_in(current_user, qr=data.qr, code=data.code, site_id=data.site_id)
        context["result"] = _result(appointment)
    return render_template("staff/checkin.html", **context)


@bp.post("/petugas/check-in/pindai")
@page_roles(*desk.DESK_ROLES)
def checkin_scan():
    """The camera page posts what it read here and shows the answer without reloading."""
    try:
        data = validate(CheckinIn, load_json(request.get_data(cache=True) or b"{}"))
        appointment = desk.check_in(current_user, qr=data.qr, code=data.code, site_id=data.site_id)
    except DomainError as exc:
        return jsonify(ok=False, code=exc.code, message=str(exc.message)), exc.status
    return jsonify(_result(appointment))


EMPTY_CODE_MESSAGE = _l(
    "Ketik kode booking 8 huruf dari bukti booking warga (mis. K7P2M9QX), atau arahkan kode "
    "QR-nya ke kamera."
)


def _form_dict(names):
    return {n: request.form[n] for n in names if request.form.get(n, "").strip()}


# ----------------------------------------------------------------------------- walk-in


@bp.route("/petugas/tanpa-janji", methods=["GET", "POST"])
@page_roles(*desk.DESK_ROLES)
def walk_in():
    site_list = desk.desk_sites(current_user)
    form = WalkInForm()
    form.site_id.choices = [(s.id, s.name) for s in site_list]
    site = _chosen_site(site_list)
    if site is not None:
        form.site_id.data = site.id
    current = sites.current_slot(site.id) if site is not None else None
    context = {"form": form, "site": site, "current": current, "site_list": site_list}
    context["local_time"] = lambda m: sites.to_local(site, m).strftime("%H:%M")
    # The override appears once the birth date was refused as not matching the NIK (and
    # stays while a reason is being given), never before.
    context["show_override"] = bool(request.form.get("birth_date_override_reason"))
    g.form_page = ("staff/walk_in.html", context)
    if request.method == "POST":
        raw = _form_dict(
            (
                "site_id",
                "nik",
                "name",
                "birth_date",
                "phone",
                "birth_date_override_reason",
                "assistance",
            )
        )
        raw["married"] = bool(request.form.get("married"))
        data = validate(WalkInIn, raw)
        try:
            appointment = desk.walk_in(current_user, data, str(get_locale() or "id"))
        except BirthDateMismatch:
            context["show_override"] = True
            raise
        ticket = queue.ticket_for(appointment)
        flash(
            _(
                "%(name)s terdaftar tanpa janji dan sudah check-in (kode %(code)s, nomor "
                "antrean %(label)s).",
                name=appointment.name,
                code=appointment.code,
                label=ticket.label if ticket is not None else "-",
            )
        )
        return redirect(url_for("staff_views.walk_in", site_id=appointment.site_id))
    return render_template("staff/walk_in.html", **context)


# ------------------------------------------------------------------------ re-recording


@bp.route("/petugas/tolak-rekam", methods=["GET", "POST"])
@page_roles(*desk.DESK_ROLES)
def rejection():
    """The centre rejected a recording: withdraw the card, free the NIK, invite to book."""
    form = RejectionForm()
    form.reason.choices = [(k, str(v)) for k, v in desk.REJECTION_REASONS.items()]
    context = {"form": form}
    g.form_page = ("staff/rejection.html", context)
    if request.method == "POST":
        data = validate(RejectionIn, _form_dict(("reason", "note")))
        code = (request.form.get("code") or "").strip()
        if not code:
            raise ValidationError(fields={"code": _("Tulis kode booking.")})
        appointment = desk.mark_recording_rejected(current_user, code, data.reason, data.note)
        flash(
            _(
                "%(name)s (%(code)s): rekaman ditolak pusat; permohonan KTP-el ditarik dan "
                "penduduk diundang memesan jadwal rekam ulang.",
                name=appointment.name,
                code=appointment.code,
            )
        )
        return redirect(url_for("staff_views.rejection"))
    return render_template("staff/rejection.html", **context)
