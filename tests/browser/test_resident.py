"""The resident's journey on a cheap phone (360×740, touch), in Bahasa Indonesia and in
English: choose a site, a day and a time; a wrong NIK first, then the right one; the
confirmation with its QR code; the calendar file; look the booking up; reschedule;
cancel. Then the same booking without JavaScript, and the form by keyboard alone.

Every page of the journey is checked with axe-core (no serious or critical violation)
and photographed into test-artifacts/screenshots/.
"""

import re
from datetime import date
from pathlib import Path

import pytest

from tests.browser import support
from tests.browser.conftest import status_of
from tests.factories import make_nik

pytestmark = pytest.mark.browser

BIRTH = date(2000, 5, 17)
NAME = "Budi Santoso"
PHONE = "0812 3456 7890"
EMAIL = "budi.santoso@gmail.com"
WRONG_NIK = "33190217050001"  # two digits short


class Journey:
    """Steps of one journey: each page is checked with axe and photographed."""

    def __init__(self, page, name, lang, axe=True):
        self.page, self.name, self.lang, self.axe = page, name, lang, axe
        self.count = 0

    def step(self, label):
        assert self.page.locator("html").get_attribute("lang") == self.lang
        if self.axe:
            support.assert_accessible(self.page)
        self.count += 1
        support.screenshot(self.page, self.name, self.lang, f"{self.count:02d}-{label}")


def _choose_site_day_time(page, seeded, tr, lang, touch=True, journey=None):
    """Home → the office → the first open day → its 10:00 slot; returns the slot's day."""

    def press(locator):
        (locator.tap if touch else locator.click)()

    page.goto("/")
    journey and journey.step("home")
    press(page.get_by_role("link", name=seeded.office_name))
    page.wait_for_url(re.compile(r"/lokasi/\d+$"))
    journey and journey.step("site")
    day = page.locator("ul.days a.day").first
    day_text = day.locator("span").first.inner_text()
    press(day)
    page.wait_for_url(re.compile(r"tanggal="))
    journey and journey.step("day")
    press(page.get_by_role("link", name=re.compile(r"^10:00")))
    page.wait_for_url(re.compile(r"/pesan/\d+$"))
    return day_text


def _fill(page, tr, lang, nik):
    page.get_by_label(tr(lang, "NIK (16 digit)")).fill(nik)
    page.get_by_label(tr(lang, "Nama lengkap (sesuai Kartu Keluarga)")).fill(NAME)
    page.get_by_label(tr(lang, "Tanggal lahir")).fill(BIRTH.isoformat())
    page.get_by_label(tr(lang, "Nomor WhatsApp / HP")).fill(PHONE)
    page.get_by_label(tr(lang, "Email (boleh dikosongkan)")).fill(EMAIL)
    page.get_by_label(tr(lang, "Saya setuju data saya diproses untuk perekaman KTP-el")).check()


