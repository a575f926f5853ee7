import logging
import random
from datetime import timedelta

import pytest

from scheduler import clock
from scheduler.extensions import db
from scheduler.notifications import delivery, services
from scheduler.notifications.messages import sample_context
from scheduler.notifications.models import OutboxMessage
from tests.notifications.conftest import outbox_rows

PHONE = "+6281234567890"


def queue(event="booking_confirmed", phone=PHONE, email=None, locale="id", **context):
    message_id = services.enqueue(
        event,
        name="Budi Santoso",
        phone=phone,
        email=email,
        locale=locale,
        reference="ACDE3467",
        nik_masked="3319**********01",
        context={**sample_context(event), **context},
    )
    db.session.commit()
    return db.session.get(OutboxMessage, message_id)


def deliver():
    return delivery.deliver_due()


def later(**delta):
    clock.freeze(clock.now() + timedelta(**delta))


def test_enqueue_writes_one_row_per_address(ctx):
    queue(email="budi@example.test")
    rows = outbox_rows()
    assert [(r.route, r.phone, r.email) for r in rows] == [
        ("phone", PHONE, None),
        ("email", None, "budi@example.test"),
    ]
    assert len({r.idempotency_key for r in rows}) == 2
    assert all(r.status == "pending" and r.nik_masked == "3319**********01" for r in rows)


def test_enqueue_without_address_goes_to_the_log(ctx):
    queue(phone=None)
    assert [r.route for r in outbox_rows()] == ["log"]


def test_enqueue_stores_dates_as_text(ctx):
    from datetime import date

    queue("card_scheduled", pickup_from=date(2026, 12, 20))
    assert outbox_rows()[0].context["pickup_from"] == "2026-12-20"


def test_nothing_configured_goes_to_the_log(ctx, caplog):
    queue(email="budi@example.test")
    with caplog.at_level(logging.INFO, logger="scheduler.notifications.delivery"):
        assert deliver()["sent"] == 2
    rows = outbox_rows()
    assert {(r.status, r.channel) for r in rows} == {("sent", "log")}
    assert "ACDE3467" in caplog.text
    assert deliver()["sent"] == 0  # nothing twice


def test_whatsapp_request(ctx, providers):
    message = queue()
    assert deliver()["sent"] == 1
    wa = providers["whatsapp"]
    assert len(wa.requests) == 1 and not providers["sms"].requests
    request = wa.requests[0]
    assert request["path"] == "/v1/123456/messages?x=1"  # the URL exactly as configured
    assert request["headers"]["Authorization"] == "Bearer wa-token"
    assert request["headers"]["Idempotency-Key"] == message.idempotency_key
    body = request["json"]
    assert body["messaging_product"] == "whatsapp"
    assert body["to"] == "6281234567890" and body["type"] == "template"
    assert "ACDE3467" in [p["text"] for p in body["template"]["components"][0]["parameters"]]
    row = outbox_rows()[0]
    assert (row.status, row.channel, row.provider_message_id) == ("sent", "whatsapp", "wamid.1")
    assert row.sent_at == clock.now() and row.lease_until is None


def test_whatsapp_failure_falls_back_to_sms(ctx, providers):
    providers["whatsapp"].answer(500)
    queue()
    assert deliver()["sent"] == 1
    sms = providers["sms"].requests
    assert len(sms) == 1
    assert sms[0]["headers"]["Authorization"] == "Bearer sms-token"
    assert len(sms[0]["json"]["text"]) <= 160 and "ACDE3467" in sms[0]["json"]["text"]
    row = outbox_rows()[0]
    assert (row.status, row.channel) == ("sent", "sms")
    assert "whatsapp: HTTP 500" in row.last_error


def test_whatsapp_timeout_falls_back_to_sms(ctx, providers):
    providers["whatsapp"].answer((200, {}, 1.5))  # slower than the 0.5 s timeout
    queue()
    assert deliver()["sent"] == 1
    row = outbox_rows()[0]
    assert (row.status, row.channel) == ("sent", "sms")
    assert "timed out" in row.last_error


def test_429_waits_for_retry_after_without_falling_back(ctx, providers):
    wa, sms = providers["whatsapp"], providers["sms"]
    wa.answer((429, {"Retry-After": "120"}))
    queue()
    queue()
    counts = deliver()
    assert counts == {"sent": 0, "failed": 1, "dead": 0, "deferred": 1}
    assert len(wa.requests) == 1 and not sms.requests  # the second was not even tried
    first, second = outbox_rows()
    assert first.status == "failed" and first.next_attempt_at >= clock.now() + timedelta(
        seconds=120
    )
    assert second.status == "pending" and second.attempts == 0
    assert second.next_attempt_at >= clock.now() + timedelta(seconds=120)
    later(seconds=60)
    assert deliver()["sent"] == 0 and len(wa.requests) == 1
    later(seconds=61 + 30)
    assert deliver()["sent"] == 2
    assert {r.channel for r in outbox_rows()} == {"whatsapp"}
    assert len(wa.delivered()) == 2 and not sms.requests


