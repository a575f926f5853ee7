"""The cards rows of the access matrix (tests/test_access_matrix.py) and the cards part of
its world: a printing office with stock, a scheduled card, a card ready for pickup, an
announced delivery, a berita acara and a certificate."""

from datetime import date, time

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import certificates, services, stock
from scheduler.extensions import db
from tests.factories import make_nik, make_slot


def _recorded(slot, birth_date):
    appointment = appointments.book_into_slot(
        slot,
        appointments.Applicant(
            nik=make_nik(birth_date),
            name="Warga Kartu",
            birth_date=birth_date,
            phone="+6281234567899",
        ),
        status="checked_in",
    )
    appointment.status, appointment.recorded_at = "recorded", clock.now()
    db.session.flush()
    return services.on_recorded(appointment)


def build(site):
    """Ids for the cards cases, built in the world's app context (commits)."""
    stock.save_print_site(site.id, printers=1, operators=1, cards_per_printer=10)
    stock.receive_delivery(10, services.today(), reference="SP-MATRIKS")
    slot = make_slot(site, days_ahead=0, at=time(0, 5), capacity=4)
    scheduled = _recorded(slot, date(1991, 2, 1))
    ready = _recorded(slot, date(1991, 2, 2))
    services.mark_printed(ready.code)
    ready.pickup_from = services.today()  # as if printed yesterday
    db.session.commit()
    expected = stock.add_expected(5, date(2026, 12, 21))
    record, _entry = stock.record_spoilage(1, "Tergores")
    cert = certificates.issue_certificate(scheduled.code)
    from scheduler.cards import offices

    second = offices.add_office("Kantor cetak kedua")
    return {
        "card": scheduled.code,
        "ready": ready.code,
        "expected": expected.id,
        "record": record.id,
        "cert": cert.id,
        "office": second.id,
        "cert_token": certificates.token(cert),
        "repl_nik": make_nik(date(1980, 8, 8)),
    }


def _page(anonymous=302, coordinator=403, staff=200, other_staff=200, admin=200):
    return {
        "anonymous": anonymous,
        "coordinator": coordinator,
        "staff": staff,
        "other_staff": other_staff,
        "admin": admin,
    }


def _admin_page(ok=200):
    return _page(staff=403, other_staff=403, admin=ok)


def _api(staff=200, other_staff=404, admin=200):
    return {
        "anonymous": 401,
        "coordinator": 403,
        "staff": staff,
        "other_staff": other_staff,
        "admin": admin,
    }


def _admin_api(ok=200):
    return _api(staff=403, other_staff=403, admin=ok)


def _everyone(status):
    return dict.fromkeys(("anonymous", "coordinator", "staff", "other_staff", "admin"), status)


