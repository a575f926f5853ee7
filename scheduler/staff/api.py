"""Staff JSON API (bearer tokens): check-in, outcomes, office cancellation, walk-ins."""

from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_login import current_user

from scheduler.appointments.api import appointment_json
from scheduler.appointments.schemas import AppointmentEnvelope
from scheduler.auth import api_roles
from scheduler.openapi import api_doc, parse_body, parse_optional_body
from scheduler.staff import desk, queue
from scheduler.staff.models import QUEUE_LINES
from scheduler.staff.schemas import (
    CallIn,
    CheckinEnvelope,
    CheckinIn,
    QueueBoardOut,
    ReasonIn,
    RecordedIn,
    RejectionIn,
    TicketEnvelope,
    TicketIn,
    WalkInIn,
)

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")


def _answer(appointment, status=200):
    return jsonify(appointment=appointment_json(appointment)), status


def _with_ticket(appointment, status=200):
    """A check-in's answer: the appointment and its number on the recording line."""
    ticket = queue.ticket_for(appointment)
    return jsonify(
        appointment=appointment_json(appointment),
        ticket=queue.ticket_json(ticket) if ticket is not None else None,
    ), status


@bp.post("/checkins")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "Check a resident in by QR text or typed code",
    body=CheckinIn,
    response=CheckinEnvelope,
    auth=True,
    description="Errors: invalid_qr 422, already_checked_in 409, wrong_site_or_day 409. "
    "The resident gets a number on the site's recording line (`ticket`).",
)
def checkin():
    data = parse_body(CheckinIn)
    return _with_ticket(
        desk.check_in(current_user, qr=data.qr, code=data.code, site_id=data.site_id)
    )


@bp.post("/appointments/<code>/recorded")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "Biometrics taken",
    body=RecordedIn,
    body_required=False,
    response=AppointmentEnvelope,
    auth=True,
    description="The body may be left out; ikd_activated: the digital ID was activated too.",
)
def recorded(code):
    data = parse_optional_body(RecordedIn)
    return _answer(desk.mark_recorded(current_user, code, ikd_activated=data.ikd_activated))


@bp.post("/appointments/<code>/recording-failed")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "Recording failed (the NIK may book again)",
    body=ReasonIn,
    response=AppointmentEnvelope,
    auth=True,
)
def recording_failed(code):
    data = parse_body(ReasonIn)
    return _answer(desk.mark_recording_failed(current_user, code, data.reason))


@bp.post("/appointments/<code>/recording-rejected")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "The national centre rejected the recording: the card is withdrawn, the NIK may book "
    "again and the resident is invited to",
    body=RejectionIn,
    response=AppointmentEnvelope,
    auth=True,
    description="Errors: invalid_state 409 (not recorded, or the card is already printed).",
)
def recording_rejected(code):
    data = parse_body(RejectionIn)
    return _answer(desk.mark_recording_rejected(current_user, code, data.reason, data.note))


@bp.post("/appointments/<code>/no-show")
@api_roles(*desk.DESK_ROLES)
@api_doc("The resident did not come", response=AppointmentEnvelope, auth=True)
def no_show(code):
    return _answer(desk.mark_no_show(current_user, code))


@bp.post("/appointments/<code>/office-cancel")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "The office cancels; the resident is told",
    body=ReasonIn,
    response=AppointmentEnvelope,
    auth=True,
)
def office_cancel(code):
    data = parse_body(ReasonIn)
    return _answer(desk.office_cancel(current_user, code, data.reason))


@bp.post("/walk-ins")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "Register a resident without a booking into the current slot, checked in",
    body=WalkInIn,
    response=CheckinEnvelope,
    status=201,
    auth=True,
    description="Errors: no_current_slot 409, slot_full 409, duplicate_booking 409.",
)
def walk_in():
    data = parse_body(WalkInIn)
    return _with_ticket(desk.walk_in(current_user, data, str(get_locale() or "id")), 201)


# ------------------------------------------------------------------------ queue on site


@bp.get("/sites/<int:site_id>/queue")
@api_doc(
    "The queue on site today: what each station calls, recent calls, how many wait",
    response=QueueBoardOut,
    description="No login and no personal data: numbers and stations only (the screen's data).",
)
def queue_board(site_id):
    site = queue.display_site(site_id)
    lines = []
    for line in QUEUE_LINES:
        board = queue.board(site, line)
        lines.append(
            {
                "line": line,
                "stations": [
                    {"station": n, "ticket": t.label if t else None}
                    for n, t in board.stations.items()
                ],
                "recent": [queue.ticket_json(t) for t in board.recent],
                "waiting": len(board.waiting),
            }
        )
    return jsonify(site={"id": site.id, "name": site.name}, lines=lines)


@bp.post("/sites/<int:site_id>/queue/call")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "A station calls its next number (residents who asked for help first)",
    body=CallIn,
    response=TicketEnvelope,
    auth=True,
    description="The station's current number is done; `ticket` is null when no one waits. "
    "Errors: forbidden 403 (another site), invalid_state 409 (the same station called at "
    "the same moment).",
)
def queue_call(site_id):
    data = parse_body(CallIn)
    _known_site(site_id)
    ticket = desk.call_next(current_user, site_id, data.line, data.station)
    return jsonify(ticket=queue.ticket_json(ticket) if ticket is not None else None)


@bp.post("/sites/<int:site_id>/queue/tickets")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "A number at the site's pickup desk",
    body=TicketIn,
    response=TicketEnvelope,
    status=201,
    auth=True,
)
def queue_ticket(site_id):
    data = parse_body(TicketIn)
    _known_site(site_id)
    ticket = desk.issue_pickup_ticket(current_user, site_id, data.priority)
    return jsonify(ticket=queue.ticket_json(ticket)), 201


def _known_site(site_id):
    # An unknown id in a path is 404 (the desk's own check names the body's site_id).
    queue.display_site(site_id)
