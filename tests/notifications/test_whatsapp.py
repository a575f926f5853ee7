"""WhatsApp Cloud API: templates outside the 24-hour window, free text inside it, the SMS
fallback when a template is refused, and the webhooks (handshake, signature, statuses,
residents' messages), against the local Cloud API stand-in."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.extensions import db
from scheduler.notifications import messages, webhooks
from scheduler.notifications.messages import sample_context
from scheduler.notifications.models import WhatsAppWindow
from tests.notifications.conftest import outbox_rows
from tests.notifications.fakes import signed
from tests.notifications.test_api import admin  # noqa: F401 (fixture)
from tests.notifications.test_delivery import PHONE, deliver, later, queue

SECRET = "meta-app-secret"


@pytest.fixture
def meta(app, monkeypatch, providers):
    """The providers, with the webhook configured."""
    monkeypatch.setitem(app.config, "WHATSAPP_APP_SECRET", SECRET)
    monkeypatch.setitem(app.config, "WHATSAPP_VERIFY_TOKEN", "verify-me")
    return providers


def post_webhook(client, payload, secret=SECRET):
    body, headers = signed(payload, secret)
    return client.post("/api/v1/webhooks/whatsapp", data=body, headers=headers)


def resident_writes(client, meta, at=None):
    at = clock.now().timestamp() if at is None else at
    response = post_webhook(client, meta["whatsapp"].resident_writes(PHONE, at=at))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"statuses": 0, "messages": 1}


def parameters(body):
    return [p["text"] for p in body["template"]["components"][0]["parameters"]]


# ------------------------------------------------------------------------------ sending


def test_outside_the_window_a_confirmation_is_the_approved_template(ctx, meta):
    queue()
    assert deliver()["sent"] == 1
    (request,) = meta["whatsapp"].requests
    body = request["json"]
    assert body["type"] == "template" and "text" not in body
    assert body["template"]["name"] == "antre_booking_confirmed"
    assert body["template"]["language"] == {"code": "id"}
    name, code, when, place, link = parameters(body)
    assert (name, code) == ("Budi Santoso", "ACDE3467")
    assert when == "Sel 8 Des 10.00 WIB"
    assert place == "Kantor Kecamatan Kota Kudus, Jl. Jenderal Sudirman 1"
    assert link == sample_context("booking_confirmed")["link"]
    assert body["biz_opaque_callback_data"] == request["headers"]["Idempotency-Key"]
    row = outbox_rows()[0]
    assert (row.status, row.channel, row.provider_message_id) == ("sent", "whatsapp", "wamid.1")
    assert not meta["sms"].requests


def test_an_english_message_uses_the_english_template(ctx, meta):
    queue("card_ready", locale="en")
    deliver()
    body = meta["whatsapp"].requests[0]["json"]
    assert body["template"]["name"] == "antre_card_ready"
    assert body["template"]["language"] == {"code": "en"}
    assert parameters(body) == ["ACDE3467", "Disdukcapil Kudus", sample_context("x")["link"]]


def test_languages_and_names_are_configurable_per_event(ctx, app, meta, monkeypatch):
    templates = {
        **app.config["WHATSAPP_TEMPLATES"],
        "card_ready": {
            "name": "kartu_siap",
            "languages": {"id": "id_ID"},
            "parameters": ["code"],
        },
    }
    monkeypatch.setitem(app.config, "WHATSAPP_TEMPLATES", templates)
    meta["whatsapp"].approve("kartu_siap", 1, languages=("id_ID",))
    queue("card_ready")
    deliver()
    template = meta["whatsapp"].requests[0]["json"]["template"]
    assert (template["name"], template["language"]["code"]) == ("kartu_siap", "id_ID")
    assert parameters({"template": template}) == ["ACDE3467"]
    assert outbox_rows()[0].channel == "whatsapp"


def test_inside_the_window_free_text_is_sent(ctx, client, meta):
    resident_writes(client, meta)
    later(hours=23)
    queue()
    deliver()
    body = meta["whatsapp"].requests[0]["json"]
    assert body["type"] == "text" and "ACDE3467" in body["text"]["body"]


def test_once_the_window_has_closed_the_template_again(ctx, client, meta):
    resident_writes(client, meta)
    later(hours=24)
    queue()
    deliver()
    assert meta["whatsapp"].requests[0]["json"]["type"] == "template"


def test_free_text_refused_as_outside_the_window_goes_as_the_template(ctx, client, meta):
    resident_writes(client, meta)
    meta["whatsapp"].wrote.clear()  # the provider counts otherwise than our record
    queue()
    assert deliver()["sent"] == 1
    kinds = [(r["json"]["type"], r["status"]) for r in meta["whatsapp"].requests]
    assert kinds == [("text", 400), ("template", 200)]
    assert outbox_rows()[0].channel == "whatsapp"


@pytest.mark.parametrize(
    "break_it, code",
    [
        (lambda wa: wa.templates.clear(), "132001"),
        (lambda wa: wa.paused.add("antre_booking_confirmed"), "132015"),
        (lambda wa: wa.approve("antre_booking_confirmed", 3), "132000"),
    ],
    ids=["unknown", "paused", "parameters"],
)
def test_a_refused_template_falls_back_to_sms_at_once(ctx, meta, break_it, code):
    break_it(meta["whatsapp"])
    queue()
    assert deliver() == {"sent": 1, "failed": 0, "dead": 0, "deferred": 0}
    assert len(meta["whatsapp"].requests) == 1 and len(meta["sms"].requests) == 1
    row = outbox_rows()[0]
    assert (row.status, row.channel) == ("sent", "sms")
    assert f"template refused (#{code}" in row.last_error


def test_a_refused_template_without_sms_is_dead_not_retried(ctx, app, meta, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_API_URL", None)
    meta["whatsapp"].templates.clear()
    queue()
    assert deliver()["dead"] == 1
    row = outbox_rows()[0]
    assert row.status == "dead" and "#132001" in row.last_error


def test_an_event_without_a_template_goes_by_sms_outside_the_window(ctx, app, meta, monkeypatch):
    templates = dict(app.config["WHATSAPP_TEMPLATES"])
    del templates["booking_confirmed"]
    monkeypatch.setitem(app.config, "WHATSAPP_TEMPLATES", templates)
    queue()
    deliver()
    assert not meta["whatsapp"].requests  # nothing the API would refuse is sent to it
    row = outbox_rows()[0]
    assert row.channel == "sms" and "no template for booking_confirmed" in row.last_error


def test_every_configured_template_names_values_its_event_has(app, ctx):
    for event, spec in app.config["WHATSAPP_TEMPLATES"].items():
        source = "card_date_moved" if event == "card_date_withdrawn" else event
        context = sample_context(source)
        if event == "card_date_withdrawn":
            context = {k: v for k, v in context.items() if k != "pickup_from"}
        rendered = messages.render(source, context, "id", "Budi")
        assert (rendered.template or source) == event
        missing = set(spec["parameters"]) - set(rendered.values)
        assert not missing, (event, missing)


def test_a_parameter_never_carries_a_newline():
    from scheduler.notifications.whatsapp import parameter_text

    assert parameter_text("Listrik\npadam\t di     kantor") == "Listrik padam  di   kantor"
    assert parameter_text("  ") == "-"


# ----------------------------------------------------------------------------- webhooks


def test_the_subscription_handshake(client, meta):
    ok = client.get(
        "/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me"
        "&hub.challenge=1158201444"
    )
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "1158201444"
    assert ok.mimetype == "text/plain"
    wrong = client.get(
        "/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
    )
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "forbidden"


def test_the_webhook_is_off_without_an_app_secret(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WHATSAPP_APP_SECRET", None)
    body, headers = signed({"object": "whatsapp_business_account", "entry": []}, "x")
    response = client.post("/api/v1/webhooks/whatsapp", data=body, headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("secret", ["another-secret", None])
def test_a_webhook_without_the_right_signature_changes_nothing(ctx, client, meta, secret):
    queue()
    deliver()
    payload = meta["whatsapp"].status("wamid.1", "read")
    if secret is None:
        response = client.post("/api/v1/webhooks/whatsapp", json=payload)
    else:
        response = post_webhook(client, payload, secret=secret)
    assert response.status_code == 403
    assert outbox_rows()[0].provider_status is None


def test_statuses_move_forward_only(ctx, client, meta, admin):  # noqa: F811
    queue()
    deliver()
    wa = meta["whatsapp"]
    for status, expected in [
        ("sent", "sent"),
        ("read", "read"),
        ("delivered", "read"),  # arrived late: read stays
        ("sent", "read"),
    ]:
        at = clock.now().timestamp()
        response = post_webhook(client, wa.status("wamid.1", status, at=at))
        assert response.status_code == 200
        assert outbox_rows()[0].provider_status == expected
        later(minutes=1)
    row = outbox_rows()[0]
    assert row.status == "sent" and row.provider_status_at == clock.now() - timedelta(minutes=3)
    listed = client.get("/api/v1/outbox", headers=admin).get_json()["messages"][0]
    assert listed["provider_status"] == "read" and listed["provider_status_at"]


def test_a_status_for_an_unknown_message_is_accepted_and_ignored(ctx, client, meta):
    response = post_webhook(client, meta["whatsapp"].status("wamid.gone", "delivered"))
    assert response.status_code == 200 and response.get_json()["statuses"] == 0


def test_a_failed_status_sends_the_message_by_sms(ctx, client, meta):
    queue()
    deliver()
    failure = [(131026, "Message undeliverable", "not a WhatsApp number")]
    payload = meta["whatsapp"].status("wamid.1", "failed", errors=failure)
    assert post_webhook(client, payload).get_json()["statuses"] == 1
    row = outbox_rows()[0]
    assert (row.status, row.provider_status) == ("pending", "failed")
    assert "#131026" in row.last_error
    assert deliver()["sent"] == 1
    assert len(meta["whatsapp"].requests) == 1  # WhatsApp is not tried again
    (sms,) = meta["sms"].requests
    assert sms["headers"]["Idempotency-Key"] == row.idempotency_key
    row = outbox_rows()[0]
    assert (row.status, row.channel, row.provider_status) == ("sent", "sms", None)
    assert "#131026" in row.last_error


def test_a_failed_status_without_sms_makes_the_message_dead(ctx, client, app, meta, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_API_URL", None)
    queue()
    deliver()
    post_webhook(client, meta["whatsapp"].status("wamid.1", "failed"))
    row = outbox_rows()[0]
    assert (row.status, row.provider_status) == ("dead", "failed")
    from scheduler.notifications import services

    services.retry_message(row.id)
    assert outbox_rows()[0].provider_status is None
    deliver()
    assert len(meta["whatsapp"].requests) == 2  # the admin's resend tries WhatsApp again


def test_a_status_matched_by_the_idempotency_key(ctx, client, meta):
    message = queue()
    deliver()
    payload = meta["whatsapp"].status("wamid.other", "delivered", key=message.idempotency_key)
    post_webhook(client, payload)
    assert outbox_rows()[0].provider_status == "delivered"


def test_the_outbox_page_shows_what_whatsapp_reported(ctx, client, meta):
    from tests.notifications.test_api import make_user

    queue()
    queue()
    deliver()
    post_webhook(client, meta["whatsapp"].status("wamid.1", "read"))
    post_webhook(client, meta["whatsapp"].status("wamid.2", "delivered"))
    user = make_user("admin")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["nonce"] = user.session_nonce
    html = client.get("/petugas/pesan-keluar").get_data(as_text=True)
    assert 'data-provider-status="read"' in html and "dibaca" in html
    assert 'data-provider-status="delivered"' in html and "sampai di ponsel" in html


def test_a_residents_message_keeps_only_a_hash_and_the_moment(ctx, client, meta):
    resident_writes(client, meta)
    rows = db.session.execute(sa.select(WhatsAppWindow.__table__)).all()
    assert len(rows) == 1
    stored = json.dumps([list(map(str, r)) for r in rows])
    assert "6281234567890" not in stored and "Halo" not in stored
    assert rows[0].last_inbound_at == clock.now()
    later(hours=24, minutes=1)
    assert webhooks.purge_closed_windows() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(WhatsAppWindow)).scalar() == 0


def test_a_later_message_extends_the_window_an_earlier_one_does_not(ctx, client, meta):
    now = clock.now()
    resident_writes(client, meta)
    resident_writes(client, meta, at=(now - timedelta(hours=5)).timestamp())
    assert db.session.execute(sa.select(WhatsAppWindow.last_inbound_at)).scalar() == now
