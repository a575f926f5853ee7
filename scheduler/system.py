"""Health check, the OpenAPI document, and JSON 404s under /api/."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from scheduler.errors import NotFound
from scheduler.extensions import db
from scheduler.openapi import build_openapi

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except Exception:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(build_openapi())


@bp.route("/api/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def api_not_found(rest):
    raise NotFound()