def _book_button(page, tr, lang):
    return page.get_by_role("button", name=tr(lang, "Pesan jadwal ini"))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_resident_books_looks_up_reschedules_and_cancels_on_a_phone(lang, seeded, new_context, tr):
    context = new_context(lang)
    page = context.new_page()
    journey = Journey(page, "resident", lang)
    nik = make_nik(BIRTH)

    day_text = _choose_site_day_time(page, seeded, tr, lang, journey=journey)
    assert day_text in page.locator(".summary").inner_text()
    journey.step("form")

    # A wrong NIK: the message sits next to the field, tied to it, and nothing typed is lost.
    _fill(page, tr, lang, WRONG_NIK)
    _book_button(page, tr, lang).tap()
    nik_input = page.get_by_label(tr(lang, "NIK (16 digit)"))
    message = page.locator("#nik-error")
    message.wait_for()
    assert message.inner_text().strip()
    assert nik_input.get_attribute("aria-invalid") == "true"
    assert "nik-error" in nik_input.get_attribute("aria-describedby").split()
    field_box, message_box = nik_input.bounding_box(), message.bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 60
    assert page.get_by_label(tr(lang, "Nama lengkap (sesuai Kartu Keluarga)")).input_value() == NAME
    assert page.get_by_label(tr(lang, "Tanggal lahir")).input_value() == BIRTH.isoformat()
    assert page.get_by_label(tr(lang, "Nomor WhatsApp / HP")).input_value() == PHONE
    assert page.get_by_label(tr(lang, "Email (boleh dikosongkan)")).input_value() == EMAIL
    journey.step("wrong-nik")

    # The right NIK: the confirmation, with the QR code actually drawn.
    nik_input.fill(nik)
    consent = page.get_by_label(tr(lang, "Saya setuju data saya diproses untuk perekaman KTP-el"))
    consent.check()
    _book_button(page, tr, lang).tap()
    page.wait_for_url(re.compile(r"/janji/[A-Z0-9]+\?s="))
    code = page.locator("p.code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    qr = page.locator("img.qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    body = page.locator("main").inner_text()
    assert NAME in body and seeded.office_name in body and "10:00" in body
    assert nik not in page.content()
    assert nik[:4] + "*" * 10 + nik[-2:] in body
    journey.step("confirmation")
    confirmation_url = page.url

    # The calendar file.
    with page.expect_download() as download:
        page.get_by_role("link", name=tr(lang, "Tambah ke kalender")).tap()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR")
    assert code in ics and "BEGIN:VEVENT" in ics

    # Look the booking up from the home page with the code and the NIK.
    page.goto("/")
    page.get_by_role("link", name=tr(lang, "Cek, ubah atau batalkan janji saya")).tap()
    page.wait_for_url(re.compile(r"/cek$"))
    journey.step("lookup")
    page.get_by_label(tr(lang, "Kode booking")).fill(code.lower())
    page.get_by_label(tr(lang, "NIK (16 digit)")).fill(nik)
    page.get_by_role("button", name=tr(lang, "Cari")).tap()
    page.wait_for_url(re.compile(rf"/janji/{code}\?s="))
    assert page.locator("p.code").inner_text().strip() == code
    journey.step("found")

    # Reschedule to another day.
    old_when = _when(page)
    page.get_by_role("link", name=tr(lang, "Ubah jadwal")).tap()
    page.wait_for_url(re.compile(r"/ubah\?"))
    journey.step("reschedule-days")
    days = page.locator("ul.days a.day")
    assert days.count() >= 2
    days.nth(1).tap()
    page.wait_for_url(re.compile(r"tanggal="))
    page.locator("ul.slots label.slot:not(.full)").filter(has_text="13:00").first.tap()
    page.get_by_label(tr(lang, "NIK (16 digit)")).fill(nik)
    journey.step("reschedule-time")
    page.get_by_role("button", name=tr(lang, "Pindahkan ke jam ini")).tap()
    page.wait_for_url(re.compile(rf"/janji/{code}\?s="))
    new_when = _when(page)
    assert new_when != old_when and "13:00" in new_when[1]
    journey.step("rescheduled")

    # Cancel.
    page.get_by_role("link", name=tr(lang, "Batalkan"), exact=True).tap()
    page.wait_for_url(re.compile(r"/batal\?"))
    journey.step("cancel")
    page.get_by_label(tr(lang, "NIK (16 digit)")).fill(nik)
    page.get_by_role("button", name=tr(lang, "Ya, batalkan janji ini")).tap()
    page.wait_for_url(re.compile(rf"/janji/{code}\?s="))
    assert page.locator("dd.status-cancelled").inner_text().strip() == tr(lang, "Dibatalkan")
    assert page.locator("img.qr").count() == 0
    journey.step("cancelled")

    assert status_of(code) == "cancelled"
    assert page.url.split("?")[0] == confirmation_url.split("?")[0]
    assert not context.js_errors
    assert context.hosts == {"127.0.0.1"}


def _when(page):
    """(date, time) as the appointment page shows them."""
    dds = page.locator("dl.facts dd")
    texts = [dds.nth(i).inner_text().strip() for i in range(dds.count())]
    return texts[3], texts[4]


def test_booking_completes_without_javascript(seeded, new_context, tr):
    lang = "id"
    context = new_context(lang, javascript=False)
    page = context.new_page()
    journey = Journey(page, "nojs", lang, axe=False)
    _choose_site_day_time(page, seeded, tr, lang, journey=journey)
    journey.step("form")
    _fill(page, tr, lang, WRONG_NIK)
    _book_button(page, tr, lang).tap()
    page.locator("#nik-error").wait_for()
    assert page.get_by_label(tr(lang, "Nama lengkap (sesuai Kartu Keluarga)")).input_value() == NAME
    journey.step("wrong-nik")
    page.get_by_label(tr(lang, "NIK (16 digit)")).fill(make_nik(BIRTH))
    page.get_by_label(tr(lang, "Saya setuju data saya diproses untuk perekaman KTP-el")).check()
    _book_button(page, tr, lang).tap()
    page.wait_for_url(re.compile(r"/janji/[A-Z0-9]+\?s="))
    code = page.locator("p.code").inner_text().strip()
    assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 100")
    journey.step("confirmation")
    assert status_of(code) == "booked"


def test_booking_form_by_keyboard_alone(seeded, new_context, tr):
    """Tab to each field, type, Space for the boxes, Enter to send: no pointer at all."""
    lang = "id"
    context = new_context(lang, phone=False)
    page = context.new_page()
    slot = seeded.slots(seeded.office_id)[0]
    page.goto(f"/pesan/{slot.id}")
    keyboard = page.keyboard

    def tab_to(name, limit=40):
        for _ in range(limit):
            keyboard.press("Tab")
            if page.evaluate("() => document.activeElement && document.activeElement.name") == name:
                return
        raise AssertionError(f"Tab never reached the field {name!r}")

    tab_to("nik")
    keyboard.type(make_nik(BIRTH))
    tab_to("name")
    keyboard.type(NAME)
    tab_to("birth_date")
    _type_date(page, BIRTH)
    tab_to("phone")
    keyboard.type(PHONE)
    tab_to("consent")
    keyboard.press("Space")
    assert page.get_by_label(
        tr(lang, "Saya setuju data saya diproses untuk perekaman KTP-el")
    ).is_checked()
    tab_to("name")  # wrapping around is fine; Enter in a text field sends the form
    for _ in range(40):
        keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
    else:
        raise AssertionError("Tab never reached the submit button")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/janji/[A-Z0-9]+\?s="))
    code = page.locator("p.code").inner_text().strip()
    support.screenshot(page, "keyboard", lang, "confirmation")
    assert status_of(code) == "booked"


def _type_date(page, day):
    """Type a date into a native date input as a keyboard user does. Its segments follow
    the browser's own locale, so a first pass finds their order: 01, 02, 2003 typed in
    turn read back as 2003-02-01 when the day comes first."""
    keyboard = page.keyboard
    if page.evaluate("() => document.activeElement.type") != "date":
        keyboard.type(day.strftime("%d-%m-%Y"))
        return
    keyboard.type("01022003")
    probe = page.evaluate("() => document.activeElement.value")
    order = ("day", "month", "year") if probe == "2003-02-01" else ("month", "day", "year")
    keyboard.press("Shift+Tab")  # the segments are tab stops: back to the first one
    keyboard.press("Shift+Tab")
    parts = {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": f"{day.year}"}
    for part in order:
        keyboard.type(parts[part])
    assert page.evaluate("() => document.activeElement.value") == day.isoformat()


def test_error_messages_are_tied_to_their_fields(seeded, new_context, tr):
    """An empty form: every message is announced with the field it belongs to."""
    lang = "id"
    page = new_context(lang).new_page()
    slot = seeded.slots(seeded.office_id)[0]
    page.goto(f"/pesan/{slot.id}")
    _book_button(page, tr, lang).tap()
    errors = page.locator(".field-error")
    errors.first.wait_for()
    assert errors.count() >= 4  # NIK, name, birth date, phone, consent
    for i in range(errors.count()):
        message = errors.nth(i)
        error_id = message.get_attribute("id")
        assert error_id, "a message without an id cannot be tied to its field"
        field = page.locator(f'[aria-describedby~="{error_id}"]')
        assert field.count() == 1, f"no field points at #{error_id}"
        assert field.get_attribute("aria-invalid") == "true"
        label = page.locator(f'label[for="{field.get_attribute("id")}"]')
        assert label.count() == 1 and label.inner_text().strip()
    support.assert_accessible(page)
    support.screenshot(page, "errors", lang, "empty-form")
