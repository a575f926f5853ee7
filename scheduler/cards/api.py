"""Staff JSON API for blank stock, the print queue, printing and pickup."""

from flask import Blueprint, jsonify, request
from flask_login import current_user

from scheduler import reads
from scheduler.appointments import services as appointments
from scheduler.auth import api_roles
from scheduler.cards import certificates, ledger, services, stock
from scheduler.cards.schemas import (
    CardEnvelope,
    CertificateEnvelope,
    CorrectionIn,
    DeliveryIn,
    EntryEnvelope,
    ExpectedEnvelope,
    ExpectedIn,
    PickedUpIn,
    PrintedIn,
    PrintQueueOut,
    PrintQueueQuery,
    PrintSiteEnvelope,
    PrintSiteIn,
    PriorityIn,
    ReplacementIn,
    SpoilageEnvelope,
    SpoilageIn,
    StockOut,
    StockQuery,
    card_detail_json,
    entry_json,
    expected_json,
    print_site_json,
    queue_card_json,
    record_json,
)
from scheduler.openapi import api_doc, parse_body, parse_query, validate

bp = Blueprint("cards_api", __name__, url_prefix="/api/v1")


def _optional_body(model):
    if not request.get_data(cache=True).strip():
        return validate(model, {})
    return parse_body(model)


def _card_response(card):
    body = {"card": card_detail_json(card, services.card_json(card))}
    if card.appointment_id is not None:
        # A's shape is built by the appointments API; the card rides inside it.
        from scheduler.appointments.api import appointment_json

        body["appointment"] = appointment_json(appointments.get_by_code(card.code))
    return jsonify(body)


# ----------------------------------------------------------------------------- stock


@bp.get("/stock")
@api_roles("admin", "staff")
@api_doc(
    "Blank-card stock: on hand, reserved, awaiting, expected, days of cover",
    query=StockQuery,
    response=StockOut,
    auth=True,
    description="All printing offices together, or one (office_id); offices lists each "
    "office's blanks on hand.",
)
def get_stock():
    q = parse_query(StockQuery)
    office_id = ledger.office_id_or_default(q.office_id) if q.office_id else None
    return jsonify(stock.stock_summary(office_id))


@bp.post("/stock/deliveries")
@api_roles("admin")
@api_doc(
    "Receive blank cards (re-plans the queue)",
    body=DeliveryIn,
    response=EntryEnvelope,
    status=201,
    auth=True,
)
def post_delivery():
    data = parse_body(DeliveryIn)
    entry = stock.receive_delivery(
        data.quantity,
        data.received_on,
        reference=data.reference,
        expected_id=data.expected_id,
        user_id=current_user.id,
        office_id=data.office_id,
    )
    return jsonify(entry=entry_json(entry), stock=stock.stock_summary()), 201


@bp.post("/stock/expected")
@api_roles("admin")
@api_doc(
    "Announce an expected delivery (used for promised dates)",
    body=ExpectedIn,
    response=ExpectedEnvelope,
    status=201,
    auth=True,
)
def post_expected():
    data = parse_body(ExpectedIn)
    expected = stock.add_expected(
        data.quantity, data.expected_on, note=data.note, office_id=data.office_id
    )
    return jsonify(expected=expected_json(expected), stock=stock.stock_summary()), 201


@bp.post("/stock/expected/<int:expected_id>")
@api_roles("admin")
@api_doc(
    "Change an expected delivery as news arrives",
    body=ExpectedIn,
    response=ExpectedEnvelope,
    auth=True,
)
def update_expected(expected_id):
    data = parse_body(ExpectedIn)
    expected = stock.update_expected(expected_id, data.quantity, data.expected_on, note=data.note)
    return jsonify(expected=expected_json(expected), stock=stock.stock_summary())


@bp.post("/stock/expected/<int:expected_id>/cancel")
@api_roles("admin")
@api_doc("Withdraw an expected delivery that will not come", response=ExpectedEnvelope, auth=True)
def cancel_expected(expected_id):
    expected = stock.cancel_expected(expected_id)
    return jsonify(expected=expected_json(expected), stock=stock.stock_summary())


@bp.post("/stock/spoilage")
@api_roles("admin")
@api_doc(
    "Record spoiled blanks with their berita acara",
    body=SpoilageIn,
    response=SpoilageEnvelope,
    status=201,
    auth=True,
)
def post_spoilage():
    data = parse_body(SpoilageIn)
    record, entry = stock.record_spoilage(
        data.quantity, data.reason, user_id=current_user.id, office_id=data.office_id
    )
    return jsonify(
        entry=entry_json(entry), record=record_json(record), stock=stock.stock_summary()
    ), 201


