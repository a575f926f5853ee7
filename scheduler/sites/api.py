"""Sites JSON API: /api/v1/sites and their slots."""

from flask import Blueprint, jsonify

from scheduler.openapi import api_doc, parse_query
from scheduler.sites import services
from scheduler.sites.schemas import (
    SitesOut,
    SitesQuery,
    SlotsOut,
    SlotsQuery,
    site_json,
    slots_json,
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
    site, slots = services.list_bookable_slots(site_id, q.from_, q.to)
    return jsonify(slots=slots_json(slots, site))
