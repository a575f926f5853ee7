"""Home-visit pages: the request form for a family or a village coordinator (no login),
and the admins' and staff's list, plan and results (/petugas/kunjungan-rumah)."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.auth import page_roles
from scheduler.booking_limit import booking_limit
from scheduler.errors import ValidationError
from scheduler.forms import render_form
from scheduler.outreach import forms as outreach_forms
from scheduler.outreach import services
from scheduler.outreach.home_forms import REASON_LABELS, HomeVisitForm, PlanForm
from scheduler.outreach.home_schemas import visit_json
from scheduler.outreach.views import _area_step, bp


@bp.route("/kunjungan-rumah", methods=["GET", "POST"])
@booking_limit(methods=["POST"])
def home_visit_request():
    form = outreach_forms.set_area_choices(HomeVisitForm())
    context = {"form": form}
    g.form_page = ("outreach/home_visit_form.html", context)
    if _area_step():
        return render_form("outreach/home_visit_form.html", status=200, **context)
    if not form.validate_on_submit():
        return render_form("outreach/home_visit_form.html", **context)
    visit = services.request_home_visit(
        services.HomeVisitInput(
            nik=form.nik.data.strip(),
            name=form.name.data.strip(),
            birth_date=form.birth_date.data,
            married=form.married.data,
            reason=form.reason.data,
            reason_note=(form.reason_note.data or "").strip(),
            address=form.address.data.strip(),
            kecamatan=form.kecamatan.data,
            desa=form.desa.data,
            contact_name=form.contact_name.data.strip(),
            contact_phone=form.contact_phone.data,
        ),
        requested_by=current_user if current_user.is_authenticated else None,
    )
    flash(
        _(
            "Permintaan kunjungan rumah untuk %(name)s tercatat. Disdukcapil akan mengirim "
            "hari dan jam kunjungan ke %(phone)s.",
            name=visit.name,
            phone=visit.contact_phone,
        )
    )
    return redirect(url_for("outreach_views.home_visit_request"))


def _staff_context(plan_form=None):
    visits = services.list_home_visits()
    return {
        "visits": [visit_json(v) for v in visits],
        "plan_form": plan_form or PlanForm(formdata=None),
        "reasons": {k: str(v) for k, v in REASON_LABELS.items()},
    }


@bp.get("/petugas/kunjungan-rumah")
@page_roles("admin", "staff")
def home_visits():
    return render_form("outreach/home_visits.html", **_staff_context())


@bp.post("/petugas/kunjungan-rumah/rencana")
@page_roles("admin")
def home_visit_plan():
    form = PlanForm()
    context = _staff_context(plan_form=form)
    g.form_page = ("outreach/home_visits.html", context)
    if not form.validate_on_submit():
        return render_form("outreach/home_visits.html", form, **context)
    ids = [int(v) for v in request.form.getlist("visit") if v.isdigit()]
    if not ids:
        raise ValidationError(fields={"visit": _("Pilih kunjungan yang dijadwalkan.")})
    visits = services.plan_home_visits(
        current_user,
        form.date.data,
        form.team.data.strip(),
        services.parse_hhmm(form.start.data, "start"),
        form.minutes.data,
        ids,
    )
    flash(_("%(n)s kunjungan dijadwalkan; keluarga diberi tahu hari dan jamnya.", n=len(visits)))
    return redirect(url_for("outreach_views.home_visits"))


@bp.post("/petugas/kunjungan-rumah/<int:visit_id>/hasil")
@page_roles("admin", "staff")
def home_visit_result(visit_id):
    g.form_page = ("outreach/home_visits.html", _staff_context())
    visit = services.record_home_visit(
        current_user,
        visit_id,
        request.form.get("outcome", ""),
        (request.form.get("reason") or "").strip()[:150],
    )
    flash(_("Hasil kunjungan %(name)s tercatat.", name=visit.name))
    return redirect(url_for("outreach_views.home_visits"))
