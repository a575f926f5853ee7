"""Cards through awaiting_stock -> scheduled -> ready -> picked_up, with real dates.

The clock stands at Monday 2026-12-07 08:00 WIB; the test office works Monday to Friday
and prints 2 cards a day.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import certificates, services, stock
from scheduler.cards.models import CardRequest, StockEntry
from scheduler.errors import InvalidState, ValidationError
from scheduler.extensions import db
from scheduler.notifications.models import OutboxMessage
from tests.cards.conftest import deliver
from tests.factories import make_nik, make_site

MON = date(2026, 12, 7)


def events(code):
    return [
        m.event
        for m in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.reference == code)
            .order_by(OutboxMessage.id)
        )
    ]


def at_day(on, hour=1):
    clock.freeze(datetime(on.year, on.month, on.day, hour, tzinfo=UTC))


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


def test_daily_capacity_and_working_days(record):
    deliver(20)
    cards = [record()[1] for _ in range(5)]
    assert [c.print_on for c in cards] == [
        MON,
        MON,
        MON + timedelta(days=1),
        MON + timedelta(days=1),
        MON + timedelta(days=2),
    ]
    # Printed on Friday: collected on Monday, the next working day.
    assert services.allocate_cards()["changed"] == 0  # idempotent
    friday = [record()[1] for _ in range(5)][-1]
    assert friday.print_on == date(2026, 12, 11)
    assert friday.pickup_from == date(2026, 12, 14)


def test_a_sixteen_year_old_waits_for_the_birthday_even_with_stock(record):
    deliver(5)
    birth = date(2009, 12, 20)  # 17 on Sunday 2026-12-20
    appointment, card = record(birth_date=birth)
    assert card.status == "scheduled"
    assert card.print_on == date(2026, 12, 21)  # the next working day
    assert card.eligible_on == date(2026, 12, 20)
    with pytest.raises(InvalidState):
        services.mark_printed(card.code)
    # A married 16-year-old may hold a card at once.
    _, married = record(birth_date=date(2010, 1, 3), married=True)
    assert married.print_on == MON


def test_an_announced_delivery_gives_honest_later_dates(record):
    _, card = record()
    assert card.status == "awaiting_stock"
    expected = stock.add_expected(1, date(2026, 12, 14))
    db.session.refresh(card)
    assert card.status == "scheduled"
    assert card.print_on == date(2026, 12, 15)  # the day after it is due
    _, second = record()
    assert second.status == "awaiting_stock"
    assert services.card_json(second)["queue_position"] == 1
    # The delivery will not come: the promise is withdrawn and the resident told.
    stock.cancel_expected(expected.id)
    db.session.refresh(card)
    assert card.status == "awaiting_stock"
    assert events(card.code) == ["card_scheduled", "card_date_moved"]


def test_spoilage_moves_the_latest_promise_first(record):
    deliver(3)
    cards = [record()[1] for _ in range(3)]
    record_, entry = stock.record_spoilage(1, "Blangko tergores saat dibuka")
    assert entry.balance == 2 and record_.number.startswith("001/BA-BLANGKO/XII/2026")
    for c in cards:
        db.session.refresh(c)
    assert [c.status for c in cards] == ["scheduled", "scheduled", "awaiting_stock"]
    assert events(cards[2].code) == ["card_scheduled", "card_date_moved"]
    assert events(cards[0].code) == ["card_scheduled"]


def test_stock_never_goes_negative(record, is_postgres):
    deliver(2)
    with pytest.raises(InvalidState):
        stock.record_spoilage(3, "rusak")
    with pytest.raises(InvalidState):
        stock.correct_stock(-5, "hitung ulang")
    assert stock.stock_summary()["on_hand"] == 2
    # The database itself refuses, whatever Python does.
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE blank_stock SET on_hand = on_hand - 3"))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            StockEntry(
                kind="spoiled",
                delta=-1,
                balance=-1,
                entry_on=MON,
                created_at=clock.now(),
            )
        )
        db.session.flush()


def test_priority_gets_the_next_blank(record):
    cards = [record()[1] for _ in range(3)]
    services.set_priority(cards[2].code, 2, "Rawat inap di RSUD")
    deliver(1)
    for c in cards:
        db.session.refresh(c)
    assert [c.status for c in cards] == ["awaiting_stock", "awaiting_stock", "scheduled"]
    assert services.queue_position(cards[0]) == 1


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


def test_monthly_report_adds_up(record):
    deliver(10, on=date(2026, 11, 20))
    deliver(5)
    _, card = record()
    services.mark_printed(card.code, misprints=2)
    stock.correct_stock(-1, "Hasil stock opname")
    report = stock.monthly_report(2026, 12)
    assert (report["opening"], report["received"], report["used"], report["spoiled"]) == (
        10,
        5,
        1,
        2,
    )
    assert report["corrections"] == -1 and report["closing"] == 11
    text = stock.monthly_report_csv(report)
    assert "Saldo akhir,11" in text


def test_certificate_of_recording_is_verifiable(record):
    _, card = record()
    cert = certificates.issue_certificate(card.code)
    assert cert.number.startswith("470/0001/SK-REKAM/XII/2026")
    found = certificates.verify_token(certificates.token(cert))
    assert found.id == cert.id
    assert certificates.verify_token(certificates.token(cert)[:-2] + "xx") is None
    assert certificates.find_by_code(cert.verification_code.lower()).id == cert.id
    view = certificates.public_view(cert)
    assert view["state"] == "valid" and view["nik_masked"] == card.nik_masked
    assert "*" in view["nik_masked"]


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


def test_card_messages_render_with_the_notification_templates(record):
    """Every card event the outbox gets renders (the notifications feature's templates)."""
    from scheduler.notifications import messages

    deliver(1)
    _, card = record()
    services.mark_printed(card.code)
    at_day(date(2026, 12, 30))
    services.send_card_messages()
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.reference == card.code)
    ).all()
    assert [r.event for r in rows] == ["card_scheduled", "card_ready", "card_uncollected"]
    for row in rows:
        rendered = messages.render(row.event, row.context, "id", row.recipient_name)
        assert card.code in rendered.text and "Kantor Uji" in rendered.text


def test_monthly_report_csv_cells_cannot_be_formulas(record):
    import csv
    import io

    stock.receive_delivery(3, services.today(), reference='=HYPERLINK("http://x.invalid","klik")')
    db.session.commit()
    stock.correct_stock(-1, "@SUM(A1:A9)")
    stock.correct_stock(1, "+62 812")
    text = stock.monthly_report_csv(stock.monthly_report(2026, 12))
    cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]
    assert '\'=HYPERLINK("http://x.invalid","klik")' in cells
    assert "'@SUM(A1:A9)" in cells and "'+62 812" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert "-1" in cells  # a negative number stays a number
