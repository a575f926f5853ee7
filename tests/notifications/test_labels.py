"""The outbox page names events, statuses, routes and channels in words, never codes."""

import pathlib
import re

import flask_babel
import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.notifications import models, services
from scheduler.notifications.messages import EVENT_LABELS, TEMPLATES
from scheduler.notifications.models import OutboxMessage
from tests.notifications.test_api import make_user
from tests.visible import visible_text

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "scheduler"
# An event named where a message is queued: notify(x, "event"), _notify(x, "event"),
# enqueue("event", ...).
_QUEUED = re.compile(r'(?:notify\(\s*\w+,\s*|enqueue\(\s*)"(\w+)"')


def _words(mapping, lang, app):
    with app.test_request_context(f"/?lang={lang}"):
        flask_babel.refresh()
        return {code: str(label) for code, label in mapping.items()}


@pytest.mark.parametrize(
    "codes, labels",
    [
        (models.OUTBOX_STATUSES, models.STATUS_LABELS),
        (models.ROUTES, models.ROUTE_LABELS),
        (models.CHANNELS, models.CHANNEL_LABELS),
        (models.PROVIDER_STATUSES, models.PROVIDER_STATUS_LABELS),
        (tuple(TEMPLATES), EVENT_LABELS),
    ],
)
def test_every_code_has_words_in_both_languages(app, codes, labels):
    assert set(labels) == set(codes)
    indonesian, english = _words(labels, "id", app), _words(labels, "en", app)
    names = ("email", "whatsapp", "sms")  # the same word in every language
    assert all(indonesian[c] and indonesian[c].lower() != c for c in codes if c not in names)
    assert all(english[c] for c in codes), english


def test_the_english_words_are_translations(app):
    indonesian, english = _words(EVENT_LABELS, "id", app), _words(EVENT_LABELS, "en", app)
    assert all(indonesian[e] != english[e] for e in EVENT_LABELS), english


def test_every_event_queued_in_the_code_has_a_template_and_words():
    queued = set()
    for path in SOURCE.rglob("*.py"):
        queued.update(_QUEUED.findall(path.read_text()))
    assert queued and queued <= set(EVENT_LABELS), queued - set(EVENT_LABELS)


def test_the_check_constraints_allow_only_named_codes():
    checks = {
        c.name: str(c.sqltext)
        for c in OutboxMessage.__table__.constraints
        if isinstance(c, sa.CheckConstraint)
    }
    for column, codes in (("status", models.OUTBOX_STATUSES), ("route", models.ROUTES)):
        check = next(t for n, t in checks.items() if n in (column, f"ck_outbox_messages_{column}"))
        assert set(re.findall(r"'(\w+)'", check)) == set(codes)


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "id",
            (
                "Janji temu dipesan",
                "KTP-el siap diambil",
                "Nomor ponsel",
                "Menunggu",
                "Hanya dicatat",
            ),
        ),
        (
            "en",
            (
                "Appointment booked",
                "KTP-el ready for pickup",
                "Mobile number",
                "Pending",
                "Logged only",
            ),
        ),
    ],
)
def test_the_outbox_page_shows_words(ctx, client, lang, words):
    services.enqueue("booking_confirmed", phone="+6281234567890", reference="ABCD2345")
    services.enqueue("card_ready", reference="EFGH6789")
    db.session.execute(sa.update(OutboxMessage).values(channel=None))
    user = make_user("admin")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["nonce"] = user.session_nonce
    html = client.get(f"/petugas/pesan-keluar?lang={lang}").get_data(as_text=True)
    page = visible_text(html)
    for expected in words:
        assert expected in page, expected
    for code in ("booking_confirmed", "card_ready", " phone ", "ABCD2345 log", " pending "):
        assert code not in page, code
