"""Resident appointments JSON API (no login): book, look up, cancel, reschedule."""

import hashlib
import json
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from flask_babel import get_locale

from scheduler import links
from scheduler.appointments import services
from scheduler.appointments.limits import lookup_limits
from scheduler.appointments.schemas import (
    AppointmentEnvelope,
    AppointmentsEnvelope,
    BookingIn,
    GroupBookingIn,
    NikIn,
    RescheduleIn,
)
from scheduler.booking_limit import booking_limit
from scheduler.errors import NotFound, ValidationError
from scheduler.openapi import api_doc, load_json, parse_body
from scheduler.sites.schemas import site_json, slot_json

bp = Blueprint("appointments_api", __name__, url_prefix="/api/v1")


def appointment_json(appointment, *, booked_now=False):
    """Appointment `A` of docs/api.md (`booked_now`: see services.card_summary)."""
    sig = services.link_signature(appointment.code)
    return {
        "code": appointment.code,
        "status": appointment.status,
        "name": appointment.name,
        "nik_masked": appointment.nik_masked,
        "assistance": appointment.assistance,
        "slot": slot_json(appointment.slot, appointment.site),
        "site": site_json(appointment.site),
        "qr_png_url": signed_url("appointments_api.qr_png", appointment.code, sig),
        "ics_url": signed_url("appointments_api.ics", appointment.code, sig),
        "card": services.card_summary(appointment, booked_now=booked_now),
    }


def signed_url(endpoint, code, sig):
    """`public_url_for(endpoint, code=code, s=sig)`, from that URL built once per endpoint
    and address (every booking's answer has two such links)."""
    head, middle, tail = _signed_url_parts(endpoint, links.public_root())
    return f"{head}{quote(code, safe='')}{middle}{quote(sig, safe='')}{tail}"


_CODE_MARK, _SIG_MARK = "~code~", "~sig~"


@lru_cache(maxsize=32)
def _signed_url_parts(endpoint, _root):
    url = links.public_url_for(endpoint, code=_CODE_MARK, s=_SIG_MARK)
    head, rest = url.rsplit(_CODE_MARK, 1)
    middle, tail = rest.rsplit(_SIG_MARK, 1)
    return head, middle, tail


@bp.post("/appointments")
@booking_limit()
@api_doc(
    "Book a recording slot",
    body=BookingIn,
    response=AppointmentEnvelope,
    status=201,
    description="Errors: slot_full 409, slot_closed 409 (its day closed after it was "
    "booked), duplicate_booking 409, already_recorded 409, idempotency_conflict 409.",
)
def book():
    data = _booking_body()
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200):
        raise ValidationError(fields={"Idempotency-Key": "1-200 characters"})
    body_hash = None
    if key:
        parsed = json.loads(request.get_data(cache=True))
        body_hash = hashlib.sha256(
            json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
    phone, phone_errors = services.read_phone(data.phone)
    applicant = services.Applicant.of(
        nik=data.nik,
        name=data.name,
        birth_date=data.birth_date,
        phone=phone,
        email=data.email,
        married=data.married,
        locale=str(get_locale() or "id"),
        assistance=data.assistance,
    )
    appointment, created = services.book_appointment(
        data.slot_id,
        applicant,
        channel="api",
        idempotency_key=key,
        body_hash=body_hash,
        field_errors=phone_errors,
    )
    return jsonify(appointment=appointment_json(appointment, booked_now=created)), (
        201 if created else 200
    )


def _booking_body():
    """The booking's body; when its shape is wrong, the 422 also names what the resident's
    other values would be refused for (NIK, phone, name, birth date): every fault at once."""
    try:
        return parse_body(BookingIn)
    except ValidationError as exc:
        if not exc.fields:
            raise
        raw = load_json(request.get_data(cache=True))
        if not isinstance(raw, dict):
            raise
        given = {
            key: value
            for key in ("nik", "name", "phone")
            if key not in exc.fields and isinstance(value := raw.get(key), str) and value
        }
        birth_date = _parsed_date(raw.get("birth_date")) if "birth_date" not in exc.fields else None
        more = services.applicant_errors(**given, birth_date=birth_date)
        raise ValidationError(exc.message, fields={**more, **exc.fields}) from None


def _parsed_date(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@bp.post("/appointments/<code>/lookup")
@lookup_limits
@api_doc("Look an appointment up by code and NIK", body=NikIn, response=AppointmentEnvelope)
def lookup(code):
    data = parse_body(NikIn)
    return jsonify(appointment=appointment_json(services.find_for_resident(code, data.nik)))


@bp.post("/appointments/<code>/cancel")
@lookup_limits
@api_doc("Cancel an appointment", body=NikIn, response=AppointmentEnvelope)
def cancel(code):
    data = parse_body(NikIn)
    return jsonify(appointment=appointment_json(services.cancel_appointment(code, data.nik)))


@bp.post("/appointments/<code>/reschedule")
@lookup_limits
@api_doc(
    "Move an appointment to another slot",
    body=RescheduleIn,
    response=AppointmentEnvelope,
    description="Errors: slot_full 409, slot_closed 409, invalid_state 409.",
)
def reschedule(code):
    data = parse_body(RescheduleIn)
    appointment = services.reschedule_appointment(code, data.nik, data.slot_id)
    return jsonify(appointment=appointment_json(appointment))


def _signed_appointment(code):
    if not services.verify_link(services.normalize_code(code), request.args.get("s")):
        raise NotFound()
    return services.get_by_code(code)


@bp.get("/appointments/<code>/qr.png")
@api_doc("The check-in QR code (signed URL)", produces="image/png")
def qr_png(code):
    appointment = _signed_appointment(code)
    resp = Response(services.qr_png(appointment), mimetype="image/png")
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp


@bp.get("/appointments/<code>/calendar.ics")
@api_doc("The appointment as an iCalendar file (signed URL)", produces="text/calendar")
def ics(code):
    appointment = _signed_appointment(code)
    resp = Response(services.ics_bytes(appointment), mimetype="text/calendar")
    resp.headers["Content-Disposition"] = f'attachment; filename="ktp-el-{appointment.code}.ics"'
    return resp


@bp.post("/appointments/group")
@booking_limit()
@api_doc(
    "Book a family (one Kartu Keluarga) into one slot or the slots right after it",
    body=GroupBookingIn,
    response=AppointmentsEnvelope,
    status=201,
    description="1-6 members, all or nothing: a bad member is refused with its index and "
    'field (`"members.2.birth_date"`), and nothing is written. Every member gets their own '
    "code and QR code; one message lists them. Errors: slot_full 409 (too few seats in the "
    "slot and the ones right after it), duplicate_booking / already_recorded 409 on "
    '`"members.<i>.nik"`.',
)
def book_group():
    data = parse_body(GroupBookingIn, nested=True)
    household = services.Household(
        phone=services.normalize_phone(data.phone),
        email=data.email,
        locale=str(get_locale() or "id"),
        members=[services.Member(**m.model_dump()) for m in data.members],
    )
    booked = services.book_household(data.slot_id, household, channel="api")
    return jsonify(appointments=[appointment_json(a, booked_now=True) for a in booked]), 201
