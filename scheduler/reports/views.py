"""Pages: the public dashboard (/angka), the monthly report (page, CSV, XLSX) and the
export for SIAK."""

from datetime import datetime
from decimal import Decimal

from babel.dates import format_datetime
from flask import Blueprint, Response, make_response, render_template, request
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from scheduler.auth import page_roles
from scheduler.errors import ValidationError
from scheduler.reports import charts, dashboard, exports, monthly, siak

bp = Blueprint("reports_views", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("report_num")
def num(value):
    """A count in the page's language (643.450 / 643,450); a dash when withheld."""
    return "–" if value is None else format_decimal(value, format="#,##0")


@bp.app_template_filter("report_pct")
def pct(value):
    if value is None:
        return "–"
    return format_decimal(Decimal(str(value)).quantize(Decimal("0.01")), format="#,##0.00") + " %"


@bp.app_template_filter("report_dec")
def dec1(value):
    return "–" if value is None else format_decimal(value, format="#,##0.#")


@bp.app_template_filter("report_when")
def slot_when(iso):
    """'Sel, 8 Des 10.00 WIB' for an ISO moment with its offset (the site's zone)."""
    moment = datetime.fromisoformat(iso)
    zone = {7: "WIB", 8: "WITA", 9: "WIT"}.get(int(moment.utcoffset().total_seconds() // 3600), "")
    text = format_datetime(moment, "EEE, d MMM HH.mm", tzinfo=moment.tzinfo, locale=get_locale())
    return f"{text} {zone}".strip()


@bp.get("/angka")
def public_dashboard():
    figures, max_age = dashboard.public_dashboard()
    coverage = figures["coverage"]
    svg = charts.kecamatan_chart(coverage["kecamatan"], coverage["target"])
    chart = Markup(svg)  # noqa: S704 (numbers and escaped labels)
    html = render_template(
        "reports/dashboard.html",
        f=figures,
        chart=chart,
        withheld=_("di bawah %(n)s", n=figures["suppression_threshold"]),
    )
    response = make_response(html)
    # The page may carry a staff member's menu and the language chosen in the session:
    # kept by the browser only, and only as long as the figures behind it are served.
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    response.vary.update(("Cookie", "Accept-Language"))
    return response


# ------------------------------------------------------------------ the monthly report


def _report():
    year, month = monthly.parse_month(request.args.get("month"))
    return monthly.monthly_report(year, month, site_ids=current_user.acting_site_ids)


@bp.get("/petugas/laporan-bulanan")
@page_roles("admin", "staff")
def monthly_report():
    try:
        report = _report()
    except ValidationError as exc:
        today = monthly.parse_month(None)
        report = monthly.monthly_report(*today, site_ids=current_user.acting_site_ids)
        return render_template(
            "reports/monthly.html",
            r=report,
            columns=monthly.COLUMNS,
            labels=monthly.LABELS,
            error=exc.fields.get("month"),
        ), 422
    return render_template(
        "reports/monthly.html", r=report, columns=monthly.COLUMNS, labels=monthly.LABELS
    )


def _download(body, mimetype, report, extension):
    response = Response(body, mimetype=mimetype)
    name = f"laporan-bulanan-{report.label}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/petugas/laporan-bulanan.csv")
@page_roles("admin", "staff")
def monthly_report_csv():
    report = _report()
    return _download(exports.report_csv(report), "text/csv", report, "csv")


@bp.get("/petugas/laporan-bulanan.xlsx")
@page_roles("admin", "staff")
def monthly_report_xlsx():
    report = _report()
    return _download(exports.report_xlsx(report), XLSX, report, "xlsx")


# ------------------------------------------------------------------- the SIAK export


@bp.get("/petugas/siak")
@page_roles(*siak.SIAK_ROLES)
def siak_export():
    error = None
    try:
        day = siak.parse_day(request.args.get("date"))
    except ValidationError as exc:
        day, error = siak.parse_day(None), exc.fields.get("date")
    html = render_template(
        "reports/siak.html", day=day, count=siak.count_recorded(day), error=error
    )
    return html, 422 if error else 200


@bp.get("/petugas/siak/perekaman.csv")
@page_roles(*siak.SIAK_ROLES)
def siak_export_csv():
    name, body = siak.export_recorded(current_user, siak.parse_day(request.args.get("date")))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Full NIKs: kept by no cache, neither the browser's nor a proxy's.
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["Pragma"] = "no-cache"
    return response