def test_retry_after_as_http_date(ctx, providers):
    from email.utils import format_datetime

    when = format_datetime(clock.now() + timedelta(seconds=300), usegmt=True)
    providers["whatsapp"].answer((429, {"Retry-After": when}))
    queue()
    deliver()
    row = outbox_rows()[0]
    assert row.next_attempt_at >= clock.now() + timedelta(seconds=299)


def test_failures_back_off_then_die_with_the_providers_error(ctx, providers, monkeypatch):
    monkeypatch.setitem(ctx.config, "OUTBOX_MAX_ATTEMPTS", 3)
    wa, sms = providers["whatsapp"], providers["sms"]
    wa.default = (503, {}, 0)
    sms.default = (502, {}, 0)
    queue()
    delays = []
    for attempt in (1, 2):
        assert deliver()["failed"] == 1
        row = outbox_rows()[0]
        assert (row.status, row.attempts) == ("failed", attempt)
        delays.append((row.next_attempt_at - clock.now()).total_seconds())
        assert deliver()["failed"] == 0  # not due yet
        clock.freeze(row.next_attempt_at)
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60
    assert deliver()["dead"] == 1
    row = outbox_rows()[0]
    assert row.status == "dead" and row.attempts == 3
    assert "whatsapp: HTTP 503" in row.last_error and "sms: HTTP 502" in row.last_error
    assert len(wa.requests) == 3 and len(sms.requests) == 3
    # The provider echoed the number; it is not kept.
    assert "81234567890" not in row.last_error
    # An admin sends it again once the providers are back.
    wa.default = (200, {}, 0)
    services.retry_message(row.id)
    assert outbox_rows()[0].status == "pending"
    # Both providers failed three times in a row: this process tries them again once
    # their pause is over (at most COOL_OFF_MAX_SECONDS), without spending an attempt.
    assert deliver() == {"sent": 0, "failed": 0, "dead": 0, "deferred": 1}
    later(minutes=5)
    assert deliver()["sent"] == 1
    assert outbox_rows()[0].channel == "whatsapp"


def test_permanent_refusals_die_at_once(ctx, providers):
    providers["whatsapp"].answer(400)
    providers["sms"].answer(422)
    queue()
    assert deliver()["dead"] == 1
    row = outbox_rows()[0]
    assert row.status == "dead" and row.attempts == 1


def test_email_through_smtp(ctx, providers):
    queue(phone=None, email="budi@example.test", locale="en")
    assert deliver()["sent"] == 1
    (mail,) = providers["smtp"].messages
    row = outbox_rows()[0]
    assert mail["To"] == "budi@example.test"
    assert mail["Subject"] == "e-KTP recording appointment ACDE3467"
    assert row.idempotency_key in mail["Message-ID"]
    assert mail["Idempotency-Key"] == row.idempotency_key
    body = mail.get_content()
    assert body.startswith("Dear Budi Santoso,")
    assert "Booking code: ACDE3467" in body
    assert (row.channel, row.provider_message_id) == ("email", mail["Message-ID"])


def test_refused_email_address_is_dead(ctx, providers):
    queue(phone=None, email="nobody@refused.test")
    assert deliver()["dead"] == 1
    assert "550" in outbox_rows()[0].last_error


def test_smtp_down_is_retried(ctx, providers, monkeypatch):
    from tests.notifications.fakes import free_port

    monkeypatch.setitem(ctx.config, "SMTP_PORT", free_port())
    queue(phone=None, email="budi@example.test")
    assert deliver()["failed"] == 1


def test_unknown_context_key_is_dead_with_the_reason(ctx):
    services.enqueue("card_scheduled", phone=PHONE, reference="X", context={"code": "X"})
    db.session.commit()
    assert deliver()["dead"] == 1
    assert "pickup_from" in outbox_rows()[0].last_error


def test_claims_are_disjoint_and_leased(ctx, monkeypatch):
    for _ in range(5):
        queue()
    first = delivery.claim("worker-a", 3, lease_seconds=60)
    second = delivery.claim("worker-b", 3, lease_seconds=60)
    assert len(first) == 3 and len(second) == 2
    assert not {r.id for r in first} & {r.id for r in second}
    assert delivery.claim("worker-c", 10, lease_seconds=60) == []
    # worker-a died: after its lease its rows are due again, attempts counted.
    later(seconds=61)
    third = delivery.claim("worker-c", 10, lease_seconds=60)
    assert sorted(r.id for r in third) == sorted(r.id for r in first + second)
    assert all(r.attempts == 2 for r in third)


