"""Sites JSON API: /api/v1/sites and their slots."""

from flask import Blueprint, Response, jsonify

from scheduler.openapi import api_doc, parse_query
from scheduler.sites import services
from scheduler.sites.schemas import (
    SitesOut,
    SitesQuery,
    SlotsOut,
    SlotsQuery,
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
