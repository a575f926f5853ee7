"""What every answer carries (security headers, no caching of personal data), the request
body limit, and absurdly nested JSON."""

import io
import pathlib
import re

import pytest

from scheduler.staff import services as staff
from tests.factories import booking_body, make_slot, make_user

TEMPLATES = pathlib.Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def slot(ctx):
    return make_slot(capacity=3)


def _assert_secure(resp):
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert resp.headers["Referrer-Policy"] == "same-origin"
    return csp


def test_every_kind_of_answer_carries_the_security_headers(client, slot):
    answers = [
        client.get("/"),
        client.get(f"/pesan/{slot.id}"),
        client.get(f"/api/v1/sites/{slot.site_id}/slots"),
        client.get("/api/v1/nothing-here"),
        client.get("/tidak-ada"),
        client.get("/api/v1/openapi.json"),
        client.get("/static/css/app.css"),
        client.post("/api/v1/appointments", data="{"),
    ]
    for resp in answers:
        csp = _assert_secure(resp)
        if resp.mimetype == "text/html":
            # Scripts only from our own files: no inline script, no eval, no other host.
            assert "script-src 'self';" in csp
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        else:
            assert csp.startswith("default-src 'none'")


def test_personal_answers_are_not_stored(client, slot):
    body = booking_body(slot)
    booked = client.post("/api/v1/appointments", json=body)
    assert booked.status_code == 201
    assert booked.headers["Cache-Control"] == "no-store"
    code = booked.get_json()["appointment"]["code"]
    lookup = client.post(f"/api/v1/appointments/{code}/lookup", json={"nik": body["nik"]})
    assert lookup.headers["Cache-Control"] == "no-store"
    # A refused form comes back filled with the NIK just typed.
    refill = client.post(
        f"/pesan/{slot.id}",
        data={"nik": body["nik"], "name": "Budi", "birth_date": "1990-01-01", "phone": "x"},
    )
    assert body["nik"] in refill.get_data(as_text=True)
    assert refill.headers["Cache-Control"] == "no-store"
    page = client.get(booked.get_json()["appointment"]["qr_png_url"].replace("/qr.png", ""))
    assert page.headers["Cache-Control"] == "no-store"


def test_staff_pages_are_not_stored(client, ctx):
    user = make_user("admin")
    client.post("/masuk", data={"email": user.email, "password": "correct-horse-battery"})
    resp = client.get("/petugas/check-in")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    token = staff.create_token(user.email, name="t")
    api = client.get("/api/v1/outreach/requests", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert api.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_own_caching(client):
    resp = client.get("/static/js/page.js")
    assert resp.status_code == 200
    assert "no-store" not in resp.headers["Cache-Control"]


def test_a_page_with_its_own_style_block_gets_its_nonce_in_the_policy(app, client):
    with app.test_request_context("/"):
        from flask import render_template_string

        html = render_template_string('<style nonce="{{ csp_nonce() }}">p{}</style>')
        nonce = re.search(r'nonce="([^"]+)"', html).group(1)
        resp = app.make_response(html)
        resp = app.process_response(resp)
    assert f"style-src 'self' 'nonce-{nonce}'" in resp.headers["Content-Security-Policy"]
    # Every other page allows no inline style at all.
    assert "nonce-" not in client.get("/").headers["Content-Security-Policy"]


def test_templates_hold_no_inline_script_handler_or_style_attribute():
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (
            # an inline script (a JSON data island is not run)
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
            r"\son[a-z]+\s*=",  # onclick=, onchange=...
            r"\sstyle\s*=",  # a style attribute (no nonce can allow one)
            r"<style(?![^>]*nonce=)[^>]*>",  # a style block without the page's nonce
            r"javascript:",
        ):
            offences += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offences == []


# ------------------------------------------------------------------------- body limit


def test_a_json_body_over_64_kb_is_413_in_the_envelope(client, slot):
    body = booking_body(slot, name="x" * (65 * 1024))
    resp = client.post("/api/v1/appointments", json=body)
    assert resp.status_code == 413
    error = resp.get_json()["error"]
    assert error["code"] == "too_large"
    assert error["message"]
    assert (
        client.get(f"/api/v1/sites/{slot.site_id}/slots").get_json()["slots"][0]["available"] == 3
    )


def test_a_huge_declared_body_is_refused_without_reading_it(client, slot):
    # 100 MB announced, a few bytes sent: refused on the Content-Length alone.
    resp = client.post(
        "/api/v1/appointments",
        input_stream=io.BytesIO(b"{}"),
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(100 * 1024 * 1024)},
    )
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"


def test_an_oversized_form_is_a_friendly_page(client, slot):
    resp = client.post(f"/pesan/{slot.id}", data={"name": "x" * (70 * 1024)})
    assert resp.status_code == 413
    assert resp.mimetype == "text/html"
    assert "terlalu besar" in resp.get_data(as_text=True)


def test_a_roster_upload_keeps_its_own_larger_limit(client, app):
    from tests.outreach.conftest import Actor
    from tests.outreach.conftest import make_user as make_outreach_user

    admin = Actor(make_outreach_user("admin"))
    data = b"x" * (200 * 1024)  # over the 64 KB of a JSON body, well within the roster's
    resp = client.post(
        "/api/v1/outreach/sessions/999999/roster",
        data={"file": (io.BytesIO(data), "roster.csv")},
        headers=admin.headers,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 404  # read and looked at: the session does not exist


# ------------------------------------------------------------------ absurd nesting


def _deep(levels):
    # 30,000 levels: past Python's recursion limit, within the 64 KB body limit.
    return "[" * levels + "]" * levels


def _body_endpoints(app):
    """(method, path) of every API operation that reads a JSON body, ids filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        meta = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if meta is None or meta["body"] is None:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "ABCDEFGH")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.append((method, path))
    return found


@pytest.mark.parametrize("levels", [30_000, 40])
def test_deeply_nested_json_is_422_on_every_endpoint(client, app, ctx, levels):
    user = make_user("admin")
    headers = {"Authorization": f"Bearer {staff.create_token(user.email, name='t')}"}
    endpoints = _body_endpoints(app)
    assert len(endpoints) > 20
    parsed = 0
    for method, path in endpoints:
        resp = client.open(path, method=method, data=_deep(levels), headers=headers)
        # Refused before the body is read (another role, an unconfigured webhook), or 422.
        assert resp.status_code in (422, 403, 404), (path, resp.status_code)
        if resp.status_code == 422:
            assert resp.get_json()["error"]["code"] == "validation_error", path
            parsed += 1
    assert parsed > 20
    # Nested inside an object too, on a field the schema knows.
    deep_name = '{"name": ' + _deep(levels) + "}"
    resp = client.post("/api/v1/appointments", data=deep_name)
    assert resp.status_code == 422


def test_the_camera_desk_answers_deep_json_with_a_reason(client, ctx):
    user = make_user("admin")
    client.post("/masuk", data={"email": user.email, "password": "correct-horse-battery"})
    resp = client.post(
        "/petugas/check-in/pindai", data=_deep(30_000), content_type="application/json"
    )
    assert resp.status_code == 422
    assert resp.get_json()["ok"] is False


def test_nesting_is_refused_past_32_levels_only():
    from scheduler.errors import ValidationError
    from scheduler.openapi import load_json

    assert load_json('{"a": ' + _deep(31) + "}") == {"a": load_json(_deep(31))}
    with pytest.raises(ValidationError):
        load_json('{"a": ' + _deep(32) + "}")
