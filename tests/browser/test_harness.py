"""The harness's own checks can fail: axe-core reports what it should."""

import pytest

from tests.browser import support

pytestmark = pytest.mark.browser


def test_axe_reports_an_unlabelled_field_and_unreadable_text(new_context):
    page = new_context("id", phone=False).new_page()
    page.set_content(
        '<!doctype html><html lang="id"><head><title>t</title></head><body><main>'
        '<input type="text" name="nik">'
        '<p style="color:#ccc;background:#fff">Teks pucat</p>'
        "</main></body></html>"
    )
    found = {v["id"] for v in support.run_axe(page)}
    assert {"label", "color-contrast"} <= found
    with pytest.raises(AssertionError, match="label"):
        support.assert_accessible(page)
