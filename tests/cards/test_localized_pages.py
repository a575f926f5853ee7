"""The card pages show dates and numbers in the page's language, never ISO dates."""

from datetime import UTC, date, datetime

import pytest

from scheduler import clock
from scheduler.cards import services, stock
from scheduler.extensions import db
from tests.cards.conftest import deliver
from tests.cards.test_views import login, text
from tests.visible import iso_dates, visible_text

PAGES = (
    "/petugas/stok",
    "/petugas/stok/laporan?month=2026-12",
    "/petugas/cetak",
    "/petugas/antrean-kartu",
    "/petugas/belum-diambil",
)

WORDS = {
    "id": {
        "thousands": "4.500",
        "usage": "Pemakaian rata-rata 0,03 blangko/hari",
        "printed_on": "7 Des 2026",
        "late": "yang diperkirakan 1 Desember 2026 belum datang",
        "eligible": "17 tahun pada 1 Januari 2027",
    },
    "en": {
        "thousands": "4,500",
        "usage": "0.03 blanks a day",
        "printed_on": "7 Dec 2026",
        "late": "expected on 1 December 2026",
        "eligible": "turns 17 on 1 January 2027",
    },
}


@pytest.fixture
def busy_office(record, office):
    deliver(4500, on=date(2026, 11, 20))
    _, printed = record()
    services.mark_printed(printed.code)
    stock.add_expected(250, date(2026, 12, 1))  # late: it was due last week
    _, young = record(birth_date=date(2010, 1, 1))
    for _ in range(3):
        record()
    db.session.commit()
    return printed, young


@pytest.mark.parametrize("lang", ["id", "en"])
def test_stock_page_numbers_and_dates_in_the_page_language(client, busy_office, lang):
    login(client, "admin")
    page = visible_text(text(client.get(f"/petugas/stok?lang={lang}")))
    words = WORDS[lang]
    assert words["thousands"] in page and words["usage"] in page, page
    assert words["late"] in page
    assert "4500" not in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_print_desk_and_queue_show_dates_in_words(client, busy_office, office, lang):
    _, young = busy_office
    login(client, "admin")
    desk = visible_text(text(client.get(f"/petugas/cetak?lang={lang}")))
    assert WORDS[lang]["printed_on"] in desk
    queue = visible_text(text(client.get(f"/petugas/antrean-kartu?lang={lang}")))
    assert young.eligible_on == date(2027, 1, 1)
    assert WORDS[lang]["eligible"] in queue


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_card_page_shows_an_iso_date(client, busy_office, lang):
    printed, _ = busy_office
    clock.freeze(datetime(2026, 12, 30, 2, tzinfo=UTC))  # the printed card is uncollected
    login(client, "admin")
    for url in PAGES:
        resp = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert resp.status_code == 200, url
        assert iso_dates(text(resp)) == [], url
    assert printed.code in text(client.get("/petugas/belum-diambil"))
