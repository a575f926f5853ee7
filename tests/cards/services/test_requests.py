"""Card requests (cards/services/requests.py): the desk's recording queues a card,
replacements join the same queue, a site outside the actor's is refused.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import services
from scheduler.cards.models import CardRequest
from scheduler.errors import InvalidState, ValidationError
from scheduler.extensions import db
from tests.cards.conftest import MON, deliver
from tests.factories import make_nik, make_site


def test_replacement_joins_the_same_queue(record, office):
    deliver(1)
    _, first = record()
    nik = make_nik(date(1985, 2, 1))
    card = services.request_replacement(
        nik=nik,
        name="Rudi Hartono",
        birth_date=date(1985, 2, 1),
        phone="081298765432",
        reason="lost",
        site_id=office.id,
    )
    assert card.kind == "replacement" and card.status == "awaiting_stock"
    with pytest.raises(InvalidState):  # one card in process per person
        services.request_replacement(
            nik=nik,
            name="Rudi Hartono",
            birth_date=date(1985, 2, 1),
            phone="081298765432",
            reason="damaged",
            site_id=office.id,
        )
    deliver(1)
    db.session.refresh(card)
    assert (
        card.status == "scheduled"
        and card.print_on == MON + timedelta(days=0)
        or (card.print_on == MON + timedelta(days=1))
    )


def test_a_replacement_at_a_site_outside_the_actors_is_refused(office):
    elsewhere = make_site(name="Kecamatan Lain", kind="subdistrict")
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        services.request_replacement(
            nik=make_nik(date(1985, 2, 1)),
            name="Rudi Hartono",
            birth_date=date(1985, 2, 1),
            phone="081298765432",
            reason="lost",
            site_id=office.id,
            site_ids={elsewhere.id},
        )
    assert {k: str(v) for k, v in refused.value.fields.items()} == {
        "site_id": "Bukan lokasi tempat Anda bertugas."
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CardRequest)) == 0


def test_the_desks_mark_recorded_queues_and_allocates_the_card(office):
    """Marking a resident recorded at the desk runs the allocation in the same transaction."""
    from scheduler.cards.models import CardRequest
    from scheduler.staff import desk
    from tests.factories import make_slot, make_user

    deliver(3)
    clerk = make_user("staff", sites=[office])
    slot = make_slot(site=office, capacity=5, days_ahead=0, at=clock.now().time())
    applicant = appointments.Applicant(
        nik=make_nik(date(1993, 4, 4)),
        name="Wati",
        birth_date=date(1993, 4, 4),
        phone="+6281277778888",
    )
    appointment = appointments.book_into_slot(slot, applicant, status="checked_in")
    db.session.commit()

    desk.mark_recorded(clerk, appointment.code)
    card = db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == appointment.id)
    )
    assert card.status == "scheduled" and card.print_on == MON
    assert appointments.card_summary(appointment)["pickup_from"] == "2026-12-08"
    assert services.on_recorded(appointment).id == card.id  # twice: the same card
