"""Sites JSON API: /api/v1/sites and their slots, and the regency they are in."""

from flask import Blueprint, Response, current_app, jsonify

from scheduler import regions
from scheduler.openapi import api_doc, parse_query
from scheduler.sites import services
from scheduler.sites.schemas import (
    RegencyOut,
    SitesOut,
    SitesQuery,
    SlotsOut,
    SlotsQuery,
    regency_json,
    site_json,
)

bp = Blueprint("sites_api", __name__, url_prefix="/api/v1")


@bp.get("/sites")
@api_doc("List sites", query=SitesQuery, response=SitesOut)
def list_sites():
    q = parse_query(SitesQuery)
    sites = services.list_sites(kind=q.kind or None, kecamatan=q.kecamatan or None)
    return jsonify(sites=[site_json(s) for s in sites])


@bp.get("/sites/<int:site_id>/slots")
@api_doc("Bookable slots of a site", query=SlotsQuery, response=SlotsOut)
def list_slots(site_id):
    q = parse_query(SlotsQuery)
    # The database writes the array (see bookable_slots_json); only the envelope is here.
    document = '{"slots":' + services.bookable_slots_json(site_id, q.from_, q.to) + "}"
    return Response(document, mimetype="application/json")


@bp.get("/regency")
@api_doc(
    "The regency or city served",
    response=RegencyOut,
    description="Its Kemendagri code, name, kind, time zone, kecamatan and their desa and "
    "kelurahan, from the region data for the configured REGENCY_CODE.",
)
def regency():
    cfg = current_app.config
    body = regency_json(regions.current(), cfg["REGENCY_NAME"], cfg["REGENCY_TIMEZONE"])
    response = jsonify(body)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
