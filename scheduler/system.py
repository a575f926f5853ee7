"""Health and readiness checks, Prometheus metrics, the OpenAPI document, and JSON 404s
under /api/."""

from typing import Literal

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from scheduler import clock, metrics
from scheduler.errors import Forbidden, NotFound, Unauthorized
from scheduler.extensions import db, limiter
from scheduler.openapi import api_doc, build_openapi

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


class Readiness(BaseModel):
    status: Literal["ok", "error"]
    database: str = Field(description="ok or unreachable")
    redis: str = Field(description="ok, unreachable, or not_configured (no REDIS_URL)")
    outbox: dict = Field(
        description="status (ok, backlog, unknown), due (messages due and unsent), "
        "oldest_due_seconds, and the limits"
    )


@bp.get("/readyz")
@api_doc(
    "Readiness: the database, Redis (when configured) and the outbox backlog",
    response=Readiness,
    same_schema_for=(503,),
    description="200 when every check passes; 503 with the same document when one fails "
    "(READYZ_OUTBOX_BACKLOG due messages, or the oldest due longer than "
    "READYZ_OUTBOX_MAX_AGE_SECONDS).",
)
def readyz():
    config = current_app.config
    answer = {"database": "ok", "redis": "not_configured"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        answer["database"] = "unreachable"
    if config.get("REDIS_URL"):
        answer["redis"] = "ok" if limiter.storage.check() else "unreachable"
    limits = {
        "max_due": int(config["READYZ_OUTBOX_BACKLOG"]),
        "max_age_seconds": int(config["READYZ_OUTBOX_MAX_AGE_SECONDS"]),
    }
    if answer["database"] == "ok":
        from scheduler.notifications import services as notifications

        backlog = notifications.due_backlog(clock.now())
        late = (
            backlog["due"] > limits["max_due"]
            or backlog["oldest_due_seconds"] > limits["max_age_seconds"]
        )
        answer["outbox"] = {"status": "backlog" if late else "ok", **backlog, **limits}
    else:
        answer["outbox"] = {"status": "unknown", **limits}
    db.session.rollback()
    ready = answer["database"] == "ok" and answer["redis"] != "unreachable"
    ready = ready and answer["outbox"]["status"] == "ok"
    answer = {"status": "ok" if ready else "error", **answer}
    return jsonify(answer), 200 if ready else 503


@bp.get("/metrics")
def prometheus_metrics():
    """Prometheus text format: from loopback (directly, or through PROXY_COUNT proxies
    that say so), or for an admin's token."""
    if not _may_scrape():
        if not current_user.is_authenticated:
            raise Unauthorized()
        raise Forbidden()
    try:
        body, content_type = metrics.render()
    finally:
        db.session.rollback()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


LOOPBACK = {"127.0.0.1", "::1"}


def _may_scrape():
    # Without trusted proxies, a request relayed by a local proxy also comes from
    # loopback: one that carries X-Forwarded-For is not taken for a local scraper.
    local = request.remote_addr in LOOPBACK and (
        current_app.config["PROXY_COUNT"] or "HTTP_X_FORWARDED_FOR" not in request.environ
    )
    return local or (current_user.is_authenticated and current_user.role == "admin")


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(build_openapi())


@bp.route("/api/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def api_not_found(rest):
    raise NotFound()
