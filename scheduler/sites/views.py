"""Admin pages for sites, their opening calendar, slot generation and holidays; and the
template filters that show a site's local dates and times."""

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from scheduler.auth import page_roles
from scheduler.errors import DomainError
from scheduler.forms import render_form
from scheduler.sites import services
from scheduler.sites.forms import (
    CATEGORY_LABELS,
    KIND_LABELS,
    WEEKDAYS,
    ZONE_CHOICES,
    ExceptionForm,
    HolidayForm,
    SiteForm,
    WeekForm,
)

bp = Blueprint("sites_views", __name__, url_prefix="/admin")


# --------------------------------------------------------------------- template filters


@bp.app_template_filter("site_time")
def site_time(moment, site):
    """HH:MM of a UTC moment in the site's zone."""
    return services.to_local(site, moment).strftime("%H:%M")


@bp.app_template_filter("site_date")
def site_date(moment, site):
    return services.to_local(site, moment).date()


@bp.app_template_filter("long_date")
def long_date(day):
    """'Selasa, 8 Desember 2026' in the page's language."""
    return format_date(day, "EEEE, d MMMM y")


@bp.app_template_filter("zone_label")
def zone_label(site):
    return services.zone_label(site)


@bp.app_template_filter("site_kind")
def site_kind(kind):
    return str(KIND_LABELS.get(kind, kind))


# ------------------------------------------------------------------------------ helpers


def _day_fields(exc):
    """The service names the weekday ("day4"): its message goes on that day's opening."""
    return {
        (f"days-{name[3:]}-opens_at" if name.startswith("day") else name): str(message)
        for name, message in exc.fields.items()
    }


def _report_view(report, title, back):
    conflicts = [
        {**c, "starts_at": datetime.fromisoformat(c["starts_at"])} for c in report["conflicts"]
    ]
    return render_template(
        "sites/report.html", report=report, conflicts=conflicts, title=title, back=back
    )


def _week_data(site):
    by_day = {h.weekday: h for h in site.hours}
    days = []
    for weekday in range(7):
        h = by_day.get(weekday)
        days.append(
            {
                "opens_at": h.opens_at if h else None,
                "closes_at": h.closes_at if h else None,
                "break_starts_at": h.break_starts_at if h else None,
                "break_ends_at": h.break_ends_at if h else None,
            }
        )
    return {"days": days}


def _schedule_context(site, week=None, exception=None):
    return {
        "site": site,
        "week": week or WeekForm(data=_week_data(site), formdata=None),
        "exception_form": exception or ExceptionForm(formdata=None),
        "exceptions": services.list_exceptions(site.id),
        "weekdays": WEEKDAYS,
    }


# -------------------------------------------------------------------------------- sites


@bp.get("/lokasi")
@page_roles("admin")
def sites():
    return render_template(
        "sites/sites.html",
        sites=services.list_sites(include_inactive=True),
        zones=ZONE_CHOICES,
    )


@bp.route("/lokasi/baru", methods=["GET", "POST"])
@page_roles("admin")
def site_new():
    return _site_form(None)


@bp.route("/lokasi/<int:site_id>", methods=["GET", "POST"])
@page_roles("admin")
def site_edit(site_id):
    return _site_form(services.get_site(site_id))


def _site_form(site):
    form = SiteForm(obj=site) if site is not None else SiteForm()
    # The "show this kecamatan's desa" button (no JavaScript): back with what was typed.
    if request.method == "POST" and request.form.get("area_step"):
        return render_form("sites/site_form.html", form, status=200, site=site)
    if request.method == "GET" or not form.validate_on_submit():
        return render_form("sites/site_form.html", form, site=site)
    try:
        saved = services.save_site(site.id if site else None, **form.site_fields())
    except DomainError as exc:
        return render_form("sites/site_form.html", form, error=exc, site=site)
    flash(_("Lokasi %(name)s tersimpan.", name=saved.name))
    if site is None:
        return redirect(url_for(".schedule", site_id=saved.id))
    return redirect(url_for(".sites"))


