"""The harness itself: the live server, Chromium, the meter and axe-core work together."""

import pytest

from tests.browser import support

pytestmark = pytest.mark.browser


def test_login_page_loads_from_loopback_only_and_is_accessible(seeded, phone, live_server):
    meter = support.Meter(phone)
    size, millis = meter.load(live_server.url + "/masuk")
    assert phone.get_by_label("Email").is_visible()
    assert meter.hosts() == {"127.0.0.1"}
    assert 0 < size < 100_000
    assert millis is not None
    support.assert_accessible(phone)
    support.screenshot(phone, "harness", "id", "login")
