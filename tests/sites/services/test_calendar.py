"""The calendar (sites/services/calendar.py): the holidays package, local days and
instants in every zone.

The clock is frozen at Monday 2026-12-07 08:00 WIB, so the 30-day window runs to
Wednesday 2027-01-06 and holds Christmas (Friday 25 December 2026, a public holiday),
its cuti bersama (Thursday 24 December), New Year's Day (Friday 1 January 2027) and
Isra' Mi'raj (Tuesday 5 January 2027, as the `holidays` package estimates it).
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Slot
from tests.factories import make_site

CHRISTMAS = date(2026, 12, 25)
CUTI_BERSAMA = date(2026, 12, 24)
NEW_YEAR = date(2027, 1, 1)


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


def test_the_package_knows_the_holidays_this_suite_relies_on():
    public = holidays.country_holidays("ID", years=2026, categories=("public",))
    government = holidays.country_holidays("ID", years=2026, categories=("government",))
    assert CHRISTMAS in public
    assert CUTI_BERSAMA in government and CUTI_BERSAMA not in public
    assert NEW_YEAR in holidays.country_holidays("ID", years=2027, categories=("public",))


@pytest.mark.parametrize(
    "tz,offset",
    [("Asia/Jakarta", 7), ("Asia/Makassar", 8), ("Asia/Jayapura", 9)],
)
def test_slots_in_each_zone_have_the_right_utc_instants(ctx, tz, offset):
    site = make_site(timezone=tz)
    _generate(site)
    tuesday = [
        s for s in _slots(site) if services.to_local(site, s.starts_at).date() == date(2026, 12, 8)
    ]
    first = tuesday[0]
    expected = datetime(2026, 12, 8, 8, tzinfo=UTC) - timedelta(hours=offset)
    assert first.starts_at == expected
    assert (
        services.to_local(site, first.starts_at).isoformat() == f"2026-12-08T08:00:00+0{offset}:00"
    )


def test_today_in_the_east_starts_after_now(ctx):
    # 08:00 WIB is 10:00 WIT: a Jayapura site has already served two hours today.
    site = make_site(timezone="Asia/Jayapura")
    _generate(site)
    today = _by_day(site)[date(2026, 12, 7)]
    assert today[0][0] == time(10, 30)
