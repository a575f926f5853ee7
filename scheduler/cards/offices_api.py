"""Staff JSON API for printing offices and transfers of blanks between them (routes on
the cards API blueprint)."""

from flask import jsonify
from flask_login import current_user

from scheduler.auth import api_roles
from scheduler.cards import offices, stock
from scheduler.cards.api import bp
from scheduler.cards.schemas import (
    OfficeEnvelope,
    OfficeIn,
    OfficesOut,
    TransferEnvelope,
    TransferIn,
    office_json,
    transfer_json,
)
from scheduler.openapi import api_doc, parse_body


@bp.get("/printing-offices")
@api_roles("admin", "staff")
@api_doc("The printing offices and their blanks on hand", response=OfficesOut, auth=True)
def list_offices():
    return jsonify(offices=stock.office_figures())


@bp.post("/printing-offices")
@api_roles("admin")
@api_doc(
    "Add a printing office (its stock starts at zero)",
    body=OfficeIn,
    response=OfficeEnvelope,
    status=201,
    auth=True,
)
def post_office():
    data = parse_body(OfficeIn)
    office = offices.add_office(data.name, site_id=data.site_id)
    return jsonify(office=office_json(office, 0)), 201


@bp.post("/stock/transfers")
@api_roles("admin")
@api_doc(
    "Move blanks from one printing office to another",
    body=TransferIn,
    response=TransferEnvelope,
    status=201,
    auth=True,
    description="Out of one office and into the other in one transaction; never below zero "
    "at the sender (invalid_state). Re-plans the queue: each office promises cards only "
    "from its own blanks.",
)
def post_transfer():
    data = parse_body(TransferIn)
    transfer = offices.transfer_stock(
        data.from_office_id,
        data.to_office_id,
        data.quantity,
        reference=data.reference,
        user_id=current_user.id,
    )
    return jsonify(transfer=transfer_json(transfer), stock=stock.stock_summary()), 201
