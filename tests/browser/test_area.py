"""The outreach request in a real browser: the desa select follows the kecamatan (from
/api/v1/regency, js/area.js), and without JavaScript the button shows the chosen
kecamatan's desa."""

import pytest

from scheduler import regions
from scheduler.extensions import db
from tests.browser import support
from tests.factories import make_user

pytestmark = pytest.mark.browser
PASSWORD = "kata-sandi-koordinator-2026"


@pytest.fixture
def coordinator(committed_db):
    make_user("coordinator", email="kepsek@sekolah.test", password=PASSWORD)
    db.session.commit()
    return "kepsek@sekolah.test"


def _open_request_form(context, url, tr, email):
    page = context.new_page()
    page.goto(url("staff_views.login"))
    page.get_by_label(tr("id", "Email")).fill(email)
    page.get_by_label(tr("id", "Kata sandi"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=tr("id", "Masuk"), exact=True).click()
    page.wait_for_url(lambda u: "/masuk" not in u)
    page.goto(url("outreach_views.new_request"))
    return page


def _desa_values(page):
    return page.locator("select#desa option").evaluate_all("os => os.map(o => o.value)")


def test_the_desa_list_follows_the_kecamatan(app, new_context, url, tr, coordinator):
    with app.app_context():
        dawe = regions.current().find_kecamatan("Dawe")
    context = new_context("id", phone=True)
    page = _open_request_form(context, url, tr, coordinator)
    support.wait_until(page, "() => document.querySelector('[data-area-step]').hidden")
    assert len(_desa_values(page)) == 1 + 132  # before a kecamatan: all, grouped
    page.select_option("select#kecamatan", dawe.code)
    assert _desa_values(page) == [""] + [d.name for d in dawe.desa]
    page.select_option("select#desa", "Colo")
    page.select_option("select#kecamatan", "33.19.02")  # Colo is not in Kota Kudus
    assert page.locator("select#desa").input_value() == ""
    assert "Purwosari (kelurahan)" in page.locator("select#desa").inner_text()
    support.assert_accessible(page)
    assert not context.js_errors


def test_without_javascript_the_button_shows_the_kecamatans_desa(new_context, url, tr, coordinator):
    context = new_context("id", phone=True, javascript=False)
    page = _open_request_form(context, url, tr, coordinator)
    page.get_by_label(tr("id", "Nama sekolah atau balai desa")).fill("SD Negeri 1 Colo")
    page.select_option("select#kecamatan", "33.19.09")
    page.get_by_role("button", name=tr("id", "Tampilkan desa/kelurahan kecamatan ini")).click()
    values = _desa_values(page)
    assert "Colo" in values and "Purwosari" not in values
    assert page.get_by_label(tr("id", "Nama sekolah atau balai desa")).input_value() == (
        "SD Negeri 1 Colo"
    )