def matrix(Case):
    """{endpoint: [Case]} for every cards page and endpoint."""
    post = ("POST",)
    replacement = {
        "site_id": "{site}",
        "nik": "{repl_nik}",
        "name": "Warga Pengganti",
        "birth_date": "1980-08-08",
        "phone": "081311112222",
        "reason": "lost",
    }
    return {
        # -------------------------------------------------------------------- pages
        "cards_views.print_desk": [Case("/petugas/cetak", _page())],
        "cards_views.print_card": [
            Case(
                "/petugas/cetak/{card}",
                _page(staff=302, other_staff=404, admin=302),
                methods=post,
                form={"misprints": "0"},
            )
        ],
        "cards_views.pickup_desk": [Case("/petugas/pengambilan?q={ready}", _page())],
        "cards_views.hand_over": [
            Case(
                "/petugas/pengambilan/{ready}",
                _page(staff=302, other_staff=404, admin=302),
                methods=post,
                form={"collected_by": "self"},
            )
        ],
        "cards_views.uncollected": [Case("/petugas/belum-diambil", _page())],
        "cards_views.queue": [Case("/petugas/antrean-kartu", _page())],
        "cards_views.set_priority": [
            Case(
                "/petugas/antrean-kartu/{card}/prioritas",
                _admin_page(302),
                methods=post,
                form={"priority": "1", "reason": "ujian"},
            )
        ],
        "cards_views.replacement": [
            Case("/petugas/kartu-pengganti", _page()),
            Case(
                "/petugas/kartu-pengganti",
                _page(staff=302, other_staff=422, admin=302),
                methods=post,
                form=replacement,
            ),
        ],
        "cards_views.issue_certificate": [
            Case(
                "/petugas/kartu/{card}/surat-keterangan",
                _page(staff=302, other_staff=404, admin=302),
                methods=post,
                form={},
            )
        ],
        "cards_views.certificate": [
            Case("/petugas/surat-keterangan/{cert}", _page(other_staff=404))
        ],
        "cards_views.verify": [Case("/verifikasi", _everyone(200))],
        "cards_views.verify_token": [Case("/verifikasi/{cert_token}", _everyone(200))],
        "cards_views.stock": [Case("/petugas/stok", _admin_page())],
        "cards_views.stock_delivery": [
            Case(
                "/petugas/stok/penerimaan",
                _admin_page(302),
                methods=post,
                form={"d-quantity": "5", "d-received_on": "2026-12-07", "d-expected_id": "0"},
            )
        ],
        "cards_views.stock_expected": [
            Case(
                "/petugas/stok/rencana",
                _admin_page(302),
                methods=post,
                form={"e-quantity": "5", "e-expected_on": "2026-12-28"},
            )
        ],
        "cards_views.stock_expected_update": [
            Case(
                "/petugas/stok/rencana/{expected}",
                _admin_page(302),
                methods=post,
                form={"e-quantity": "6", "e-expected_on": "2026-12-22"},
            )
        ],
        "cards_views.stock_expected_cancel": [
            Case("/petugas/stok/rencana/{expected}/batal", _admin_page(302), methods=post, form={})
        ],
        "cards_views.stock_spoilage": [
            Case(
                "/petugas/stok/rusak",
                _admin_page(302),
                methods=post,
                form={"s-quantity": "1", "s-reason": "Tergores"},
            )
        ],
        "cards_views.stock_correction": [
            Case(
                "/petugas/stok/koreksi",
                _admin_page(302),
                methods=post,
                form={"c-delta": "1", "c-note": "Stock opname"},
            )
        ],
        "cards_views.stock_print_site": [
            Case(
                "/petugas/stok/lokasi-cetak",
                _admin_page(302),
                methods=post,
                form={
                    "p-site_id": "{site}",
                    "p-printers": "1",
                    "p-operators": "1",
                    "p-cards_per_printer": "12",
                },
            )
        ],
        "cards_views.monthly_report": [Case("/petugas/stok/laporan?month=2026-12", _admin_page())],
        "cards_views.monthly_report_csv": [
            Case("/petugas/stok/laporan.csv?month=2026-12", _admin_page())
        ],
        "cards_views.spoilage_record": [Case("/petugas/stok/berita-acara/{record}", _admin_page())],
        # ---------------------------------------------------------------------- API
        "cards_api.get_stock": [Case("/api/v1/stock", _api(other_staff=200))],
        "cards_api.list_offices": [Case("/api/v1/printing-offices", _api(other_staff=200))],
        "cards_api.post_office": [
            Case(
                "/api/v1/printing-offices",
                _admin_api(201),
                methods=post,
                json={"name": "Kantor cetak Matriks"},
            )
        ],
        "cards_api.post_transfer": [
            Case(
                "/api/v1/stock/transfers",
                _admin_api(201),
                methods=post,
                json={"from_office_id": 1, "to_office_id": "{office}", "quantity": 1},
            )
        ],
        "cards_views.stock_transfer": [
            Case(
                "/petugas/stok/pindah",
                _admin_page(302),
                methods=post,
                form={"t-from_office_id": "1", "t-to_office_id": "{office}", "t-quantity": "1"},
            )
        ],
        "cards_views.stock_office": [
            Case(
                "/petugas/stok/kantor-cetak",
                _admin_page(302),
                methods=post,
                form={"k-name": "Kantor cetak Matriks"},
            )
        ],
        "cards_api.post_delivery": [
            Case(
                "/api/v1/stock/deliveries",
                _admin_api(201),
                methods=post,
                json={"quantity": 5, "received_on": "2026-12-07"},
            )
        ],
        "cards_api.post_expected": [
            Case(
                "/api/v1/stock/expected",
                _admin_api(201),
                methods=post,
                json={"quantity": 5, "expected_on": "2026-12-28"},
            )
        ],
        "cards_api.update_expected": [
            Case(
                "/api/v1/stock/expected/{expected}",
                _admin_api(),
                methods=post,
                json={"quantity": 6, "expected_on": "2026-12-22"},
            )
        ],
        "cards_api.cancel_expected": [
            Case("/api/v1/stock/expected/{expected}/cancel", _admin_api(), methods=post, json={})
        ],
        "cards_api.post_spoilage": [
            Case(
                "/api/v1/stock/spoilage",
                _admin_api(201),
                methods=post,
                json={"quantity": 1, "reason": "Tergores"},
            )
        ],
        "cards_api.post_correction": [
            Case(
                "/api/v1/stock/corrections",
                _admin_api(201),
                methods=post,
                json={"delta": 1, "note": "Stock opname"},
            )
        ],
        "cards_api.post_print_site": [
            Case(
                "/api/v1/print-sites",
                _admin_api(),
                methods=post,
                json={"site_id": "{site}", "printers": 1, "operators": 1},
            )
        ],
        "cards_api.print_queue": [Case("/api/v1/print-queue", _api(other_staff=200))],
        "cards_api.printed": [
            Case("/api/v1/appointments/{card}/printed", _api(), methods=post, json={})
        ],
        "cards_api.picked_up": [
            Case(
                "/api/v1/appointments/{ready}/picked-up",
                _api(),
                methods=post,
                json={"collected_by": "self"},
            )
        ],
        "cards_api.certificate": [
            Case(
                "/api/v1/appointments/{card}/certificate",
                _api(staff=201, admin=201),
                methods=post,
                json={},
            )
        ],
        "cards_api.replacement": [
            Case(
                "/api/v1/cards/replacements",
                _api(staff=201, other_staff=422, admin=201),
                methods=post,
                json=replacement,
            )
        ],
        "cards_api.priority": [
            Case("/api/v1/cards/{card}/priority", _admin_api(), methods=post, json={"priority": 1})
        ],
    }
