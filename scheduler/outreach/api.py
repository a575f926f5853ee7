"""Outreach JSON API: requests (create, list, approve, decline) and roster upload."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from scheduler.auth import api_roles
from scheduler.errors import ValidationError
from scheduler.openapi import api_doc, parse_body, parse_query
from scheduler.outreach import roster, services, sync
from scheduler.outreach.schemas import (
    ROSTER_MULTIPART,
    ApproveIn,
    DeclineIn,
    RequestEnvelope,
    RequestIn,
    RequestsOut,
    RosterOut,
    StatusQuery,
    SyncIn,
    SyncOut,
    request_json,
)
from scheduler.security import body_limit

bp = Blueprint("outreach_api", __name__, url_prefix="/api/v1/outreach")


@bp.post("/requests")
@api_roles("coordinator")
@api_doc(
    "Request an outreach session (coordinator)",
    body=RequestIn,
    response=RequestEnvelope,
    status=201,
    auth=True,
)
def create_request():
    data = parse_body(RequestIn)
    created = services.create_request(current_user, services.RequestInput(**data.model_dump()))
    return jsonify(request=request_json(created)), 201


@bp.get("/requests")
@api_roles("admin", "coordinator")
@api_doc(
    "Outreach requests: a coordinator's own, every one for an admin",
    response=RequestsOut,
    query=StatusQuery,
    auth=True,
)
def list_requests():
    query = parse_query(StatusQuery)
    rows = services.list_requests(current_user, status=query.status or None)
    return jsonify(requests=[request_json(r) for r in rows])


@bp.post("/requests/<int:request_id>/approve")
@api_roles("admin")
@api_doc(
    "Approve a request: creates the session and its slots (admin)",
    body=ApproveIn,
    response=RequestEnvelope,
    auth=True,
)
def approve(request_id):
    data = parse_body(ApproveIn)
    approved = services.approve_request(
        request_id,
        current_user,
        data.on,
        services.parse_hhmm(data.start, "start"),
        services.parse_hhmm(data.end, "end"),
        data.kits,
        data.team,
    )
    return jsonify(request=request_json(approved))


@bp.post("/requests/<int:request_id>/decline")
@api_roles("admin")
@api_doc(
    "Decline a request with a reason (admin)", body=DeclineIn, response=RequestEnvelope, auth=True
)
def decline(request_id):
    data = parse_body(DeclineIn)
    return jsonify(
        request=request_json(services.decline_request(request_id, current_user, data.reason))
    )


@bp.post("/sessions/<int:session_id>/roster")
@body_limit(roster.upload_limit)
@api_roles("admin", "coordinator")
@api_doc(
    "Book a roster file (CSV or XLSX) into a session",
    multipart=ROSTER_MULTIPART,
    response=RosterOut,
    auth=True,
)
def upload_roster(session_id):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(fields={"file": _("Wajib diisi.")})
    report = roster.import_roster(session_id, current_user, upload.filename, upload.read())
    return jsonify(report)


SYNC_DESCRIPTION = (
    "An outreach desk that worked without signal sends its queue here, in the order the "
    "events happened. Each event is applied once, by its `id` (a UUID the device makes): "
    "sending it again answers `duplicate` with what the first sending did (`original`). "
    "`conflict`: another device or the office got there first (checked in, recorded, "
    "cancelled the booking or the session); `rejected`: the code is not a participant of "
    "this session, the device's time is not on the session's day, or a failure has no "
    "reason. One event's answer never stops the others. `at` is the device's time; the "
    "audit log keeps it beside the sync time."
)


@bp.post("/sessions/<int:session_id>/sync")
@api_roles("admin", "staff")
@api_doc(
    "Apply an outreach desk's offline queue (staff or admin)",
    body=SyncIn,
    response=SyncOut,
    auth=True,
    description=SYNC_DESCRIPTION,
)
def sync_session(session_id):
    data = parse_body(SyncIn)
    return jsonify(results=sync.sync_events(session_id, current_user, sync.events_from(data)))


from scheduler.outreach import home_api  # noqa: E402,F401  (routes on this blueprint)
