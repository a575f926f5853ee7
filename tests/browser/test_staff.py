"""The desk journey in a real browser: log in, open the day's roster, check a resident in
by holding their QR code up to the camera, mark them recorded.

The camera is Chromium's fake capture device playing a video made from the QR PNG the
app serves for the appointment, so the vendored scanning library (jsQR) really decodes a
camera frame. The video file is a launch argument: this journey launches its own browser.
"""

import urllib.request
from datetime import timedelta

import pytest

from scheduler import clock
from tests.browser import support
from tests.browser.conftest import book_directly, status_of

pytestmark = pytest.mark.browser

# Count the frames the vendored jsQR decodes, and hide the browser's own BarcodeDetector
# (desk PCs mostly lack it; the library is what must work).
COUNT_DECODES = """
delete window.BarcodeDetector;
window.__decoded = [];
(() => {
  let real;
  Object.defineProperty(window, "jsQR", {
    configurable: true,
    get() {
      return real && function () {
        const found = real.apply(this, arguments);
        if (found) { window.__decoded.push(found.data); }
        return found;
      };
    },
    set(value) { real = value; },
  });
})();
"""


def _fetch(url):
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
        return resp.headers.get_content_type(), resp.read()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_staff_checks_a_resident_in_with_the_camera_and_marks_recorded(
    lang, seeded, pw, new_context, url, tr, tmp_path
):
    tomorrow = seeded.today() + timedelta(days=1)
    slot = seeded.slots(seeded.office_id, on=tomorrow)[2]
    booked = book_directly(slot.id, name="Siti Rahmawati")
    code = booked.code

    # The QR PNG exactly as the resident's page serves it, turned into the camera's video.
    kind, png = _fetch(url("appointments_api.qr_png", code=code, s=booked.signature))
    assert kind == "image/png"
    video = support.qr_video(png, tmp_path / "qr.y4m")

    # The desk opens half an hour before the resident's slot.
    clock.freeze(slot.starts_at - timedelta(minutes=30))

    browser = support.launch(
        pw,
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = new_context(lang, phone=False, browser_=browser, permissions=["camera"])
        context.add_init_script(COUNT_DECODES)
        page = context.new_page()

        page.goto(url("staff_views.login"))
        support.assert_accessible(page)
        support.screenshot(page, "staff", lang, "1-login")
        page.get_by_label(tr(lang, "Email")).fill(seeded.staff_email)
        page.get_by_label(tr(lang, "Kata sandi"), exact=True).fill(seeded.staff_password)
        page.get_by_role("button", name=tr(lang, "Masuk"), exact=True).click()
        page.wait_for_url(lambda u: "/masuk" not in u)

        page.goto(url("staff_views.roster"))
        row = page.locator(f'tr[data-code="{code}"]')
        assert row.is_visible()
        assert "Siti Rahmawati" in row.inner_text()
        assert booked.nik_masked in row.inner_text()
        support.assert_accessible(page)
        support.screenshot(page, "staff", lang, "2-roster")

        page.goto(url("staff_views.checkin"))
        verdict = page.locator("#verdict")
        at = slot.local.strftime("%H:%M")
        done = tr(
            lang, "Check-in berhasil: %(name)s, jadwal %(time)s.", name="Siti Rahmawati", time=at
        )
        verdict.get_by_text(done).wait_for(timeout=15_000)
        assert code in verdict.inner_text()
        assert booked.token in page.evaluate("() => window.__decoded")
        support.assert_accessible(page)
        support.screenshot(page, "staff", lang, "3-checked-in")

        page.goto(url("staff_views.roster"))
        row = page.locator(f'tr[data-code="{code}"]')
        row.get_by_role("button", name=tr(lang, "Terekam"), exact=True).click()
        page.wait_for_load_state()
        row = page.locator(f'tr[data-code="{code}"]')
        assert row.locator("[data-status]").inner_text().strip() == tr(lang, "Terekam")
        support.assert_accessible(page)
        support.screenshot(page, "staff", lang, "4-recorded")
        assert not context.js_errors
        assert context.hosts == {"127.0.0.1"}
    finally:
        browser.close()

    assert status_of(code) == "recorded"
