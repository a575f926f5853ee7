"""An empty code at the check-in or pickup desk says what to type, in the page language."""

import pytest

from tests.cards.test_views import login as card_login
from tests.staff.conftest import login
from tests.visible import visible_text


@pytest.mark.parametrize(
    "lang, words",
    [("id", "Ketik kode booking 8 huruf"), ("en", "Type the 8-letter booking code")],
)
def test_an_empty_check_in_says_what_to_type(client, clerk, site, lang, words):
    login(client, clerk)
    resp = client.post(f"/petugas/check-in?lang={lang}", data={"site_id": site.id, "code": " "})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="code-error"' in html and 'aria-invalid="true"' in html
    assert words in visible_text(html)
    assert "(qr)" not in html  # not the API's wording


@pytest.mark.parametrize(
    "lang, words",
    [("id", "Ketik kode booking 8 huruf"), ("en", "Type the 8-letter booking code")],
)
def test_an_empty_pickup_look_up_says_what_to_type(client, site, lang, words):
    card_login(client, "staff", [site])
    html = client.get(f"/petugas/pengambilan?q=+&lang={lang}").get_data(as_text=True)
    assert 'id="q-error"' in html and words in visible_text(html)
    # Opening the page is no empty look-up.
    assert 'id="q-error"' not in client.get("/petugas/pengambilan").get_data(as_text=True)
