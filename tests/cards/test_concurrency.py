"""Concurrent writers never take the stock below zero, and the ledger's running balances
agree with the counter (real threads and commits; run with PostgreSQL for the proof)."""

import threading

import pytest
import sqlalchemy as sa

from scheduler.cards import services, stock
from scheduler.cards.models import StockEntry
from scheduler.errors import InvalidState
from scheduler.extensions import db


def test_parallel_spoilage_never_takes_stock_below_zero(committed_db):
    app = committed_db
    stock.receive_delivery(5, services.today(), reference="SP-1")
    outcomes, barrier = [], threading.Barrier(12)

    def spoil_one():
        with app.app_context():
            barrier.wait()
            try:
                stock.record_spoilage(1, "Rusak saat pengiriman")
                outcomes.append("ok")
            except InvalidState:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spoil_one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] * 5 + ["refused"] * 7
    assert stock.stock_summary()["on_hand"] == 0
    balances = db.session.scalars(
        sa.select(StockEntry.balance).where(StockEntry.kind == "spoiled").order_by(StockEntry.id)
    ).all()
    assert balances == [4, 3, 2, 1, 0]
    numbers = {r.number for r in stock.list_spoilage_records()}
    assert len(numbers) == 5


def test_parallel_recordings_never_overfill_a_print_day(committed_db):
    from collections import Counter
    from datetime import date

    from scheduler import clock
    from scheduler.appointments import services as appointments
    from scheduler.cards.models import CardRequest
    from scheduler.db import transactional
    from tests.factories import make_nik, make_site, make_slot

    app = committed_db
    site = make_site(name="Kantor Paralel", kind="office")
    slot = make_slot(site=site, capacity=50, days_ahead=0)
    slot_id, site_id, slot_model = slot.id, site.id, type(slot)
    db.session.commit()
    stock.save_print_site(site_id, printers=1, operators=1, cards_per_printer=2)
    stock.receive_delivery(20, services.today())
    db.session.remove()  # this thread holds no transaction (SQLite: no write lock) now
    errors, barrier = [], threading.Barrier(8)

    @transactional
    def record(i):
        applicant = appointments.Applicant(
            nik=make_nik(date(1990, 1, 1 + i), serial=500 + i),
            name=f"Warga {i}",
            birth_date=date(1990, 1, 1 + i),
            phone=f"+628120000{i:04d}",
        )
        slot_ = db.session.get(slot_model, slot_id)
        a = appointments.book_into_slot(slot_, applicant, status="checked_in")
        a.status, a.recorded_at = "recorded", clock.now()
        db.session.flush()
        services.on_recorded(a)

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                record(i)
            except Exception as exc:  # any failure (a deadlock) fails the test below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    days = Counter(db.session.scalars(sa.select(CardRequest.print_on)).all())
    assert sum(days.values()) == 8 and max(days.values()) == 2


def test_parallel_transfers_and_spoilage_never_take_an_office_below_zero(committed_db):
    """Two printing offices with 4 blanks each; 24 threads at once move 1 blank one way
    or the other, or spoil one at either office. No office ever goes below zero, every
    transfer is exactly one entry out and one in, and each counter is its entries' sum."""
    import random

    from scheduler.cards import offices
    from scheduler.cards.models import DEFAULT_OFFICE_ID, StockCounter, StockTransfer

    app = committed_db
    stock.receive_delivery(4, services.today(), reference="SP-A")
    second = offices.add_office("Kantor cetak kedua").id
    stock.receive_delivery(4, services.today(), reference="SP-B", office_id=second)
    db.session.remove()
    first = DEFAULT_OFFICE_ID
    actions = [("move", first, second)] * 8 + [("move", second, first)] * 8
    actions += [("spoil", first, None)] * 4 + [("spoil", second, None)] * 4
    random.Random(20).shuffle(actions)
    outcomes, errors, barrier = [], [], threading.Barrier(len(actions))

    def act(kind, office, other):
        with app.app_context():
            barrier.wait()
            try:
                if kind == "move":
                    offices.transfer_stock(office, other, 1)
                else:
                    stock.record_spoilage(1, "Rusak", office_id=office)
                outcomes.append(kind)
            except InvalidState:
                outcomes.append("refused")
            except Exception as exc:  # a deadlock or a CHECK reached: the test fails
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=a) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert outcomes.count("spoil") == 8 - stock.stock_summary()["on_hand"]
    counters = dict(
        db.session.execute(sa.select(StockCounter.office_id, StockCounter.on_hand)).all()
    )
    sums = dict(
        db.session.execute(
            sa.select(StockEntry.office_id, sa.func.sum(StockEntry.delta)).group_by(
                StockEntry.office_id
            )
        ).all()
    )
    assert counters == sums and min(counters.values()) >= 0
    assert db.session.scalar(sa.select(sa.func.min(StockEntry.balance))) >= 0
    for transfer in db.session.scalars(sa.select(StockTransfer)):
        pair = db.session.execute(
            sa.select(StockEntry.office_id, StockEntry.delta).where(
                StockEntry.transfer_id == transfer.id
            )
        ).all()
        assert sorted(pair) == sorted([(transfer.from_office_id, -1), (transfer.to_office_id, 1)])
    # Each office's running balances, in the order written, follow its counter.
    for office_id, on_hand in counters.items():
        rows = db.session.execute(
            sa.select(StockEntry.delta, StockEntry.balance)
            .where(StockEntry.office_id == office_id)
            .order_by(StockEntry.id)
        ).all()
        running = 0
        for delta, balance in rows:
            running += delta
            assert balance == running
        assert running == on_hand


def test_the_check_alone_refuses_an_office_going_negative(committed_db):
    """With the Python guard of post_entry gone, PostgreSQL's CHECK still refuses."""
    from sqlalchemy.exc import IntegrityError

    from scheduler.cards import ledger, offices
    from scheduler.cards.models import StockCounter

    second = offices.add_office("Kantor cetak kosong").id
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.update(StockCounter)
            .where(StockCounter.office_id == second)
            .values(on_hand=StockCounter.on_hand - 1)
        )
        db.session.flush()
    db.session.rollback()
    assert ledger.on_hand(second) == 0
