"""/metrics: Prometheus text with the booking counter, the request histogram and the
gauges read from the database; from loopback or for an admin's token only. (Several
gunicorn workers adding up their counters: tests/test_gunicorn.py.)"""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scheduler import clock
from scheduler.cards import stock
from scheduler.notifications import services as notifications
from scheduler.staff import services as staff
from tests.factories import booking_body, make_site, make_slot, make_user


def scrape(client, **kwargs):
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert answer.content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def sample(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_booking_results_are_counted(client):
    slot = make_slot(capacity=1)
    before = scrape(client)
    first = booking_body(slot)
    assert client.post("/api/v1/appointments", json=first).status_code == 201
    again = dict(first, slot_id=make_slot(slot.site, days_ahead=2).id)
    assert client.post("/api/v1/appointments", json=again).status_code == 409
    assert client.post("/api/v1/appointments", json=booking_body(slot)).status_code == 409
    bad = dict(booking_body(slot), nik="123")
    assert client.post("/api/v1/appointments", json=bad).status_code == 422
    after = scrape(client)
    for result in ("booked", "duplicate_booking", "slot_full", "validation_error"):
        name = "antre_bookings_total"
        assert sample(after, name, result=result) - sample(before, name, result=result) == 1


def test_request_durations_are_observed_by_route_template(client):
    name = "antre_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "/janji/<code>", "status": "404"}
    before = sample(scrape(client), name, **labels)
    client.get("/janji/ABCD-EFGH")
    client.get("/janji/WXYZ-1234")
    after = scrape(client)
    assert sample(after, name, **labels) - before == 2
    assert not [key for key in after if "ABCD" in repr(key)]


def test_gauges_are_read_from_the_database(client):
    site = make_site(name="Kantor Kecamatan Jati", hours=False)
    slot = make_slot(site, capacity=4)
    make_slot(site, capacity=4, is_public=False, days_ahead=2)  # not offered: not counted
    assert client.post("/api/v1/appointments", json=booking_body(slot)).status_code == 201
    stock.receive_delivery(30, clock.now().date())
    samples = scrape(client)
    fill = sample(samples, "antre_slot_fill_ratio", site_id=str(site.id), site=site.name)
    assert fill == pytest.approx(0.25)
    for status, count in notifications.count_by_status().items():
        assert sample(samples, "antre_outbox_messages", status=status) == count
    assert sample(samples, "antre_outbox_messages", status="pending") >= 1
    assert sample(samples, "antre_stock_blanks", state="on_hand") == 30
    # No card used lately: the days of cover are unknown, so there is no sample.
    assert ("antre_stock_days_of_cover", ()) not in samples
    assert stock.stock_summary()["days_of_cover"] is None


def test_days_of_cover_is_the_stock_pages_figure(client, monkeypatch):
    summary = {"days_of_cover": 12.5, "on_hand": 40, "reserved": 3, "awaiting": 0}
    monkeypatch.setattr(stock, "stock_summary", lambda: summary)
    assert sample(scrape(client), "antre_stock_days_of_cover") == 12.5


@pytest.mark.parametrize(
    "role, status", [(None, 401), ("staff", 403), ("coordinator", 403), ("admin", 200)]
)
def test_from_elsewhere_only_an_admin_token_may_scrape(client, role, status):
    headers = {}
    if role:
        user = make_user(role=role, sites=[make_site()] if role == "staff" else [])
        headers["Authorization"] = "Bearer " + staff.create_token(user.email)
    away = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get("/metrics", headers=headers, environ_base=away).status_code == status


def test_a_request_relayed_by_an_untrusted_local_proxy_is_not_local(client):
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert relayed.status_code == 401
    assert client.get("/metrics").status_code == 200  # loopback, nothing relayed


def test_a_gauge_that_fails_leaves_the_rest_of_the_scrape(client, monkeypatch):
    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(stock, "stock_summary", broken)
    samples = scrape(client)
    assert ("antre_stock_blanks", (("state", "on_hand"),)) not in samples
    assert any(name == "antre_outbox_messages" for name, _ in samples)


def test_metrics_are_never_cached(client):
    assert client.get("/metrics").headers["Cache-Control"] == "no-store"
