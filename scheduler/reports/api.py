"""Reports JSON API: the public dashboard and the monthly report."""

from flask import Blueprint, jsonify, request
from flask_login import current_user

from scheduler.auth import api_roles
from scheduler.openapi import api_doc, parse_query
from scheduler.reports import dashboard, monthly
from scheduler.reports.schemas import DashboardOut, MonthlyReportOut, MonthQuery, report_json

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")


@bp.get("/public/dashboard")
@api_doc(
    "The office's public figures",
    response=DashboardOut,
    description="No login. Coverage per kecamatan against the national target, blank "
    "cards in stock and days of cover, the next free slot and the typical wait per site, "
    "this month's recordings. No personal data; counts of people under 5 (and what they "
    "could be worked out from) are null. Cached: Cache-Control says for how long.",
)
def public_dashboard():
    figures, max_age = dashboard.public_dashboard()
    response = jsonify(figures)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.add_etag()  # a phone that has these figures gets a 304
    return response.make_conditional(request)


@bp.get("/reports/monthly")
@api_roles("admin", "staff")
@api_doc(
    "The monthly report",
    auth=True,
    query=MonthQuery,
    response=MonthlyReportOut,
    description="Bookings, recordings, no-shows, failed recordings, walk-ins, outreach "
    "sessions and participants, cards printed and collected, blanks received and spoiled, "
    "per site and per day of the month (the regency's local days). Staff see their own "
    "sites; admins every site and the blank ledger.",
)
def monthly_report():
    q = parse_query(MonthQuery)
    report = monthly.monthly_report(
        *monthly.parse_month(q.month), site_ids=current_user.acting_site_ids
    )
    return jsonify(report_json(report))
