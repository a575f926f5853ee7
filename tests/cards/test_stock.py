"""The blank stock (cards/stock.py): never negative, the monthly blank report and its CSV."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.cards import services, stock
from scheduler.cards.models import StockEntry
from scheduler.errors import InvalidState
from scheduler.extensions import db
from tests.cards.conftest import MON, deliver


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
