"""A card printed, handed over and reminded of (cards/services/handover.py), from
awaiting_stock to picked_up with real dates.

The clock stands at Monday 2026-12-07 08:00 WIB; the test office works Monday to Friday
and prints 2 cards a day.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler.appointments import services as appointments
from scheduler.cards import services, stock
from scheduler.errors import InvalidState, ValidationError
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from tests.cards.conftest import MON, at_day, deliver, events
from tests.factories import make_site


def test_a_card_goes_from_awaiting_stock_to_picked_up(record):
    appointment, card = record()
    summary = appointments.card_summary(appointment)
    assert summary == {
        "status": "awaiting_stock",
        "print_on": None,
        "pickup_from": None,
        "pickup_site": {"id": appointment.site_id, "name": "Kantor Uji"},
        "queue_position": 1,
    }
    deliver(10)
    summary = appointments.card_summary(appointment)
    assert summary["status"] == "scheduled"
    assert summary["print_on"] == "2026-12-07"
    assert summary["pickup_from"] == "2026-12-08"
    assert summary["queue_position"] is None
    assert events(card.code) == ["card_scheduled"]
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.reference == card.code)
    )
    assert message.context["pickup_from"] == "2026-12-08"
    assert message.context["link"] == appointments.appointment_link(appointment)
    assert message.nik_masked == card.nik_masked

    services.mark_printed(card.code)
    assert stock.stock_summary()["on_hand"] == 9
    assert appointments.card_summary(appointment)["status"] == "scheduled"  # not yet ready
    with pytest.raises(InvalidState):
        services.hand_over(card.code, collected_by="self")
    with pytest.raises(InvalidState):
        services.mark_printed(card.code)  # printing twice

    at_day(date(2026, 12, 8))
    assert appointments.card_summary(appointment)["status"] == "ready"
    assert services.send_card_messages() == {"ready": 1, "reminders": 0}
    assert services.send_card_messages() == {"ready": 0, "reminders": 0}
    with pytest.raises(ValidationError) as exc:
        services.hand_over(card.code, collected_by="family")
    assert "collector_name" in exc.value.fields
    services.hand_over(card.code, collected_by="family", collector_name="Ahmad (ayah)")
    assert appointments.card_summary(appointment)["status"] == "picked_up"
    assert events(card.code) == ["card_scheduled", "card_ready"]
    with pytest.raises(InvalidState):
        services.hand_over(card.code, collected_by="self")


def test_printing_early_and_misprints(record):
    deliver(4)
    cards = [record()[1] for _ in range(3)]
    assert cards[2].print_on == MON + timedelta(days=1)
    services.mark_printed(cards[2].code, misprints=1)  # early, and one spoiled
    summary = stock.stock_summary()
    assert summary["on_hand"] == 2
    for c in cards:
        db.session.refresh(c)
    assert [c.status for c in cards] == ["scheduled", "scheduled", "printed"]
    assert stock.list_spoilage_records()[0].quantity == 1


def test_outreach_cards_are_collected_at_the_kecamatan_office(record, office):
    kecamatan = make_site(name="Kecamatan Uji", kind="subdistrict")
    school = make_site(name="SMA Uji", kind="school")
    deliver(2)
    _, card = record(site=school)
    assert card.pickup_site_id == kecamatan.id
    assert card.print_site_id == office.id
    assert card.pickup_from == MON + timedelta(days=2)  # transport to the kecamatan


def test_reminders_after_14_and_30_days(record):
    deliver(1)
    _, card = record()
    services.mark_printed(card.code)
    at_day(date(2026, 12, 22))
    assert services.send_card_messages() == {"ready": 1, "reminders": 1}
    at_day(date(2027, 1, 8))
    assert services.send_card_messages() == {"ready": 0, "reminders": 1}
    assert services.send_card_messages() == {"ready": 0, "reminders": 0}
    assert events(card.code)[-2:] == ["card_uncollected", "card_uncollected"]
    assert [c.code for c, days in services.uncollected()] == [card.code]
