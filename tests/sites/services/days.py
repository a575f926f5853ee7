"""What the site service tests share: the frozen window's holidays and the slots a
generation made, by local day.

The clock is frozen at Monday 2026-12-07 08:00 WIB, so the 30-day window runs to
Wednesday 2027-01-06 and holds Christmas (Friday 25 December 2026, a public holiday),
its cuti bersama (Thursday 24 December), New Year's Day (Friday 1 January 2027) and
Isra' Mi'raj (Tuesday 5 January 2027, as the `holidays` package estimates it).
"""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Slot

CHRISTMAS = date(2026, 12, 25)
CUTI_BERSAMA = date(2026, 12, 24)
NEW_YEAR = date(2027, 1, 1)
FRIDAY = date(2026, 12, 11)
MONDAY = date(2026, 12, 14)


def slots_of(site):
    return db.session.scalars(
        sa.select(Slot).where(Slot.site_id == site.id).order_by(Slot.starts_at)
    ).all()


def by_day(site):
    """{local date: [(local start time, local end time)]}."""
    days = defaultdict(list)
    for s in slots_of(site):
        start, end = services.to_local(site, s.starts_at), services.to_local(site, s.ends_at)
        days[start.date()].append((start.time(), end.time()))
    return days


def generate(site=None, days=None):
    report = services.generate_slots(days=days, site_id=site.id if site else None)
    db.session.expire_all()
    return report
