"""The pickup desk reads the resident's QR code from the camera (the scanner shared with
the check-in desk, js/qrscan.js): the code fills the look-up, the card is found and the
clerk goes on with who collects it. Without JavaScript the typed look-up still works."""

from datetime import date, time

import pytest

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.cards import services as cards
from scheduler.cards import stock
from scheduler.extensions import db
from scheduler.sites import services as sites
from tests.browser import support
from tests.browser.test_staff import COUNT_DECODES
from tests.factories import make_nik, make_slot

pytestmark = pytest.mark.browser


def _ready_card(site_id):
    """A card printed and ready at the office; (code, QR text, QR PNG)."""
    site = sites.get_site(site_id)
    stock.save_print_site(site.id, printers=1, operators=1, cards_per_printer=10)
    stock.receive_delivery(10, cards.today(), reference="SP-KAMERA")
    slot = make_slot(site, days_ahead=0, at=time(0, 5), capacity=2)
    born = date(1992, 4, 4)
    appointment = appointments.book_into_slot(
        slot,
        appointments.Applicant(
            nik=make_nik(born), name="Rina Kartika", birth_date=born, phone="+6281234567809"
        ),
        status="checked_in",
    )
    appointment.status, appointment.recorded_at = "recorded", clock.now()
    db.session.flush()
    card = cards.on_recorded(appointment)
    cards.mark_printed(card.code)
    card.pickup_from = cards.today()
    found = (card.code, appointments.checkin_token(appointment), appointments.qr_png(appointment))
    db.session.commit()
    return found


def _log_in(page, url, seeded):
    page.goto(url("staff_views.login"))
    page.fill("input[name=email]", seeded.staff_email)
    page.fill("input[name=password]", seeded.staff_password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/masuk" not in u)


def test_the_pickup_desk_reads_the_qr_from_the_camera(seeded, pw, new_context, url, tmp_path):
    code, token, png = _ready_card(seeded.office_id)
    video = support.qr_video(png, tmp_path / "qr.y4m")
    browser = support.launch(
        pw,
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = new_context("id", phone=False, browser_=browser, permissions=["camera"])
        context.add_init_script(COUNT_DECODES)
        page = context.new_page()
        _log_in(page, url, seeded)
        page.goto(url("cards_views.pickup_desk"))
        # The camera's QR fills the look-up and submits it: the card to hand over shows.
        page.get_by_role("button", name="Serahkan kartu").wait_for(timeout=15_000)
        assert page.input_value("#q") == token
        assert code in page.locator("section.card").last.inner_text()
        assert page.evaluate("() => document.activeElement.name") == "collected_by"
        # The camera still shows the same code: jsQR reads it on this page too (the
        # vendored library did the decoding), and the page does not look it up again.
        support.wait_until(page, "() => window.__decoded.length > 1", timeout=15_000)
        assert set(page.evaluate("() => window.__decoded")) == {token}
        assert page.url.endswith("q=" + token)
        assert page.input_value("#q") == token
        support.assert_accessible(page)
        assert not context.js_errors
        assert context.hosts == {"127.0.0.1"}
    finally:
        browser.close()


def test_without_javascript_the_typed_lookup_works(seeded, new_context, url):
    code, _token, _png = _ready_card(seeded.office_id)
    page = new_context("id", phone=False, javascript=False).new_page()
    _log_in(page, url, seeded)
    page.goto(url("cards_views.pickup_desk"))
    assert not page.locator("#scanner").is_visible()
    page.fill("#q", code)
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("button", name="Serahkan kartu").wait_for()
    assert code in page.url
