"""Staff JSON API (bearer tokens): check-in, outcomes, office cancellation, walk-ins."""

from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_login import current_user

from scheduler.appointments.api import appointment_json
from scheduler.appointments.schemas import AppointmentEnvelope
from scheduler.auth import api_roles
from scheduler.openapi import api_doc, parse_body
from scheduler.staff import desk
from scheduler.staff.schemas import CheckinIn, ReasonIn, RejectionIn, WalkInIn

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")


def _answer(appointment, status=200):
    return jsonify(appointment=appointment_json(appointment)), status


@bp.post("/checkins")
@api_roles(*desk.DESK_ROLES)
@api_doc(
    "Check a resident in by QR text or typed code",
    body=CheckinIn,
    response=AppointmentEnvelope,
    auth=True,
    description="Errors: invalid_qr 422, already_checked_in 409, wrong_site_or_day 409.",
)
def checkin():
    data = parse_body(CheckinIn)
    return _answer(desk.check_in(current_user, qr=data.qr, code=data.code, site_id=data.site_id))


@bp.post("/appointments/<code>/recorded")
@api_roles(*desk.DESK_ROLES)
@api_doc("Biometrics taken", response=AppointmentEnvelope, auth=True)
def recorded(code):
    return _answer(desk.mark_recorded(current_user, code))


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
    response=AppointmentEnvelope,
    status=201,
    auth=True,
    description="Errors: no_current_slot 409, slot_full 409, duplicate_booking 409.",
)
def walk_in():
    data = parse_body(WalkInIn)
    return _answer(desk.walk_in(current_user, data, str(get_locale() or "id")), 201)
