"""Outreach pages: requests and their sessions, roster upload, attendance sheet, tally,
coordinator invitations, the public page of a session, and coverage."""

import base64

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from scheduler import l10n, reads
from scheduler.appointments import services as appointments
from scheduler.appointments.forms import applicant_of, booking_faults
from scheduler.auth import page_roles
from scheduler.booking_limit import booking_limit
from scheduler.errors import ValidationError
from scheduler.forms import render_form
from scheduler.outreach import coverage as coverage_service
from scheduler.outreach import coverage_chart, coverage_history, forms, roster, services
from scheduler.outreach.models import OUTCOMES, REQUEST_STATUSES
from scheduler.security import body_limit
from scheduler.sites import services as sites

bp = Blueprint("outreach_views", __name__)


def _outcome_labels():
    return {
        "recorded": _("Terekam"),
        "failed": _("Gagal rekam"),
        "under_age": _("Belum cukup umur"),
        "has_card": _("Sudah punya KTP-el"),
        "absent": _("Tidak hadir"),
    }


def _appointment_labels():
    return {
        "booked": _("Terdaftar"),
        "checked_in": _("Sudah hadir"),
        "recorded": _("Sudah direkam"),
        "recording_failed": _("Gagal rekam"),
        "no_show": _("Tidak hadir"),
        "cancelled": _("Dibatalkan"),
    }


# ----------------------------------------------------------------------------- requests


def _area_step():
    """The form's "show this kecamatan's desa" button (pages without JavaScript): the
    page comes back with what was typed and the chosen kecamatan's desa, unchecked."""
    return request.method == "POST" and bool(request.form.get("area_step"))


@bp.get("/jemput-bola")
@page_roles("admin", "coordinator", "staff")
def requests():
    status = request.args.get("status") or None
    if status not in REQUEST_STATUSES:
        status = None
    rows = services.list_requests(current_user, status=status)
    return render_template(
        "outreach/requests.html", rows=rows, status=status, statuses=REQUEST_STATUSES
    )


def _request_form():
    return forms.set_area_choices(forms.RequestForm())


@bp.route("/jemput-bola/baru", methods=["GET", "POST"])
@page_roles("coordinator")
def new_request():
    form = _request_form()
    context = {"form": form}
    g.form_page = ("outreach/request_form.html", context)
    if _area_step():
        return render_form("outreach/request_form.html", status=200, **context)
    if not form.validate_on_submit():
        return render_form("outreach/request_form.html", **context)
    dates = [
        d
        for d in (
            form.preferred_date_1.data,
            form.preferred_date_2.data,
            form.preferred_date_3.data,
        )
        if d
    ]
    created = services.create_request(
        current_user,
        services.RequestInput(
            institution_kind=form.institution_kind.data,
            institution_name=form.institution_name.data.strip(),
            address=form.address.data.strip(),
            kecamatan=form.kecamatan.data,
            desa=form.desa.data,
            expected_participants=form.expected_participants.data,
            preferred_dates=dates,
            contact_name=form.contact_name.data.strip(),
            contact_phone=form.contact_phone.data,
            notes=(form.notes.data or "").strip(),
        ),
    )
    flash(_("Permintaan terkirim. Disdukcapil akan meninjaunya."))
    return redirect(url_for("outreach_views.request_detail", request_id=created.id))


def _language():
    return get_locale().language


def _shown(action, session, appointments_shown, what=""):
    """Audit the participants a page showed (scheduler.reads)."""
    if session is not None:
        reads.record_view(
            current_user,
            action,
            site_id=session.site_id,
            detail=f"{what}session {session.id}",
            appointment_ids=[a.id for a in appointments_shown],
        )


