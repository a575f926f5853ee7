"""The public dashboard on a 360 px phone and a 1280 px desk, in both languages: it fits
the screen, passes axe-core, and its chart and figures are there. Screenshots go to
test-artifacts/screenshots/dashboard-*."""

import pytest

from scheduler.extensions import db
from scheduler.outreach import coverage
from scheduler.reports import dashboard
from tests.browser import support
from tests.browser.test_layout import FITS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_dashboard_fits_and_reads_well(width, lang, seeded, new_context, url):
    for kecamatan, desa, wktp, recorded in (
        ("Dawe", "Colo", 91_448, 91_165),
        ("Bae", "Panjang", 43_835, 43_513),
        ("Kota Kudus", "Purwosari", 129_582, 128_851),
        ("Jati", "Loram Kulon", 64_541, 64_538),  # 3 not recorded: withheld
    ):
        coverage.save_figure(kecamatan, desa, wktp, recorded)
    db.session.commit()
    dashboard.clear_cache()
    context = new_context(lang, phone=width == 360)
    page = context.new_page()
    page.goto(url("reports_views.public_dashboard", lang=lang))
    support.screenshot(page, "dashboard", lang, str(width))
    found = page.evaluate(FITS)
    assert found["doc"] <= width and found["view"] == width, found
    assert not found["off"], found["off"]
    assert page.locator("svg.chart rect").count() == 3  # the withheld one has no bar
    heading = {"id": "Cakupan perekaman", "en": "Recording coverage"}[lang]
    assert page.get_by_role("heading", name=heading).is_visible()
    support.assert_accessible(page)
    assert not context.js_errors
