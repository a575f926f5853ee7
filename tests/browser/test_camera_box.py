"""The camera box of the check-in and pickup desks shows only once a camera gives a
picture; when none opens (permission refused, no camera, a plain-http address) it stays
hidden and the page says why, in its language, and what to type instead."""

import pytest

from tests.browser import support
from tests.browser.test_pickup_camera import _log_in

pytestmark = pytest.mark.browser

PAGES = ("staff_views.checkin", "cards_views.pickup_desk")
FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
# A plain-http address as a phone on the office network would open it: the browser has no
# camera API there (127.0.0.1 counts as secure, so the test takes the API away).
INSECURE = """
Object.defineProperty(window, "isSecureContext", { get: () => false });
Object.defineProperty(navigator, "mediaDevices", { get: () => undefined });
"""


def _note(page, url, endpoint):
    page.goto(url(endpoint))
    note = page.locator("#camera-note")
    note.wait_for(state="visible")
    assert page.locator("#scanner").is_hidden()
    return note.get_attribute("data-reason"), note.inner_text()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_refused_camera_hides_the_box_and_says_why(seeded, pw, new_context, url, tr, lang):
    browser = support.launch(pw, ["--use-fake-device-for-media-stream"])
    try:
        context = new_context(lang, phone=False, browser_=browser)  # no camera permission
        page = context.new_page()
        _log_in(page, url, seeded)
        for endpoint in PAGES:
            reason, text = _note(page, url, endpoint)
            assert reason == "denied"
            assert (
                tr(
                    lang,
                    "Izin kamera ditolak: izinkan kamera untuk situs ini di pengaturan "
                    "peramban, lalu muat ulang halaman.",
                )
                in text
            )
        assert context.js_errors == []
    finally:
        browser.close()


def test_no_camera_at_all_hides_the_box_and_says_so(seeded, new_context, url, tr):
    context = new_context("id", phone=False, permissions=["camera"])  # no fake device
    page = context.new_page()
    _log_in(page, url, seeded)
    reason, text = _note(page, url, "staff_views.checkin")
    assert reason in ("nodevice", "nocamera")
    assert tr("id", "Ketik kode booking di bawah.") in text
    reason, text = _note(page, url, "cards_views.pickup_desk")
    assert tr("id", "Ketik kode atau tempel teks QR di bawah.") in text
    assert context.js_errors == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_insecure_address_hides_the_box_and_says_so(seeded, new_context, url, tr, lang):
    context = new_context(lang, phone=False)
    context.add_init_script(INSECURE)
    page = context.new_page()
    _log_in(page, url, seeded)
    for endpoint in PAGES:
        reason, text = _note(page, url, endpoint)
        assert reason == "insecure"
        assert tr(lang, "Kamera hanya dapat dibuka lewat alamat https.") in text
    assert context.js_errors == []


def test_a_working_camera_shows_the_box_and_no_note(seeded, pw, new_context, url):
    browser = support.launch(pw, FAKE_CAMERA)
    try:
        context = new_context("id", phone=False, browser_=browser, permissions=["camera"])
        page = context.new_page()
        _log_in(page, url, seeded)
        for endpoint in PAGES:
            page.goto(url(endpoint))
            page.locator("#scanner").wait_for(state="visible")
            assert page.locator("#camera-note").is_hidden()
            assert page.locator("#scan-toggle").is_visible()
    finally:
        browser.close()
