"""A resident's access to and erasure of their data (no login; code + NIK, the look-up's
limits: a wrong NIK is the same 404 as an unknown code)."""

from flask import Blueprint, jsonify

from scheduler.appointments.limits import lookup_limits
from scheduler.appointments.schemas import NikIn
from scheduler.openapi import api_doc, parse_body
from scheduler.privacy import services
from scheduler.privacy.schemas import ErasureOut, MyDataOut

bp = Blueprint("privacy_api", __name__, url_prefix="/api/v1")


@bp.post("/appointments/<code>/my-data")
@lookup_limits
@api_doc(
    "Everything held about a booking's person (code and NIK)",
    body=NikIn,
    response=MyDataOut,
    description="The booking and its history, the card, the messages sent (addresses "
    "masked) and every staff action on or view of the record. Never the full NIK.",
)
def my_data(code):
    data = parse_body(NikIn)
    return jsonify(services.my_data(code, data.nik))


@bp.post("/appointments/<code>/erase")
@lookup_limits
@api_doc(
    "Erase a booking's personal data (code and NIK)",
    body=NikIn,
    response=ErasureOut,
    description="Cancels what is open, removes name, phone, email and NIK, and answers "
    "what was removed and what the office keeps, and why.",
)
def erase(code):
    data = parse_body(NikIn)
    return jsonify(services.erase_my_data(code, data.nik))
