"""The OpenAPI document: valid, complete for docs/api.md's resident endpoints, and true.

schemathesis generates requests from the document and sends them to the WSGI app in
process; no response may be a 5xx, and every response must match its documented schema.
"""

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from scheduler.extensions import db
from scheduler.sites import services as sites
from tests.factories import make_nik, make_site

RESIDENT_ENDPOINTS = {
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/sites/{site_id}/slots"),
    ("post", "/api/v1/appointments"),
    ("post", "/api/v1/appointments/{code}/lookup"),
    ("post", "/api/v1/appointments/{code}/cancel"),
    ("post", "/api/v1/appointments/{code}/reschedule"),
}


@pytest.fixture
def document(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def test_document_is_valid_openapi(app, document):
    schema = schemathesis.openapi.from_dict(document)
    schema.validate()  # the OpenAPI 3.1 meta-schema; raises on any violation
    assert document["openapi"].startswith("3.1")


def test_document_lists_every_resident_endpoint(document):
    listed = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert listed >= RESIDENT_ENDPOINTS
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def _resolve(document, schema):
    ref = schema.get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_booking_contract_is_described(document):
    op = document["paths"]["/api/v1/appointments"]["post"]
    body = _resolve(document, op["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {"slot_id", "nik", "name", "birth_date", "phone", "consent"}
    assert {"email", "married"} <= set(body["properties"])
    assert body["properties"]["name"]["maxLength"] == 100
    assert {"201", "200", "409", "422"} <= set(op["responses"])
    envelope = _resolve(document, op["responses"]["201"]["content"]["application/json"]["schema"])
    appointment = _resolve(document, envelope["properties"]["appointment"])
    assert set(appointment["required"]) >= {
        "code",
        "status",
        "name",
        "nik_masked",
        "slot",
        "site",
        "qr_png_url",
        "ics_url",
        "card",
    }
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]


def test_slot_listing_documents_its_query(document):
    op = document["paths"]["/api/v1/sites/{site_id}/slots"]["get"]
    names = {p["name"]: p for p in op["parameters"]}
    assert {"site_id", "from", "to"} <= set(names)
    assert names["from"]["schema"]["format"] == "date"


# ------------------------------------------------------------------------- schemathesis

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
RUN = settings(
    max_examples=40,
    derandomize=True,  # the same examples every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def seeded(committed_db):
    """A site with ten days of slots, one booking whose code the requests may use, and an
    admin's API token."""
    from scheduler.appointments import services

    site = make_site(name="Kantor Uji", stations=1, slot_minutes=30)
    db.session.commit()
    sites.generate_slots(days=10, site_id=site.id)
    slot = sites.list_bookable_slots(site.id)[1][0]
    appointment, _ = services.book_appointment(
        slot.id,
        services.Applicant(
            nik=make_nik(date(1990, 1, 1)),
            name="Siti",
            birth_date=date(1990, 1, 1),
            phone="+6281234567890",
        ),
    )
    known = {"site_id": site.id, "code": appointment.code}
    # An admin's token, so that the staff endpoints are exercised beyond their 401.
    from scheduler.staff import services as staff

    staff.create_user("schemathesis@example.test", "correct-horse-battery-9", "admin")
    token = staff.create_token("schemathesis@example.test")
    db.session.commit()
    committed_db.test_client_class = None
    # schemathesis sends requests' default Accept-Encoding; the in-process WSGI client
    # would then hand its checks a compressed body (the app compresses, as it should).
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    return committed_db, known, headers


def _strategy(operation, known):
    """Valid and invalid requests, with path ids either generated or ones that exist."""
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in known.items() if k in names}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    parts = [operation.as_strategy(generation_mode=m) for m in modes]
    if real:
        parts += [operation.as_strategy(generation_mode=m, path_parameters=real) for m in modes]
    return st.one_of(parts)


def test_api_never_fails_and_matches_its_schema(seeded):
    app, known, auth = seeded
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tested, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)

        @RUN
        @given(case=_strategy(operation, known))
        def run(case):
            case.call_and_validate(checks=CHECKS, headers=auth)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert {label.split(" ", 1)[1] for label in tested} >= {p for _, p in RESIDENT_ENDPOINTS}
    assert not failures, "\n\n".join(failures)


# ------------------------------------------------- what schemathesis found, kept as tests


def test_an_id_beyond_any_integer_column_is_404(client):
    resp = client.get("/api/v1/sites/5753238455942463356928/slots")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_a_slot_id_beyond_any_integer_column_is_422(client):
    from tests.factories import booking_body, make_slot

    body = booking_body(make_slot())
    resp = client.post("/api/v1/appointments", json={**body, "slot_id": 2**40})
    assert resp.status_code == 422
    assert "slot_id" in resp.get_json()["error"]["fields"]


def test_a_nul_character_is_a_validation_error_not_a_database_error(client):
    resp = client.get("/api/v1/sites?kecamatan=Jati%00")
    assert resp.status_code == 422
    assert "kecamatan" in resp.get_json()["error"]["fields"]
    # An unknown field stays ignored, whatever it holds.
    resp = client.get("/api/v1/sites?other=%00")
    assert resp.status_code == 200


def test_an_outbox_page_beyond_any_integer_id_is_422(client):
    from scheduler.staff import services as staff
    from tests.factories import make_user

    make_user(role="admin", email="pager@example.test")
    token = staff.create_token("pager@example.test")
    resp = client.get(
        "/api/v1/outbox?before_id=9223372036854775807",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 422
    assert "before_id" in resp.get_json()["error"]["fields"]


def test_path_ids_beyond_an_integer_column_are_404_everywhere(client, document):
    for path in ("/api/v1/sites/2147483648/slots", "/api/v1/outbox/2871435625/retry"):
        method = client.post if path.endswith("retry") else client.get
        resp = method(path)
        assert resp.status_code == 404, path
        assert resp.get_json()["error"]["code"] == "not_found"
    param = document["paths"]["/api/v1/sites/{site_id}/slots"]["get"]["parameters"][0]
    assert param["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
