"""The outreach pages show dates and numbers in the page's language, never ISO dates."""

from decimal import Decimal

import pytest

from scheduler.extensions import db
from scheduler.outreach import coverage, services
from tests.outreach.conftest import approve, make_request
from tests.outreach.test_views import login
from tests.visible import iso_dates, visible_text

DAY = {"id": "9 Desember 2026", "en": "9 December 2026"}


@pytest.fixture
def session(ctx, coordinator, admin):
    req = make_request(coordinator.user, expected_participants=1200)
    approve(req, admin.user, kits=1, start="08:00", end="09:00")
    coverage.save_figure("Dawe", "Colo", 4500, 4484)
    db.session.commit()
    return req.session


def _pages(session):
    return (
        "/jemput-bola",
        f"/jemput-bola/{session.request_id}",
        f"/jemput-bola/sesi/{session.id}/daftar-hadir",
        f"/jemput-bola/sesi/{session.id}/hasil",
        f"/jemput-bola/sesi/{session.id}/meja",
        "/cakupan",
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_public_session_page_names_the_day_in_words(client, session, lang):
    url = services.booking_url(session).split("antre.example.go.id", 1)[1]
    page = client.get(f"{url}&lang={lang}").get_data(as_text=True)
    assert DAY[lang] in visible_text(page)
    assert iso_dates(page) == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_outreach_page_shows_an_iso_date(client, admin, session, lang):
    login(client, admin.user)
    for url in _pages(session):
        resp = client.get(f"{url}?lang={lang}")
        assert resp.status_code == 200, url
        assert iso_dates(resp.get_data(as_text=True)) == [], url


@pytest.mark.parametrize(
    "lang, words",
    [
        ("id", ("1.200", DAY["id"], "4.500", "99,64\xa0%", "target nasional 99,40\xa0%")),
        ("en", ("1,200", DAY["en"], "4,500", "99.64%", "national target 99.40%")),
    ],
)
def test_figures_follow_the_page_language(client, admin, session, lang, words):
    assert coverage.totals().coverage == Decimal("99.64")
    login(client, admin.user)
    detail = visible_text(
        client.get(f"/jemput-bola/{session.request_id}?lang={lang}").get_data(as_text=True)
    )
    assert words[0] in detail and words[1] in detail
    page = visible_text(client.get(f"/cakupan?lang={lang}").get_data(as_text=True))
    for expected in words[2:]:
        assert expected in page, expected