def _detail(request_id, **forms_given):
    overview = services.request_overview(request_id, current_user, _language())
    _shown("view_outreach", overview["session"], overview["participants"])
    suggested = services.suggested_approval(overview["request"])
    context = {
        **overview,
        "approve_form": forms_given.get("approve_form") or forms.ApproveForm(data=suggested),
        "decline_form": forms_given.get("decline_form") or forms.DeclineForm(),
        "cancel_form": forms.CancelForm(),
        "roster_form": forms.RosterForm(),
        "public_form": forms.PublicForm(),
        "session_staff": services.staff_for_session(overview["session"])
        if overview["session"] is not None and current_user.role == "admin"
        else [],
        "outcome_labels": _outcome_labels(),
        "owned_kits": current_app.config["OUTREACH_KITS"],
    }
    return context


@bp.get("/jemput-bola/<int:request_id>")
@page_roles("admin", "coordinator", "staff")
def request_detail(request_id):
    return render_form("outreach/request_detail.html", **_detail(request_id))


@bp.post("/jemput-bola/<int:request_id>/setujui")
@page_roles("admin")
def approve(request_id):
    form = forms.ApproveForm()
    context = _detail(request_id, approve_form=form)
    g.form_page = ("outreach/request_detail.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/request_detail.html", form, **context)
    approved = services.approve_request(
        request_id,
        current_user,
        form.date.data,
        services.parse_hhmm(form.start.data, "start"),
        services.parse_hhmm(form.end.data, "end"),
        form.kits.data,
        form.team.data,
    )
    flash(_("Permintaan disetujui; sesi dan jadwalnya sudah dibuat."))
    note = services.date_notes([form.date.data], _language()).get(form.date.data)
    if note:
        flash(_("Perhatian: tanggal sesi jatuh pada %(note)s.", note=note))
    short = approved.expected_participants - approved.session.capacity
    if short > 0:
        flash(_("Perhatian: kursi sesi kurang %(n)s dari perkiraan peserta.", n=l10n.number(short)))
    return redirect(url_for("outreach_views.request_detail", request_id=request_id))


@bp.post("/jemput-bola/<int:request_id>/tolak")
@page_roles("admin")
def decline(request_id):
    form = forms.DeclineForm()
    context = _detail(request_id, decline_form=form)
    g.form_page = ("outreach/request_detail.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/request_detail.html", form, **context)
    services.decline_request(request_id, current_user, form.reason.data.strip())
    flash(_("Permintaan ditolak; koordinator melihat alasannya."))
    return redirect(url_for("outreach_views.request_detail", request_id=request_id))


@bp.post("/jemput-bola/<int:request_id>/batal")
@page_roles("admin", "coordinator")
def cancel(request_id):
    form = forms.CancelForm()
    context = _detail(request_id)
    g.form_page = ("outreach/request_detail.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/request_detail.html", form, **context)
    services.cancel_request(request_id, current_user, (form.reason.data or "").strip())
    flash(_("Permintaan dibatalkan."))
    return redirect(url_for("outreach_views.request_detail", request_id=request_id))


# ----------------------------------------------------------------------------- sessions


@bp.post("/jemput-bola/sesi/<int:session_id>/peserta")
@body_limit(roster.upload_limit)
@page_roles("admin", "coordinator")
def upload_roster(session_id):
    form = forms.RosterForm()
    session = services.get_session(session_id, current_user)
    context = _detail(session.request_id)
    g.form_page = ("outreach/request_detail.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/request_detail.html", form, **context)
    upload = form.file.data
    steps = roster.stream_roster_import(session_id, current_user, upload.filename, upload.read())
    # Streamed: the page shows progress while hundreds of rows are booked.
    return Response(
        stream_template("outreach/roster_progress.html", steps=steps, session=session),
        mimetype="text/html",
    )


@bp.post("/jemput-bola/sesi/<int:session_id>/publik")
@page_roles("admin")
def set_public(session_id):
    form = forms.PublicForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
    opened = request.form.get("is_public") == "1"
    session = services.set_session_public(session_id, current_user, opened)
    flash(
        _("Jadwal sesi dibuka untuk umum.")
        if opened
        else _("Jadwal sesi hanya lewat tautan dan daftar peserta.")
    )
    return redirect(url_for("outreach_views.request_detail", request_id=session.request_id))


