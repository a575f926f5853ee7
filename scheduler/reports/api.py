"""Reports JSON API: the public dashboard."""

from flask import Blueprint, jsonify, request

from scheduler.openapi import api_doc
from scheduler.reports import dashboard
from scheduler.reports.schemas import DashboardOut

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
