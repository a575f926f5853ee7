"""Links the service gives out: PUBLIC_BASE_URL when set, else the request's own address,
never a fixed development address; the worker needs PUBLIC_BASE_URL; the calendar file
carries its zone's VTIMEZONE."""

import logging
import os
import pathlib
import subprocess
import sys

import icalendar
import pytest
import sqlalchemy as sa

from scheduler import links
from scheduler.config import DEFAULTS, ConfigError, validate
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from tests.factories import booking_body, make_site, make_slot

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _booked(client, slot, **kwargs):
    resp = client.post("/api/v1/appointments", json=booking_body(slot), **kwargs)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["appointment"]


def _message_text():
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return message.context["link"]


def test_no_fixed_development_address_in_the_code():
    assert DEFAULTS["PUBLIC_BASE_URL"] is None
    sources = [*ROOT.joinpath("scheduler").rglob("*.py"), *ROOT.joinpath("templates").rglob("*")]
    fixed = [str(p) for p in sources if p.is_file() and "127.0.0.1:5000" in p.read_text()]
    assert fixed == []


def test_links_follow_public_base_url(client, ctx):
    slot = make_slot()
    a = _booked(client, slot, base_url="http://10.0.0.5:8080")
    assert a["ics_url"].startswith("https://antre.example.go.id/api/v1/appointments/")
    assert f"https://antre.example.go.id/janji/{a['code']}?s=" in _message_text()
    ics = client.get(a["ics_url"].replace("https://antre.example.go.id", ""))
    assert f"https://antre.example.go.id/janji/{a['code']}" in ics.get_data(as_text=True).replace(
        "\r\n ", ""
    )


def test_without_it_links_follow_the_request(client, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "PUBLIC_BASE_URL", None)
    slot = make_slot()
    a = _booked(client, slot, base_url="https://ktp.kuduskab.go.id/antre")
    assert a["ics_url"].startswith("https://ktp.kuduskab.go.id/antre/api/v1/appointments/")
    assert f"https://ktp.kuduskab.go.id/antre/janji/{a['code']}?s=" in _message_text()
    ics = client.get(
        a["ics_url"].replace("https://ktp.kuduskab.go.id/antre", ""),
        base_url="https://ktp.kuduskab.go.id/antre",
    )
    text = ics.get_data(as_text=True).replace("\r\n ", "")
    assert f"https://ktp.kuduskab.go.id/antre/janji/{a['code']}" in text


def test_a_prefix_in_public_base_url_is_not_doubled(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ktp.kuduskab.go.id/antre/")
    with app.test_request_context("/", base_url="http://internal:8000/antre"):
        assert links.public_url_for("cards_views.verify") == (
            "https://ktp.kuduskab.go.id/antre/verifikasi"
        )


def test_outside_a_request_it_needs_public_base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    with app.app_context(), pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        links.public_url("/janji/X")


@pytest.mark.parametrize(
    "value", ["antre.example.go.id", "ftp://x.go.id", "https://", "https://x/?a=1"]
)
def test_a_malformed_public_base_url_refuses_to_start(app, value):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        validate({**app.config, "PUBLIC_BASE_URL": value})


def test_production_without_it_warns(app, caplog):
    config = {**app.config, "SCHEDULER_ENV": "production", "SECRET_KEY": "s" * 32}
    config["PUBLIC_BASE_URL"] = None
    with caplog.at_level(logging.WARNING, logger="scheduler.config"):
        validate(config)
    assert any("PUBLIC_BASE_URL is not set" in r.getMessage() for r in caplog.records)


def test_the_worker_refuses_to_start_without_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SCHEDULER_CONFIG", "PUBLIC_BASE_URL")}
    env.update(DATABASE_URL="sqlite:///" + str(tmp_path / "w.db"), SCHEDULER_ENV="testing")
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run-once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "PUBLIC_BASE_URL must be set for the worker" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("zone", "offset"), [("Asia/Jakarta", "+0700"), ("Asia/Jayapura", "+0900")]
)
def test_the_calendar_file_carries_its_zone(client, ctx, zone, offset):
    slot = make_slot(make_site(hours=False, timezone=zone))
    a = _booked(client, slot)
    ics = client.get(a["ics_url"].replace("https://antre.example.go.id", ""))
    calendar = icalendar.Calendar.from_ical(ics.data)
    timezones = [c for c in calendar.walk("VTIMEZONE")]
    assert [str(t["TZID"]) for t in timezones] == [zone]
    assert f"TZOFFSETTO:{offset}" in ics.get_data(as_text=True)
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == zone
