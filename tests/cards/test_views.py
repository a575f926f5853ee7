"""Pages: print desk, pickup desk, uncollected, queue, stock, report, berita acara, the
certificate and its public verification."""

import re
from datetime import UTC, date, datetime

from scheduler import clock
from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.cards import certificates, services, stock
from scheduler.extensions import db
from tests.cards.conftest import deliver
from tests.factories import make_user


def text(resp):
    return resp.get_data(as_text=True)


def login(client, role, sites=()):
    user = make_user(role=role, sites=list(sites))
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return user


def test_pages_need_the_right_role(client, office):
    assert client.get("/petugas/cetak").status_code == 302
    login(client, "staff", [office])
    assert client.get("/petugas/cetak").status_code == 200
    assert client.get("/petugas/stok").status_code == 403


def test_print_desk_lists_and_prints(client, record, office):
    deliver(5)
    _, card = record()
    login(client, "staff", [office])
    page = text(client.get("/petugas/cetak"))
    assert card.code in page and card.nik_masked in page
    resp = client.post(f"/petugas/cetak/{card.code}", data={"misprints": "1"})
    assert resp.status_code == 302
    db.session.refresh(card)
    assert card.status == "printed"
    assert stock.stock_summary()["on_hand"] == 3
    again = client.post(f"/petugas/cetak/{card.code}", data={"misprints": "0"})
    assert again.status_code == 409


def test_pickup_desk_takes_a_code_or_the_scanned_qr(client, record, office):
    deliver(5)
    appointment, card = record()
    services.mark_printed(card.code)
    db.session.commit()
    login(client, "staff", [office])
    clock.freeze(datetime(2026, 12, 8, 2, tzinfo=UTC))
    qr = appointments.checkin_token(appointment)
    page = text(client.get("/petugas/pengambilan", query_string={"q": qr}))
    assert card.name in page and "Serahkan" in page
    forged = text(client.get("/petugas/pengambilan", query_string={"q": qr[:-2] + "zz"}))
    assert 'id="q-error"' in forged
    resp = client.post(f"/petugas/pengambilan/{card.code}", data={"collected_by": "family"})
    assert resp.status_code == 422
    assert re.search(r"id=\"collector_name-error\"", text(resp)), text(resp)[1200:]
    resp = client.post(
        f"/petugas/pengambilan/{card.code}",
        data={"collected_by": "family", "collector_name": "Ibu Sri", "on_family_card": "y"},
    )
    assert resp.status_code == 302
    db.session.refresh(card)
    assert card.status == "picked_up" and card.collector_name == "Ibu Sri"


def test_certificate_is_printable_and_publicly_verifiable_without_the_nik(client, record, office):
    appointment, card = record()
    login(client, "staff", [office])
    page = text(client.get("/petugas/pengambilan", query_string={"q": card.code}))
    assert "surat keterangan" in page.lower()
    resp = client.post(f"/petugas/kartu/{card.code}/surat-keterangan")
    assert resp.status_code == 302
    page = text(client.get(resp.headers["Location"]))
    assert "<svg" in page and "SURAT KETERANGAN" in page
    cert = certificates.find_by_code(re.search(r"<strong>([A-Z0-9]{10})</strong>", page).group(1))
    with client.session_transaction() as session:
        session.clear()
    public = text(client.get("/verifikasi", query_string={"kode": cert.verification_code}))
    assert card.name in public and card.nik_masked in public
    nik = niks.decrypt_nik(appointment.nik_encrypted)
    assert nik not in public
    unknown = client.get("/verifikasi", query_string={"kode": "ZZZZZZZZZZ"})
    assert "tidak dikenal" in text(unknown)


def test_stock_page_with_chart_forms_and_errors(client, record, office):
    deliver(6, on=date(2026, 11, 20))
    _, card = record()
    services.mark_printed(card.code)
    stock.add_expected(100, date(2026, 12, 21))
    db.session.commit()
    login(client, "admin")
    page = text(client.get("/petugas/stok"))
    assert "<svg" in page and "polyline" in page
    assert "Stok blangko" in page
    resp = client.post("/petugas/stok/rusak", data={"s-quantity": "99", "s-reason": "pecah"})
    assert resp.status_code == 409
    resp = client.post("/petugas/stok/rusak", data={"s-quantity": "", "s-reason": ""})
    assert resp.status_code == 422 and 'id="s-quantity-error"' in text(resp)
    resp = client.post(
        "/petugas/stok/rusak", data={"s-quantity": "1", "s-reason": "Tercetak miring"}
    )
    assert resp.status_code == 302
    record_ = stock.list_spoilage_records()[0]
    ba = text(client.get(f"/petugas/stok/berita-acara/{record_.id}"))
    assert record_.number in ba and "Tercetak miring" in ba
    resp = client.post(
        "/petugas/stok/penerimaan",
        data={
            "d-quantity": "10",
            "d-received_on": "2026-12-07",
            "d-reference": "SP/1",
            "d-expected_id": "0",
        },
    )
    assert resp.status_code == 302
    report = text(client.get("/petugas/stok/laporan?month=2026-12"))
    assert "LAPORAN BLANGKO" in report
    csv = client.get("/petugas/stok/laporan.csv?month=2026-12")
    assert csv.mimetype == "text/csv" and "Saldo awal,6" in text(csv)
    assert client.get("/petugas/stok/laporan?month=2026-13").status_code == 422


def test_uncollected_and_queue_pages(client, record, office):
    deliver(2)
    _, card = record()
    services.mark_printed(card.code)
    _, waiting = record()
    _, third = record()
    db.session.commit()
    clock.freeze(datetime(2026, 12, 28, 2, tzinfo=UTC))
    login(client, "staff", [office])
    assert card.code in text(client.get("/petugas/belum-diambil"))
    page = text(client.get("/petugas/antrean-kartu?status=awaiting_stock"))
    assert third.code in page and "ke-1" in page
    assert (
        client.post(
            f"/petugas/antrean-kartu/{third.code}/prioritas", data={"priority": "2"}
        ).status_code
        == 403
    )
    login(client, "admin")
    resp = client.post(
        f"/petugas/antrean-kartu/{third.code}/prioritas", data={"priority": "2", "reason": "ujian"}
    )
    assert resp.status_code == 302
    db.session.refresh(third)
    assert third.priority == 2
    assert waiting.status in ("scheduled", "awaiting_stock")


def test_pages_speak_english_on_request(client, office):
    login(client, "admin")
    page = text(client.get("/petugas/stok?lang=en"))
    assert "KTP-el blank stock" in page and "Stok blangko KTP-el" not in page


def test_demo_is_plausible_and_safe_to_run_twice(ctx):
    from scheduler.cards import demo as cards_demo
    from scheduler.sites import demo as sites_demo

    lines = []
    sites_demo.seed(lines.append)
    cards_demo.seed(lines.append)
    cards_demo.seed(lines.append)
    summary = stock.stock_summary()
    assert summary["on_hand"] == 5 and summary["expected"]
    assert summary["reserved"] + summary["awaiting"] <= len(cards_demo.RESIDENTS)
    assert stock.list_spoilage_records()
    assert "8 residents added" in lines[-2] and "0 residents added" in lines[-1]