@bp.post("/stock/corrections")
@api_roles("admin")
@api_doc(
    "Correct the stock after a count, with a note",
    body=CorrectionIn,
    response=EntryEnvelope,
    status=201,
    auth=True,
)
def post_correction():
    data = parse_body(CorrectionIn)
    entry = stock.correct_stock(
        data.delta, data.note, user_id=current_user.id, office_id=data.office_id
    )
    return jsonify(entry=entry_json(entry), stock=stock.stock_summary()), 201


@bp.post("/print-sites")
@api_roles("admin")
@api_doc(
    "Set a site's printers, operators and cards per printer a day",
    body=PrintSiteIn,
    response=PrintSiteEnvelope,
    auth=True,
)
def post_print_site():
    data = parse_body(PrintSiteIn)
    row = stock.save_print_site(
        data.site_id,
        data.printers,
        data.operators,
        data.cards_per_printer,
        office_id=data.office_id,
    )
    return jsonify(print_site=print_site_json(row))


# ----------------------------------------------------------------------- print queue


@bp.get("/print-queue")
@api_roles("admin", "staff")
@api_doc(
    "The cards to print on a day (regency's zone; default today)",
    query=PrintQueueQuery,
    response=PrintQueueOut,
    auth=True,
)
def print_queue():
    query = parse_query(PrintQueueQuery)
    on = query.date or services.today()
    cards = services.print_queue(on, site_ids=current_user.acting_site_ids)
    reads.record_view(
        current_user,
        "export",
        detail=f"print queue {on.isoformat()}",
        appointment_ids=[c.appointment_id for c in cards],
    )
    return jsonify(cards=[queue_card_json(c) for c in cards])


@bp.post("/appointments/<code>/printed")
@api_roles("admin", "staff")
@api_doc(
    "The card is printed (one blank used; each misprint spoils one more)",
    body=PrintedIn,
    response=CardEnvelope,
    auth=True,
)
def printed(code):
    data = _optional_body(PrintedIn)
    card = services.mark_printed(
        code,
        actor_id=current_user.id,
        site_ids=current_user.acting_site_ids,
        misprints=data.misprints,
    )
    return _card_response(card)


@bp.post("/appointments/<code>/picked-up")
@api_roles("admin", "staff")
@api_doc("The card is handed over", body=PickedUpIn, response=CardEnvelope, auth=True)
def picked_up(code):
    data = parse_body(PickedUpIn)
    card = services.hand_over(
        code,
        collected_by=data.collected_by,
        collector_name=data.collector_name,
        actor_id=current_user.id,
        site_ids=current_user.acting_site_ids,
        ikd_activated=data.ikd_activated,
    )
    return _card_response(card)


@bp.post("/appointments/<code>/certificate")
@api_roles("admin", "staff")
@api_doc(
    "Issue a certificate of recording (surat keterangan)",
    response=CertificateEnvelope,
    status=201,
    auth=True,
)
def certificate(code):
    cert = certificates.issue_certificate(
        code, user_id=current_user.id, site_ids=current_user.acting_site_ids
    )
    return jsonify(
        certificate={
            "number": cert.number,
            "verification_code": cert.verification_code,
            "verify_url": certificates.verify_url(cert),
            "issued_on": cert.issued_on.isoformat(),
            "valid_until": cert.valid_until.isoformat(),
            "office": cert.office_name,
        }
    ), 201


@bp.post("/cards/replacements")
@api_roles("admin", "staff")
@api_doc(
    "Queue a replacement card (lost, damaged, changed data)",
    body=ReplacementIn,
    response=CardEnvelope,
    status=201,
    auth=True,
)
def replacement():
    data = parse_body(ReplacementIn)
    card = services.request_replacement(
        nik=data.nik,
        name=data.name,
        birth_date=data.birth_date,
        phone=data.phone,
        married=data.married,
        reason=data.reason,
        site_id=data.site_id,
        actor_id=current_user.id,
        site_ids=current_user.acting_site_ids,
    )
    return _card_response(card), 201


@bp.post("/cards/<code>/priority")
@api_roles("admin")
@api_doc(
    "Set a waiting card's priority (0 normal, 1 elderly/exams, 2 urgent)",
    body=PriorityIn,
    response=CardEnvelope,
    auth=True,
)
def priority(code):
    data = parse_body(PriorityIn)
    return _card_response(services.set_priority(code, data.priority, data.reason))


from scheduler.cards import offices_api  # noqa: E402,F401  (routes on this blueprint)
