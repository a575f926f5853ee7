"""Dates and numbers in the page's language (scheduler/l10n.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import flask_babel
import pytest
from flask_babel import lazy_gettext as _l

from scheduler import l10n
from tests.visible import iso_dates, visible_text


@pytest.fixture
def in_language(app):
    def enter(code):
        context = app.test_request_context(f"/?lang={code}")
        context.push()
        flask_babel.refresh()
        return context

    contexts = []
    yield lambda code: contexts.append(enter(code))
    for context in reversed(contexts):
        context.pop()


@pytest.mark.parametrize(
    "code, expected",
    [
        ("id", ("7 Desember 2026", "7 Des 2026", "4.500", "24,47", "0,0", "99,64\xa0%")),
        ("en", ("7 December 2026", "7 Dec 2026", "4,500", "24.47", "0.0", "99.64%")),
    ],
)
def test_dates_and_numbers_follow_the_page_language(in_language, code, expected):
    in_language(code)
    got = (
        l10n.day(date(2026, 12, 7)),
        l10n.short_day(date(2026, 12, 7)),
        l10n.number(4500),
        l10n.number(24.47, 2),
        l10n.number(0.0, 1),
        l10n.percent(Decimal("99.64")),
    )
    assert got == expected


def test_a_moment_is_shown_on_the_regencys_date(in_language):
    in_language("id")
    # 23:30 UTC on the 6th is 06:30 WIB on the 7th.
    moment = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert l10n.day(moment) == "7 Desember 2026"
    assert l10n.moment(moment) == "7 Des 2026 06:30"


def test_nothing_shows_as_nothing(in_language):
    in_language("en")
    assert l10n.day(None) == l10n.number(None) == l10n.percent(None) == l10n.moment(None) == ""


def test_a_lazy_message_formats_its_date_in_the_language_showing_it(app, in_language):
    message = _l("Kartu dapat diambil mulai %(on)s.", on=l10n.Day(date(2026, 12, 21)))
    in_language("en")
    assert str(message) == "The card can be collected from 21 December 2026."
    in_language("id")
    assert str(message) == "Kartu dapat diambil mulai 21 Desember 2026."


def test_the_filters_are_there_for_every_template(app, in_language):
    in_language("id")
    rendered = app.jinja_env.from_string(
        "{{ d|day }} {{ n|number }} {{ p|percent }} {{ n|number(1) }}"
    ).render(d=date(2026, 12, 7), n=4500, p=92.43)
    assert rendered == "7 Desember 2026 4.500 92,43\xa0% 4.500,0"


def test_iso_dates_are_found_in_text_only():
    html = (
        '<p data-on="2026-12-07"><a href="/x?tanggal=2026-12-07">7 Desember 2026</a></p>'
        "<script>var d = '2026-12-08';</script><td>2026-12-09</td>"
    )
    assert iso_dates(html) == ["2026-12-09"]
    assert "2026-12-07" not in visible_text(html)


def test_iso_dates_in_free_text_are_written_in_words(in_language):
    in_language("en")
    assert l10n.days_in_text("roster 2026-12-07, device 2026-12-07T08:00") == (
        "roster 7 Dec 2026, device 2026-12-07T08:00"
    )
    assert l10n.days_in_text("2026-13-45") == "2026-13-45"