def test_a_crash_loop_ends_dead(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "OUTBOX_MAX_ATTEMPTS", 2)
    queue()
    for _ in range(2):
        delivery.claim("crashing", 10, lease_seconds=1)
        later(seconds=2)
    assert deliver()["dead"] == 1
    assert "worker stopped" in outbox_rows()[0].last_error


def test_a_lost_lease_is_not_recorded_over(ctx):
    queue()
    (row,) = delivery.claim("slow", 10, lease_seconds=1)
    later(seconds=2)
    assert deliver()["sent"] == 1  # another worker took it over
    outcome = delivery.Outcome(row.id, "failed", row.attempts, "whatsapp", clock.now(), None, "x")
    delivery._record("slow", [outcome])
    db.session.commit()
    assert outbox_rows()[0].status == "sent"


def test_stopping_hands_the_rest_back(ctx):
    import threading

    for _ in range(3):
        queue()
    stop = threading.Event()
    stop.set()
    rows = delivery.claim("w", 10, lease_seconds=300)
    delivery._send_batch("w", rows, delivery.channels_for(ctx), ctx.config, 300, stop, {})
    assert all(r.lease_until is None and r.attempts == 0 for r in outbox_rows())
    assert deliver()["sent"] == 3


@pytest.mark.parametrize("attempts", range(1, 12))
def test_backoff_grows_with_jitter_and_a_cap(attempts):
    rng = random.Random(attempts)
    values = [delivery.backoff_seconds(attempts, 30, 3600, rng) for _ in range(50)]
    full = min(3600, 30 * 2 ** (attempts - 1))
    assert all(full / 2 <= v <= full for v in values)
    assert len(set(values)) > 1


def test_the_message_shares_the_bookings_transaction(client):
    from tests.factories import booking_body, make_slot

    slot = make_slot(capacity=1)
    assert client.post("/api/v1/appointments", json=booking_body(slot)).status_code == 201
    assert [r.event for r in outbox_rows()] == ["booking_confirmed"]
    refused = client.post("/api/v1/appointments", json=booking_body(slot))
    assert refused.get_json()["error"]["code"] == "slot_full"
    assert len(outbox_rows()) == 1  # the refused booking wrote no message


def test_a_rolled_back_change_sends_nothing(ctx):
    services.enqueue("booking_confirmed", phone=PHONE, context=sample_context("booking_confirmed"))
    db.session.rollback()
    assert outbox_rows() == [] and deliver()["sent"] == 0


def test_sent_messages_are_deleted_after_the_retention(ctx):
    queue()
    queue(phone=None, email="budi@example.com")
    assert deliver()["sent"] == 2
    later(days=89)
    assert services.purge_sent() == 0
    later(days=2)
    queue()  # a new one waits
    assert services.purge_sent() == 2
    assert [r.status for r in outbox_rows()] == ["pending"]


def test_retry_after_zero_still_waits_a_moment(ctx, providers):
    providers["whatsapp"].answer((429, {"Retry-After": "0"}))
    queue()
    deliver()
    assert outbox_rows()[0].next_attempt_at > clock.now()


def test_a_hanging_provider_holds_up_neither_the_batch_nor_email(ctx, app, providers, monkeypatch):
    import time

    monkeypatch.setitem(app.config, "SMS_API_URL", None)
    wa, smtp = providers["whatsapp"], providers["smtp"]
    wa.default = (200, {}, 2.0)  # hangs: longer than the 0.5 s timeout
    for i in range(5):
        queue(phone=f"+62812345678{i:02d}")
        queue(phone=None, email=f"warga{i}@example.test")
    started = time.monotonic()
    counts = deliver()
    assert time.monotonic() - started < 2.5  # one timeout, not five
    assert counts == {"sent": 5, "failed": 1, "dead": 0, "deferred": 4}
    assert len(wa.requests) <= 1 and len(smtp.messages) == 5
    waiting = [r for r in outbox_rows() if r.route == "phone"]
    assert sum(r.attempts for r in waiting) == 1  # the others spent no attempt
    # Minutes later it answers again: everything goes, each once.
    wa.default = (200, {}, 0.0)
    for _ in range(6):
        later(minutes=5)
        deliver()
    assert {r.status for r in outbox_rows()} == {"sent"}
    assert len(wa.delivered()) == 5 and len(set(wa.keys())) == 5
