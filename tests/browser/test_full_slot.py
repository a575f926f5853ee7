"""On a phone: a slot filled while the resident typed offers the nearest free times, and
one press books one of them with what was typed; a form with several faults names them
all at once in one summary, each linked to its field."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.browser import support
from tests.browser.test_resident import BIRTH, NAME, _book_button, _choose_site_day_time, _fill
from tests.factories import make_nik

pytestmark = pytest.mark.browser


def _fill_slot(slot_id):
    from scheduler.extensions import db
    from scheduler.sites.models import Slot

    db.session.execute(sa.update(Slot).where(Slot.id == slot_id).values(booked_count=Slot.capacity))
    db.session.commit()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_slot_filled_while_typing_offers_the_nearest_times(lang, seeded, new_context, tr):
    page = new_context(lang).new_page()
    _choose_site_day_time(page, seeded, tr, lang)
    slot_id = int(re.search(r"/pesan/(\d+)$", page.url).group(1))
    _fill(page, tr, lang, make_nik(BIRTH))
    _fill_slot(slot_id)  # the last seat went to someone else meanwhile
    _book_button(page, tr, lang).tap()
    choices = page.locator("ul.alternatives button")
    choices.first.wait_for()
    assert choices.count() == 3
    assert "09:30" in choices.nth(0).inner_text() or "10:30" in choices.nth(0).inner_text()
    assert page.get_by_label(tr(lang, "Nama lengkap (sesuai Kartu Keluarga)")).input_value() == NAME
    support.assert_accessible(page)
    support.screenshot(page, "full-slot", lang, "01-alternatives")
    chosen = choices.nth(0).inner_text()
    choices.nth(0).tap()
    page.wait_for_url(re.compile(r"/janji/[A-Z0-9]+\?s="))
    body = page.locator("main").inner_text()
    assert NAME in body
    assert re.search(r"\d\d:\d\d", chosen).group(0) in body
    support.screenshot(page, "full-slot", lang, "02-booked")


def test_every_fault_at_once_in_one_summary(seeded, new_context, tr):
    lang = "id"
    page = new_context(lang).new_page()
    _choose_site_day_time(page, seeded, tr, lang)
    _fill(page, tr, lang, make_nik(date(2000, 5, 17), region="331999"))
    page.get_by_label(tr(lang, "Nomor WhatsApp / HP")).fill("12345")
    page.get_by_label(tr(lang, "Email (boleh dikosongkan)")).fill("bukan-email")
    _book_button(page, tr, lang).tap()
    summary = page.locator(".error-summary")
    summary.wait_for()
    links = summary.locator("a[href^='#']")
    assert {links.nth(i).get_attribute("href") for i in range(links.count())} >= {
        "#nik",
        "#phone",
        "#email",
    }
    for field in ("nik", "phone", "email"):
        assert page.locator(f"#{field}-error").inner_text().strip()
    support.assert_accessible(page)
    support.screenshot(page, "all-faults", lang, "01-summary")