@bp.route("/lokasi/<int:site_id>/jadwal", methods=["GET", "POST"])
@page_roles("admin")
def schedule(site_id):
    site = services.get_site(site_id)
    if request.method == "GET":
        return render_form("sites/schedule.html", **_schedule_context(site))
    week = WeekForm()
    context = _schedule_context(site, week=week)
    if not week.validate_on_submit():
        return render_form("sites/schedule.html", **context)
    try:
        services.set_weekly_hours(site.id, week.hours())
    except DomainError as exc:
        return render_form("sites/schedule.html", error=exc, errors=_day_fields(exc), **context)
    flash(_("Jadwal mingguan tersimpan. Tekan 'Buat slot sekarang' agar berlaku."))
    return redirect(url_for(".schedule", site_id=site.id))


@bp.post("/lokasi/<int:site_id>/pengecualian")
@page_roles("admin")
def exception_add(site_id):
    site = services.get_site(site_id)
    form = ExceptionForm()
    context = _schedule_context(site, exception=form)
    if not form.validate_on_submit():
        return render_form("sites/schedule.html", **context)
    try:
        services.add_exception(
            None if form.all_sites.data else site.id,
            form.starts_on.data,
            form.ends_on.data,
            form.closed.data,
            reason=(form.reason.data or "").strip(),
            opens_at=form.opens_at.data,
            closes_at=form.closes_at.data,
            break_starts_at=form.break_starts_at.data,
            break_ends_at=form.break_ends_at.data,
        )
    except DomainError as exc:
        return render_form("sites/schedule.html", error=exc, **context)
    flash(_("Pengecualian jadwal tersimpan. Tekan 'Buat slot sekarang' agar berlaku."))
    return redirect(url_for(".schedule", site_id=site.id))


@bp.post("/lokasi/<int:site_id>/pengecualian/<int:exception_id>/hapus")
@page_roles("admin")
def exception_delete(site_id, exception_id):
    services.delete_exception(exception_id)
    flash(_("Pengecualian jadwal dihapus. Tekan 'Buat slot sekarang' agar berlaku."))
    return redirect(url_for(".schedule", site_id=site_id))


@bp.post("/lokasi/<int:site_id>/buat-slot")
@page_roles("admin")
def generate(site_id):
    site = services.get_site(site_id)
    report = services.generate_slots(site_id=site.id)
    return _report_view(
        report, _("Slot %(name)s", name=site.name), url_for(".schedule", site_id=site.id)
    )


@bp.post("/lokasi/buat-slot")
@page_roles("admin")
def generate_all():
    report = services.generate_slots()
    return _report_view(report, _("Slot semua lokasi"), url_for(".sites"))


# ----------------------------------------------------------------------------- holidays


def _year():
    year = request.args.get("tahun", type=int)
    return year if year and 1900 <= year <= 2200 else services.local_today().year


def _holidays_page(year, form, error=None):
    return render_form(
        "sites/holidays.html",
        form,
        error=error,
        year=year,
        rows=services.holiday_year(year, str(get_locale() or "id")),
        categories=CATEGORY_LABELS,
    )


@bp.get("/hari-libur")
@page_roles("admin")
def holidays():
    return _holidays_page(_year(), HolidayForm(formdata=None))


@bp.post("/hari-libur")
@page_roles("admin")
def holiday_add():
    form = HolidayForm()
    year = form.on.data.year if form.on.data else _year()
    if not form.validate_on_submit():
        return _holidays_page(year, form)
    try:
        report = services.add_holiday(form.on.data, form.name.data.strip(), form.category.data)
    except DomainError as exc:
        return _holidays_page(year, form, exc)
    return _report_view(
        report,
        _("Hari libur %(day)s ditambahkan", day=long_date(form.on.data)),
        url_for(".holidays", tahun=year),
    )


def _holiday_action(raw, service, title):
    try:
        on = date.fromisoformat(raw)
    except ValueError:
        return redirect(url_for(".holidays"))
    report = service(on)
    return _report_view(report, title % {"day": long_date(on)}, url_for(".holidays", tahun=on.year))


@bp.post("/hari-libur/<raw>/hapus")
@page_roles("admin")
def holiday_remove(raw):
    return _holiday_action(raw, services.remove_holiday, _("%(day)s menjadi hari kerja"))


@bp.post("/hari-libur/<raw>/pulihkan")
@page_roles("admin")
def holiday_restore(raw):
    return _holiday_action(raw, services.restore_holiday, _("Koreksi %(day)s dibatalkan"))
