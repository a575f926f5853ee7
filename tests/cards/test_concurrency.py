"""Concurrent writers never take the stock below zero, and the ledger's running balances
agree with the counter (real threads and commits; run with PostgreSQL for the proof)."""

import threading

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
