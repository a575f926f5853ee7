"""Fixtures for the notification tests: local providers and a real SMTP server."""

import pytest

from scheduler.extensions import db


@pytest.fixture
def providers(app, monkeypatch, whatsapp, sms, smtp_server):
    """Every channel configured, pointing at the local stand-ins."""
    monkeypatch.setitem(app.config, "WHATSAPP_API_URL", whatsapp.url)
    monkeypatch.setitem(app.config, "WHATSAPP_TOKEN", "wa-token")
    monkeypatch.setitem(app.config, "SMS_API_URL", sms.url.replace("messages", "sms"))
    monkeypatch.setitem(app.config, "SMS_TOKEN", "sms-token")
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "OUTBOX_HTTP_TIMEOUT_SECONDS", 0.5)
    return {"whatsapp": whatsapp, "sms": sms, "smtp": smtp_server}


def outbox_rows():
    from scheduler.notifications.models import OutboxMessage

    db.session.expire_all()
    return db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
