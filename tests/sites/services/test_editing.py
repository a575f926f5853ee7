"""Editing a site's calendar (sites/services/editing.py): holidays added and removed,
exceptions of hours and closures, and what the generated slots make of them.

The frozen window and its holidays: tests/sites/services/days.py.
"""

from datetime import date, time, timedelta

import pytest

from scheduler.extensions import db
from scheduler.sites import services
from tests.factories import make_site
from tests.sites.services.days import CHRISTMAS, MONDAY, by_day, generate


def test_admin_adds_a_holiday(ctx):
    site = make_site()
    extra = date(2026, 12, 10)
    services.override_holiday(extra, "add", name="Hari Jadi Kabupaten Kudus")
    assert services.holiday_calendar(extra, extra) == {
        extra: ("Hari Jadi Kabupaten Kudus", "public")
    }
    generate(site)
    assert extra not in by_day(site)
    services.delete_holiday_override(extra)
    generate(site)
    assert extra in by_day(site)


def test_admin_removes_a_holiday(ctx):
    site = make_site()
    services.override_holiday(CHRISTMAS, "remove")
    assert CHRISTMAS not in services.holiday_calendar(CHRISTMAS, CHRISTMAS)
    generate(site)
    friday = by_day(site)[CHRISTMAS]
    assert friday[0] == (time(8), time(8, 30))


def test_an_added_cuti_bersama_follows_the_sites_choice(ctx):
    serving = make_site(closes_on_cuti_bersama=False)
    closing = make_site(closes_on_cuti_bersama=True)
    extra = date(2026, 12, 28)
    services.override_holiday(extra, "add", name="Cuti bersama", category="cuti_bersama")
    generate()
    assert extra in by_day(serving)
    assert extra not in by_day(closing)


def test_shorter_hours_for_a_date_range(ctx):
    site = make_site()
    services.add_exception(
        site.id,
        date(2026, 12, 14),
        date(2026, 12, 16),
        closed=False,
        reason="Jam pelayanan Ramadan",
        opens_at=time(8),
        closes_at=time(12),
    )
    generate(site)
    days = by_day(site)
    for d in (date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)):
        assert days[d][0] == (time(8), time(8, 30))
        assert days[d][-1] == (time(11, 30), time(12)), d
        assert len(days[d]) == 8
    assert days[date(2026, 12, 17)][-1] == (time(15), time(15, 30))  # back to normal


def test_exception_hours_keep_their_own_break(ctx):
    site = make_site()
    services.add_exception(
        site.id,
        MONDAY,
        MONDAY,
        closed=False,
        opens_at=time(9),
        closes_at=time(14),
        break_starts_at=time(11),
        break_ends_at=time(12),
    )
    generate(site)
    starts = [s for s, _ in by_day(site)[MONDAY]]
    assert starts[0] == time(9) and starts[-1] == time(13, 30)
    assert time(11) not in starts and time(11, 30) not in starts


def test_closure_day_and_region_wide_closure(ctx):
    site = make_site()
    other = make_site()
    services.add_exception(site.id, date(2026, 12, 15), date(2026, 12, 15), closed=True)
    services.add_exception(None, date(2026, 12, 16), date(2026, 12, 16), closed=True, reason="X")
    generate()
    assert date(2026, 12, 15) not in by_day(site)
    assert date(2026, 12, 15) in by_day(other)
    assert date(2026, 12, 16) not in by_day(site)
    assert date(2026, 12, 16) not in by_day(other)


def test_a_sites_own_exception_wins_over_a_region_wide_one(ctx):
    site = make_site()
    services.add_exception(None, MONDAY, MONDAY, closed=True, reason="Libur daerah")
    services.add_exception(
        site.id, MONDAY, MONDAY, closed=False, opens_at=time(8), closes_at=time(10)
    )
    generate(site)
    assert [s for s, _ in by_day(site)[MONDAY]] == [time(8), time(8, 30), time(9), time(9, 30)]


def test_exceptions_are_validated(ctx):
    from scheduler.errors import ValidationError

    site = make_site()
    db.session.commit()
    with pytest.raises(ValidationError):
        services.add_exception(site.id, MONDAY, MONDAY - timedelta(days=1), closed=True)
    with pytest.raises(ValidationError):
        services.add_exception(
            site.id, MONDAY, MONDAY, closed=False, opens_at=time(12), closes_at=time(8)
        )
