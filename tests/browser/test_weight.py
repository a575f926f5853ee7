"""Page weight: every resident page, cold (no cache), transfers under 100 kB in all
(HTML, CSS, JS, images, compressed as sent), asks nothing of any other host, and comes
compressed. bench/page_weight.py measures the same pages on emulated slow 3G."""

from datetime import timedelta

import pytest

from tests.browser import support
from tests.browser.conftest import book_directly

pytestmark = pytest.mark.browser

BUDGET = 100_000  # bytes on the wire per page, everything included


def resident_pages(seeded):
    """(name, path) of every page a resident sees, with real data behind each."""
    day = seeded.today() + timedelta(days=1)
    slot = seeded.slots(seeded.office_id, on=day)[0]
    booked = book_directly(slot.id, name="Dewi Lestari")
    ticket = f"/janji/{booked.code}?s={booked.signature}"
    return [
        ("home", "/"),
        ("site", f"/lokasi/{seeded.office_id}"),
        ("times", f"/lokasi/{seeded.office_id}?tanggal={day.isoformat()}"),
        ("form", f"/pesan/{slot.id + 1}"),
        ("confirmation", ticket),
        ("lookup", "/cek"),
        ("reschedule", f"/janji/{booked.code}/ubah?s={booked.signature}&tanggal={day}"),
        ("cancel", f"/janji/{booked.code}/batal?s={booked.signature}"),
    ]


def test_every_resident_page_is_light_local_and_compressed(seeded, new_context, live_server):
    page = new_context("id").new_page()
    meter = support.Meter(page)
    heavy = {}
    for name, path in resident_pages(seeded):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert response.header_value("content-encoding") in {"zstd", "br", "gzip"}, path
        page.wait_for_load_state("networkidle")
        assert meter.hosts() == {"127.0.0.1"}, f"{path} asked another host: {meter.urls}"
        assert not meter.failed, f"{path}: failed requests {meter.failed}"
        if meter.total() >= BUDGET:
            heavy[name] = meter.sizes.copy()
        meter.reset()
    assert not heavy, f"pages over {BUDGET} bytes: {heavy}"


def test_the_booking_form_is_usable_on_slow_3g(seeded, new_context, live_server):
    """400 ms latency, 400 kbit/s: the form is there, styled, in a few seconds."""
    page = new_context("id").new_page()
    slot = seeded.slots(seeded.office_id)[0]
    meter = support.Meter(page, throttle=support.SLOW_3G)
    size, millis = meter.load(f"{live_server.url}/pesan/{slot.id}")
    assert size < BUDGET
    assert millis < 5_000, f"load event after {millis:.0f} ms on slow 3G"
    assert page.locator("input[name=nik]").is_visible()


def test_the_next_page_takes_its_stylesheets_from_the_cache(seeded, new_context, live_server):
    """Static URLs are versioned and cached for a year: after the first page, a phone on
    slow data downloads only the next page's HTML."""
    page = new_context("id").new_page()
    meter = support.Meter(page, cold=False)
    meter.load(live_server.url + "/")
    assert any("/static/" in url for url in meter.sizes)
    meter.load(live_server.url + "/cek")
    fetched = {url: size for url, size in meter.sizes.items() if size > 0}
    assert list(fetched) == [live_server.url + "/cek"], fetched
