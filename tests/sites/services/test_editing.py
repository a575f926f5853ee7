"""Editing a site's calendar (sites/services/editing.py): holidays added and removed,
exceptions of hours and closures, and what the generated slots make of them.

The clock is frozen at Monday 2026-12-07 08:00 WIB, so the 30-day window runs to
Wednesday 2027-01-06 and holds Christmas (Friday 25 December 2026, a public holiday),
its cuti bersama (Thursday 24 December), New Year's Day (Friday 1 January 2027) and
Isra' Mi'raj (Tuesday 5 January 2027, as the `holidays` package estimates it).
"""

from collections import defaultdict
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Slot
from tests.factories import make_site

CHRISTMAS = date(2026, 12, 25)
MONDAY = date(2026, 12, 14)


def _slots(site):
    return db.session.scalars(
        sa.select(Slot).where(Slot.site_id == site.id).order_by(Slot.starts_at)
    ).all()


def _by_day(site):
    """{local date: [(local start time, local end time)]}."""
    days = defaultdict(list)
    for s in _slots(site):
        start, end = services.to_local(site, s.starts_at), services.to_local(site, s.ends_at)
        days[start.date()].append((start.time(), end.time()))
    return days


def _generate(site=None, days=None):
    report = services.generate_slots(days=days, site_id=site.id if site else None)
    db.session.expire_all()
    return report


def test_admin_adds_a_holiday(ctx):
    site = make_site()
    extra = date(2026, 12, 10)
    services.override_holiday(extra, "add", name="Hari Jadi Kabupaten Kudus")
    assert services.holiday_calendar(extra, extra) == {
        extra: ("Hari Jadi Kabupaten Kudus", "public")
    }
    _generate(site)
    assert extra not in _by_day(site)
    services.delete_holiday_override(extra)
    _generate(site)
    assert extra in _by_day(site)


def test_admin_removes_a_holiday(ctx):
    site = make_site()
    services.override_holiday(CHRISTMAS, "remove")
    assert CHRISTMAS not in services.holiday_calendar(CHRISTMAS, CHRISTMAS)
    _generate(site)
    friday = _by_day(site)[CHRISTMAS]
    assert friday[0] == (time(8), time(8, 30))


def test_an_added_cuti_bersama_follows_the_sites_choice(ctx):
    serving = make_site(closes_on_cuti_bersama=False)
    closing = make_site(closes_on_cuti_bersama=True)
    extra = date(2026, 12, 28)
    services.override_holiday(extra, "add", name="Cuti bersama", category="cuti_bersama")
    _generate()
    assert extra in _by_day(serving)
    assert extra not in _by_day(closing)


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
    _generate(site)
    days = _by_day(site)
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
    _generate(site)
    starts = [s for s, _ in _by_day(site)[MONDAY]]
    assert starts[0] == time(9) and starts[-1] == time(13, 30)
    assert time(11) not in starts and time(11, 30) not in starts


def test_closure_day_and_region_wide_closure(ctx):
    site = make_site()
    other = make_site()
    services.add_exception(site.id, date(2026, 12, 15), date(2026, 12, 15), closed=True)
    services.add_exception(None, date(2026, 12, 16), date(2026, 12, 16), closed=True, reason="X")
    _generate()
    assert date(2026, 12, 15) not in _by_day(site)
    assert date(2026, 12, 15) in _by_day(other)
    assert date(2026, 12, 16) not in _by_day(site)
    assert date(2026, 12, 16) not in _by_day(other)


def test_a_sites_own_exception_wins_over_a_region_wide_one(ctx):
    site = make_site()
    services.add_exception(None, MONDAY, MONDAY, closed=True, reason="Libur daerah")
    services.add_exception(
        site.id, MONDAY, MONDAY, closed=False, opens_at=time(8), closes_at=time(10)
    )
    _generate(site)
    assert [s for s, _ in _by_day(site)[MONDAY]] == [time(8), time(8, 30), time(9), time(9, 30)]


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
