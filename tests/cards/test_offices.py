"""Stock per printing office: every entry at an office, transfers out of one and into the
other at once, never negative anywhere (the database refuses it too), the allocator
promising each office's cards from its own blanks, and the stock chart per office."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.cards import ledger, offices, services, stock
from scheduler.cards.models import DEFAULT_OFFICE_ID, CardRequest, StockEntry, StockTransfer
from scheduler.errors import InvalidState, ValidationError
from scheduler.extensions import db
from tests.cards.conftest import deliver
from tests.factories import make_site


def _counters():
    return {o["id"]: o["on_hand"] for o in stock.office_figures()}


def test_a_single_office_installation_names_no_office(record, office):
    deliver(10)
    _, card = record()
    assert card.status == "scheduled"
    figures = stock.stock_summary()
    assert figures["on_hand"] == 10 and [o["id"] for o in figures["offices"]] == [DEFAULT_OFFICE_ID]
    entries = db.session.scalars(sa.select(StockEntry)).all()
    assert {e.office_id for e in entries} == {DEFAULT_OFFICE_ID}


@pytest.fixture
def two_offices(office):
    """The default office (at `office`, with 10 blanks) and a kecamatan office printing on
    its own blanks (none yet)."""
    deliver(10)
    kecamatan = make_site(name="Kecamatan Jati", kind="subdistrict")
    second = offices.add_office("Kantor cetak Jati", site_id=kecamatan.id)
    stock.save_print_site(
        kecamatan.id, printers=1, operators=1, cards_per_printer=2, office_id=second.id
    )
    db.session.commit()
    return DEFAULT_OFFICE_ID, second.id, kecamatan


def test_a_transfer_is_out_of_one_and_into_the_other(two_offices):
    first, second, _ = two_offices
    transfer = offices.transfer_stock(first, second, 4, reference="SPB-01")
    assert _counters() == {first: 6, second: 4}
    entries = db.session.scalars(
        sa.select(StockEntry).where(StockEntry.transfer_id == transfer.id).order_by(StockEntry.id)
    ).all()
    assert [(e.office_id, e.delta, e.balance, e.kind) for e in entries] == [
        (first, -4, 6, "transfer"),
        (second, 4, 4, "transfer"),
    ]
    assert stock.stock_summary()["on_hand"] == 10  # the regency's blanks stay the same


def test_a_transfer_the_sender_cannot_cover_writes_nothing(two_offices):
    first, second, _ = two_offices
    with pytest.raises(InvalidState):
        offices.transfer_stock(first, second, 11)
    assert _counters() == {first: 10, second: 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockTransfer)) == 0
    with pytest.raises(ValidationError) as caught:
        offices.transfer_stock(second, second, 1)
    assert "to_office_id" in caught.value.fields
    with pytest.raises(InvalidState):
        stock.record_spoilage(1, "rusak", office_id=second)  # the other office's 10 do not help


def test_the_database_refuses_negative_stock_at_any_office(two_offices):
    first, second, _ = two_offices
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE blank_stock SET on_hand = on_hand - 1 WHERE office_id = :o"),
            {"o": second},
        )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            StockEntry(
                office_id=first,
                kind="transfer",  # a transfer entry without its transfer
                delta=-1,
                balance=9,
                entry_on=date(2026, 12, 7),
                created_at=clock.now(),
            )
        )
        db.session.flush()


def _recorded_at(site, days):
    from scheduler.appointments import services as appointments
    from tests.factories import make_nik, make_slot

    slot = make_slot(site=site, capacity=10, days_ahead=0, at=clock.now().time())
    cards = []
    for d in days:
        born = date(1990, 1, d)
        a = appointments.book_into_slot(
            slot,
            appointments.Applicant(
                nik=make_nik(born), name=f"Warga {d}", birth_date=born, phone="+6281234500077"
            ),
            status="checked_in",
        )
        a.status, a.recorded_at = "recorded", clock.now()
        db.session.flush()
        cards.append(services.on_recorded(a))
    db.session.commit()
    return cards


def test_each_office_promises_from_its_own_blanks(two_offices):
    first, second, kecamatan = two_offices
    at_kecamatan = _recorded_at(kecamatan, (1, 2, 3))
    for card in at_kecamatan:
        db.session.refresh(card)
    # The default office's ten blanks are not the kecamatan office's to promise.
    assert [c.status for c in at_kecamatan] == ["awaiting_stock"] * 3
    offices.transfer_stock(first, second, 2)
    for card in at_kecamatan:
        db.session.refresh(card)
    assert [c.status for c in at_kecamatan] == ["scheduled", "scheduled", "awaiting_stock"]
    assert {c.print_site_id for c in at_kecamatan if c.print_on} == {kecamatan.id}
    assert stock.stock_summary(second)["reserved"] == 2
    assert stock.stock_summary(second)["awaiting"] == 1
    # Printing uses the kecamatan office's blank.
    services.mark_printed(at_kecamatan[0].code)
    assert _counters() == {first: 8, second: 1}


def test_the_stock_chart_per_office(two_offices):
    first, second, _ = two_offices
    offices.transfer_stock(first, second, 3)
    per_office = stock.stock_overview(office_id=second)
    assert per_office["history"][-1][1] == 3 and per_office["on_hand"] == 3
    assert stock.stock_overview(office_id=first)["history"][-1][1] == 7
    assert stock.stock_overview()["history"][-1][1] == 10


def test_the_api_lists_offices_and_moves_blanks(client, two_offices):
    from scheduler.staff import services as staff
    from tests.factories import make_user

    first, second, _ = two_offices
    admin = {"Authorization": "Bearer " + staff.create_token(make_user("admin").email)}
    listed = client.get("/api/v1/printing-offices", headers=admin).get_json()["offices"]
    assert [(o["id"], o["on_hand"]) for o in listed] == [(first, 10), (second, 0)]
    moved = client.post(
        "/api/v1/stock/transfers",
        json={"from_office_id": first, "to_office_id": second, "quantity": 4},
        headers=admin,
    )
    assert moved.status_code == 201 and moved.get_json()["transfer"]["quantity"] == 4
    one = client.get(f"/api/v1/stock?office_id={second}", headers=admin).get_json()
    assert (one["office_id"], one["on_hand"]) == (second, 4)
    too_many = client.post(
        "/api/v1/stock/transfers",
        json={"from_office_id": second, "to_office_id": first, "quantity": 5},
        headers=admin,
    )
    assert too_many.status_code == 409 and too_many.get_json()["error"]["code"] == "invalid_state"
    unknown = client.post(
        "/api/v1/stock/deliveries",
        json={"quantity": 1, "received_on": "2026-12-07", "office_id": 99},
        headers=admin,
    )
    assert unknown.status_code == 422 and "office_id" in unknown.get_json()["error"]["fields"]
    made = client.post(
        "/api/v1/printing-offices", json={"name": "Mal Pelayanan Publik"}, headers=admin
    )
    assert made.status_code == 201 and made.get_json()["office"]["on_hand"] == 0
    assert ledger.on_hand() == 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CardRequest)) == 0


def test_the_stock_page_per_office(client, office):
    from tests.cards.test_views import login, text

    deliver(10)
    login(client, "admin")
    single = text(client.get("/petugas/stok"))
    assert 'name="d-office_id"' not in single and "t-quantity" not in single  # as before
    made = client.post("/petugas/stok/kantor-cetak", data={"k-name": "Kantor cetak Jati"})
    assert made.status_code == 302
    second = offices.list_offices()[1].id
    page = text(client.get("/petugas/stok"))
    assert 'name="d-office_id"' in page and "Kantor cetak Jati (0)" in page
    moved = client.post(
        "/petugas/stok/pindah",
        data={"t-from_office_id": DEFAULT_OFFICE_ID, "t-to_office_id": second, "t-quantity": 3},
    )
    assert moved.status_code == 302
    assert _counters() == {DEFAULT_OFFICE_ID: 7, second: 3}
    refused = client.post(
        "/petugas/stok/pindah",
        data={"t-from_office_id": second, "t-to_office_id": DEFAULT_OFFICE_ID, "t-quantity": 9},
    )
    assert refused.status_code == 409 and "tersedia 3 lembar" in text(refused)
    one = text(client.get(f"/petugas/stok?kantor={second}"))
    assert '<strong aria-current="page">Kantor cetak Jati (3)</strong>' in one and "<svg" in one
    received = client.post(
        "/petugas/stok/penerimaan",
        data={"d-quantity": 5, "d-received_on": "2026-12-07", "d-office_id": second},
    )
    assert received.status_code == 302 and _counters()[second] == 8