@bp.post("/jemput-bola/sesi/<int:session_id>/petugas")
@page_roles("admin")
def assign_staff(session_id):
    form = forms.PublicForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Sesi formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
    try:
        user_ids = [int(v) for v in request.form.getlist("user_ids")]
    except ValueError:
        raise ValidationError(fields={"user_ids": _("Isian tidak sah.")}) from None
    session = services.get_session(session_id, current_user, roles=("admin",))
    services.assign_session_staff(session_id, current_user, user_ids)
    flash(_("Petugas sesi tersimpan."))
    return redirect(url_for("outreach_views.request_detail", request_id=session.request_id))


def _qr_data_uri(appointment):
    png = appointments.qr_png(appointment, box_size=3)
    return "data:image/png;base64," + base64.b64encode(png).decode()


@bp.get("/jemput-bola/sesi/<int:session_id>/daftar-hadir")
@page_roles("admin", "coordinator", "staff")
def attendance(session_id):
    session = services.get_session(
        session_id, current_user, roles=("admin", "coordinator", "staff")
    )
    overview = services.request_overview(session.request_id, current_user)
    rows = [(a, _qr_data_uri(a)) for a in overview["participants"] if a.status != "cancelled"]
    _shown("export", session, [a for a, _uri in rows], what="attendance list, ")
    return render_template("outreach/attendance.html", rows=rows, **overview)


@bp.route("/jemput-bola/sesi/<int:session_id>/hasil", methods=["GET", "POST"])
@page_roles("admin", "staff")
def tally(session_id):
    session = services.get_session(session_id, current_user, roles=("admin", "staff"))
    form = forms.TallyForm(data={"summary": session.summary} if request.method == "GET" else None)
    context = {
        "session": session,
        "form": form,
        "rows": services.tally_rows(session),
        "counts": services.tally_counts(session),
        "outcomes": OUTCOMES,
        "outcome_labels": _outcome_labels(),
    }
    if request.method == "GET":
        _shown("view_outreach", session, [a for a, _outcome in context["rows"]])
    g.form_page = ("outreach/tally.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/tally.html", **context)
    outcomes = {}
    for key, value in request.form.items():
        if key.startswith("outcome-") and value:
            try:
                outcomes[int(key.removeprefix("outcome-"))] = value
            except ValueError:
                raise ValidationError(fields={"outcome": _("Isian tidak sah.")}) from None
    result = services.record_tally(
        session_id, current_user, outcomes, (form.summary.data or "").strip()
    )
    flash(_("Hasil sesi tersimpan."))
    statuses = _appointment_labels()
    for appointment, _outcome, why in result.kept:
        flash(
            _(
                "%(name)s (%(code)s) tidak diubah: %(why)s",
                name=appointment.name,
                code=appointment.code,
                why=_("sudah berstatus '%(s)s' di loket.", s=statuses[why])
                if why in statuses
                else why,
            )
        )
    return redirect(url_for("outreach_views.tally", session_id=session_id))


# ------------------------------------------------------------- the session's public page


def _booking_form(session):
    form = forms.SessionBookingForm()
    form.slot_id.choices = [
        (
            s.id,
            _(
                "%(start)s-%(end)s (%(n)s kursi tersisa)",
                start=sites.to_local(session.site, s.starts_at).strftime("%H:%M"),
                end=sites.to_local(session.site, s.ends_at).strftime("%H:%M"),
                n=s.available,
            ),
        )
        for s in services.session_slots(session)
        if s.available > 0
    ]
    return form


