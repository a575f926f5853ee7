"""Approving an outreach request: times as people write them, seats against the expected
participants, and requested dates that fall on a Sunday or a holiday."""

from datetime import time

import pytest

from scheduler import l10n
from scheduler.extensions import db
from scheduler.sites import services as sites
from tests.outreach.conftest import make_request
from tests.outreach.test_views import login
from tests.visible import visible_text


@pytest.mark.parametrize("typed", ["8.00", "08.00", "8:00", "08:00", " 8.00 "])
def test_a_time_is_read_as_it_is_written(typed):
    assert l10n.parse_time(typed) == time(8, 0)


@pytest.mark.parametrize("typed", ["", "8", "8.0", "8,00", "24.00", "08:60", "jam 8", None])
def test_anything_else_is_no_time(typed):
    assert l10n.parse_time(typed) is None


def _approve(client, req, start, end="12.00", kits="1", lang="id"):
    return client.post(
        f"/jemput-bola/{req.id}/setujui?lang={lang}",
        data={"date": "2026-12-09", "start": start, "end": end, "kits": kits, "team": "Tim A"},
    )


@pytest.mark.parametrize("start, end", [("8.00", "10.00"), ("8:00", "10:00"), ("08.00", "10:00")])
def test_approval_takes_indonesian_and_colon_times(client, coordinator, admin, start, end):
    req = make_request(coordinator.user, expected_participants=10)
    login(client, admin.user)
    assert _approve(client, req, start, end).status_code == 302
    db.session.refresh(req)
    session = req.session
    local = sites.to_local(session.site, session.starts_at)
    assert (local.hour, local.minute) == (8, 0)
    assert sites.to_local(session.site, session.ends_at).hour == 10


@pytest.mark.parametrize(
    "lang, message", [("id", "Tulis jam seperti 08.00 atau 08:00."), ("en", "08.00 or 08:00")]
)
def test_a_time_that_is_no_time_is_told_in_the_page_language(
    client, coordinator, admin, lang, message
):
    req = make_request(coordinator.user)
    login(client, admin.user)
    resp = _approve(client, req, "jam 8", lang=lang)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="start-error"' in html and message in html


@pytest.mark.parametrize(
    "lang, flash, note",
    [
        (
            "id",
            "kursi sesi kurang {short} dari",
            "Kursi sesi ({seats}) kurang {short} dari perkiraan peserta (1.200)",
        ),
        ("en", "{short} seats short", "The session's {seats} seats are {short} short of the 1,200"),
    ],
)
def test_approval_warns_when_the_seats_fall_short(client, coordinator, admin, lang, flash, note):
    req = make_request(coordinator.user, expected_participants=1200)
    login(client, admin.user)
    resp = _approve(client, req, "8.00", "10.00", kits="1", lang=lang)
    assert resp.status_code == 302
    db.session.refresh(req)
    seats = req.session.capacity
    short = f"{1200 - seats:,}".replace(",", "." if lang == "id" else ",")
    page = visible_text(client.get(resp.headers["Location"]).get_data(as_text=True))
    assert flash.format(short=short) in page, page
    assert note.format(seats=seats, short=short) in page


def test_no_warning_when_every_participant_has_a_seat(client, coordinator, admin):
    req = make_request(coordinator.user, expected_participants=10)
    login(client, admin.user)
    resp = _approve(client, req, "8.00", "12.00", kits="2")
    db.session.refresh(req)
    assert req.session.capacity >= 10
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="seats-short"' not in page and "kursi sesi kurang" not in page


@pytest.mark.parametrize(
    "lang, sunday, christmas, joint",
    [
        ("id", "(hari Minggu)", "(libur: Hari Raya Natal)", "(cuti bersama: Cuti Bersama"),
        (
            "en",
            "(Sunday)",
            "(holiday: Christmas Day)",
            "(joint leave day: Christmas Joint Holiday)",
        ),
    ],
)
def test_requested_sundays_and_holidays_are_named(
    client, coordinator, admin, lang, sunday, christmas, joint
):
    req = make_request(coordinator.user, preferred_dates=["2026-12-13", "2026-12-25", "2026-12-24"])
    ordinary = make_request(coordinator.user)  # Wednesday and Thursday
    db.session.commit()
    for user in (admin.user, coordinator.user):
        login(client, user)
        html = client.get(f"/jemput-bola/{req.id}?lang={lang}").get_data(as_text=True)
        page = visible_text(html)
        assert sunday in page and christmas in page and joint in page
        other = client.get(f"/jemput-bola/{ordinary.id}?lang={lang}").get_data(as_text=True)
        assert "data-date-note" not in other


def test_approving_on_a_holiday_says_so(client, coordinator, admin):
    req = make_request(coordinator.user, expected_participants=10)
    login(client, admin.user)
    resp = client.post(
        f"/jemput-bola/{req.id}/setujui",
        data={"date": "2026-12-25", "start": "8.00", "end": "10.00", "kits": "1", "team": "Tim A"},
    )
    assert resp.status_code == 302
    page = visible_text(client.get(resp.headers["Location"]).get_data(as_text=True))
    assert "tanggal sesi jatuh pada libur: Hari Raya Natal" in page
