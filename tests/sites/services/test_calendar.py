"""The calendar (sites/services/calendar.py): the holidays package, local days and
instants in every zone.

The frozen window and its holidays: tests/sites/services/days.py.
"""

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from scheduler.sites import services
from tests.factories import make_site
from tests.sites.services.days import CHRISTMAS, CUTI_BERSAMA, NEW_YEAR, by_day, generate, slots_of


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
    generate(site)
    tuesday = [
        s
        for s in slots_of(site)
        if services.to_local(site, s.starts_at).date() == date(2026, 12, 8)
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
    generate(site)
    today = by_day(site)[date(2026, 12, 7)]
    assert today[0][0] == time(10, 30)