@bp.route("/jemput-bola/sesi/<int:session_id>", methods=["GET", "POST"])
@booking_limit(methods=["POST"])
def session_page(session_id):
    signature = request.args.get("s", "")
    session = services.session_by_link(session_id, signature)
    form = _booking_form(session)
    context = {
        "session": session,
        "form": form,
        "signature": signature,
        "is_open": services.is_open(session),
        "slots": services.session_slots(session),
        "local_start": sites.to_local(session.site, session.starts_at),
        "local_end": sites.to_local(session.site, session.ends_at),
        "zone": sites.zone_label(session.site),
    }
    g.form_page = ("outreach/session_public.html", context)
    if request.method == "GET":
        return render_form("outreach/session_public.html", **context)
    if not form.validate_on_submit():
        errors = booking_faults(form, context["local_start"].date())
        return render_form("outreach/session_public.html", errors=errors, **context)
    applicant, phone_errors = applicant_of(form)
    booked = services.book_session_seat(
        session_id, signature, form.slot_id.data, applicant, field_errors=phone_errors
    )
    # The same page as any booking: QR code, what to bring, calendar file, cancel link.
    flash(_("Janji temu Anda sudah tercatat. Simpan atau cetak halaman ini."))
    return redirect(
        url_for(
            "appointments_views.appointment",
            code=booked.code,
            s=appointments.link_signature(booked.code),
        )
    )


# -------------------------------------------------------------------------- invitations


@bp.route("/jemput-bola/undangan", methods=["GET", "POST"])
@page_roles("admin")
def invite():
    form = forms.InviteForm()
    context = {"form": form, "link": None, "days": current_app.config["OUTREACH_INVITE_DAYS"]}
    g.form_page = ("outreach/invite.html", context)
    if form.validate_on_submit():
        context["link"] = services.invite_coordinator(form.email.data, form.name.data.strip())
    elif request.method == "POST":
        return render_form("outreach/invite.html", **context)
    # The new link is shown on the page that answers the POST: 200.
    return render_form("outreach/invite.html", status=200, **context)


@bp.route("/jemput-bola/undangan/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    invitation = services.read_invitation(token)
    form = forms.AcceptForm()
    context = {"form": form, "invitation": invitation}
    g.form_page = ("outreach/accept.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/accept.html", **context)
    services.accept_invitation(token, form.password.data)
    flash(_("Akun koordinator sudah dibuat. Silakan masuk."))
    return redirect(url_for("staff_views.login"))


# ----------------------------------------------------------------------------- coverage


def _coverage_context(manual=None, upload=None):
    manual = forms.set_area_choices(manual or forms.CoverageForm(formdata=None))
    desa = coverage_service.ranking("desa")
    schools = coverage_service.ranking("school")
    totals = coverage_service.totals()
    return {
        "totals": totals,
        "trend": coverage_chart.trend_chart(coverage_history.monthly_history(12), totals.target),
        "desa_rows": desa,
        "school_rows": schools,
        "chart": coverage_service.bar_chart(desa[:15]),
        "sessions": coverage_service.sessions_by_desa(),
        "manual": manual,
        "upload": upload or forms.CoverageUploadForm(formdata=None),
    }


@bp.route("/cakupan", methods=["GET", "POST"])
@page_roles("admin")
def coverage():
    if request.method == "GET":
        return render_form("outreach/coverage.html", **_coverage_context())
    form = forms.set_area_choices(forms.CoverageForm())
    context = _coverage_context(manual=form)
    g.form_page = ("outreach/coverage.html", context)
    if _area_step():
        return render_form("outreach/coverage.html", status=200, **context)
    if not form.validate_on_submit():
        return render_form("outreach/coverage.html", form, **context)
    coverage_service.save_figure(
        form.kecamatan.data,
        form.desa.data,
        form.wktp.data,
        form.recorded.data,
        form.school.data,
        counted_on=form.counted_on.data,
    )
    flash(_("Angka cakupan tersimpan."))
    return redirect(url_for("outreach_views.coverage"))


@bp.post("/cakupan/unggah")
@page_roles("admin")
def coverage_upload():
    form = forms.CoverageUploadForm()
    context = _coverage_context(upload=form)
    g.form_page = ("outreach/coverage.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/coverage.html", form, **context)
    count = coverage_service.import_figures(form.file.data.read())
    flash(_("%(n)s baris angka cakupan tersimpan.", n=count))
    return redirect(url_for("outreach_views.coverage"))


from scheduler.outreach import home_views, offline_views  # noqa: E402,F401  (routes on bp)
