"""A family's booking page (one Kartu Keluarga): members added one by one with a button
that posts the form back (no JavaScript needed), all booked at once, and the page that
lists their codes and QR codes."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from scheduler.appointments import services
from scheduler.appointments.forms import HouseholdForm
from scheduler.appointments.views import _link, bp
from scheduler.booking_limit import booking_limit
from scheduler.errors import DomainError, NotFound
from scheduler.forms import render_form
from scheduler.sites import services as sites

TEMPLATE = "appointments/household.html"


def _form_errors(exc):
    """A service's fields (`members.2.nik`) as the form's field names (`members-2-nik`)."""
    return {name.replace(".", "-"): str(message) for name, message in (exc.fields or {}).items()}


def _drop_member(form, index):
    kept = [entry.data for i, entry in enumerate(form.members) if i != index]
    form.members.entries, form.members.last_index = [], -1
    for data in kept:
        form.members.append_entry(data)


def _household(form):
    return services.Household(
        phone=services.normalize_phone(form.phone.data),
        email=form.email.data,
        locale=str(get_locale() or "id"),
        members=[
            services.Member(
                nik=entry.form.nik.data,
                name=entry.form.name.data,
                birth_date=entry.form.birth_date.data,
                married=entry.form.married.data,
                assistance=entry.form.assistance.data,
            )
            for entry in form.members
        ],
    )


@bp.route("/pesan/<int:slot_id>/keluarga", methods=["GET", "POST"])
@booking_limit(methods=["POST"])
def book_household(slot_id):
    try:
        slot = sites.get_bookable_slot(slot_id)
    except DomainError as exc:
        message = next(iter(exc.fields.values()), exc.message)
        return render_template("appointments/unavailable.html", message=str(message)), 404
    form = HouseholdForm()
    context = {
        "form": form,
        "slot": slot,
        "site": slot.site,
        "zone": sites.zone_label(slot.site),
        "max_members": services.MAX_MEMBERS,
    }
    if request.method == "GET":
        return render_form(TEMPLATE, **context)
    # Adding or removing a member posts the form back: the page again, nothing refused.
    if request.form.get("add_member"):
        if len(form.members) < services.MAX_MEMBERS:
            form.members.append_entry()
        return render_form(TEMPLATE, status=200, **context)
    remove = request.form.get("remove_member", "")
    if remove.isdigit():
        if len(form.members) > 1:
            _drop_member(form, int(remove))
        return render_form(TEMPLATE, status=200, **context)
    if not form.validate_on_submit():
        return render_form(TEMPLATE, **context)
    try:
        booked = services.book_household(slot_id, _household(form), channel="web")
    except DomainError as exc:
        return render_form(
            TEMPLATE,
            status=exc.status,
            errors=_form_errors(exc),
            error_message=str(exc.message),
            **context,
        )
    flash(_("Janji temu untuk %(n)s anggota keluarga sudah tercatat.", n=len(booked)))
    codes = ".".join(a.code for a in booked)
    return redirect(url_for(".household", k=codes, s=services.household_signature(codes)))


@bp.get("/keluarga")
def household():
    """Every member's code, time and QR code (a signed link over the codes)."""
    codes = request.args.get("k", "")
    if not codes or not services.verify_household(codes, request.args.get("s")):
        raise NotFound()
    members = [services.get_by_code(code) for code in codes.split(".")[: services.MAX_MEMBERS]]
    rows = [
        {
            "appointment": a,
            "link": _link(a),
            "qr_url": url_for(
                "appointments_api.qr_png", code=a.code, s=services.link_signature(a.code)
            ),
            "starts": sites.to_local(a.site, a.slot.starts_at),
        }
        for a in members
    ]
    response = render_template("appointments/household_done.html", rows=rows)
    return response
