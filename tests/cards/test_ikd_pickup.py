"""The digital ID (IKD) activated at the pickup desk: a checkbox on the hand-over form
and ikd_activated in the API; a holder who activated it at recording is not counted twice."""

from datetime import UTC, datetime

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.cards import services
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from tests.cards.conftest import deliver
from tests.cards.test_views import login, text

PICKUP_DAY = datetime(2026, 12, 8, 2, tzinfo=UTC)


def _ready(record):
    appointment, card = record()
    services.mark_printed(card.code)
    db.session.commit()
    clock.freeze(PICKUP_DAY)
    return appointment, card


def test_the_pickup_desk_ticks_ikd(client, record, office):
    deliver(5)
    _appointment, card = _ready(record)
    login(client, "staff", [office])
    page = text(client.get("/petugas/pengambilan", query_string={"q": card.code}))
    assert 'name="ikd_activated"' in page
    resp = client.post(
        f"/petugas/pengambilan/{card.code}", data={"collected_by": "self", "ikd_activated": "y"}
    )
    assert resp.status_code == 302
    assert db.session.get(CardRequest, card.id).ikd_activated_at == PICKUP_DAY


def test_activated_at_recording_is_not_counted_again(client, record, office):
    deliver(5)
    appointment, card = _ready(record)
    db.session.get(Appointment, appointment.id).ikd_activated_at = PICKUP_DAY
    db.session.commit()
    login(client, "staff", [office])
    page = text(client.get("/petugas/pengambilan", query_string={"q": card.code}))
    assert "IKD sudah diaktifkan saat perekaman." in page and 'name="ikd_activated"' not in page
    services.hand_over(card.code, collected_by="self", ikd_activated=True)
    assert db.session.get(CardRequest, card.id).ikd_activated_at is None


def test_the_api_takes_ikd_activated(client, record, office):
    from scheduler.staff import services as staff
    from tests.factories import make_user

    deliver(5)
    _appointment, card = _ready(record)
    clerk = make_user("staff", sites=[office])
    headers = {"Authorization": "Bearer " + staff.create_token(clerk.email)}
    resp = client.post(
        f"/api/v1/appointments/{card.code}/picked-up",
        json={"collected_by": "self", "ikd_activated": True},
        headers=headers,
    )
    assert resp.status_code == 200
    assert db.session.get(CardRequest, card.id).ikd_activated_at == PICKUP_DAY
