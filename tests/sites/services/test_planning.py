"""Slot generation (sites/services/planning.py): weekly hours, breaks, capacity,
holidays, regeneration around booked slots, the 30-day window.

The frozen window and its holidays: tests/sites/services/days.py.
"""

from datetime import date, time, timedelta

import pytest

from scheduler.extensions import db
from scheduler.sites import services
from scheduler.sites.models import Slot
from tests.factories import make_site
from tests.sites.services.days import (
    CHRISTMAS,
    CUTI_BERSAMA,
    FRIDAY,
    MONDAY,
    NEW_YEAR,
    by_day,
    generate,
    slots_of,
)


def test_weekly_hours_with_breaks(ctx):
    site = make_site(stations=1, slot_minutes=30)
    generate(site)
    days = by_day(site)
    monday = days[MONDAY]
    assert monday[0] == (time(8), time(8, 30))
    assert monday[-1] == (time(15), time(15, 30))
    assert len(monday) == 13  # 08:00-12:00 (8) and 13:00-15:30 (5)
    assert all(end <= time(12) or start >= time(13) for start, end in monday)
    # Weekends have no hours in this site's week.
    assert date(2026, 12, 12) not in days and date(2026, 12, 13) not in days


def test_friday_prayer_break_has_no_slot(ctx):
    site = make_site(stations=1, slot_minutes=45)
    generate(site)
    friday = by_day(site)[FRIDAY]
    assert friday, "Friday is open"
    for start, end in friday:
        assert end <= time(11) or start >= time(13), (start, end)
        assert end <= time(15)
    # 45-minute slots: 08:00, 08:45, 09:30 (10:15 would end 11:00, so it fits too).
    assert [s for s, _ in friday] == [
        time(8),
        time(8, 45),
        time(9, 30),
        time(10, 15),
        time(13),
        time(13, 45),
    ]


@pytest.mark.parametrize(
    "stations,slot_minutes,capacity",
    [(1, 15, 1), (3, 30, 6), (2, 45, 6), (4, 60, 16), (2, 20, 2), (5, 10, 5)],
)
def test_capacity_is_stations_times_recordings_per_slot(ctx, stations, slot_minutes, capacity):
    site = make_site(stations=stations, slot_minutes=slot_minutes)
    assert services.slot_capacity(site) == capacity
    generate(site, days=3)
    slots = slots_of(site)
    assert slots and {s.capacity for s in slots} == {capacity}
    assert all(s.ends_at - s.starts_at == timedelta(minutes=slot_minutes) for s in slots)


def test_no_slots_on_public_holidays(ctx):
    site = make_site()
    generate(site)
    days = by_day(site)
    assert CHRISTMAS not in days
    assert NEW_YEAR not in days
    assert date(2026, 12, 18) in days  # the Friday before is open
    plans = {p.on: p for p in services.plan_days(site, CHRISTMAS, CHRISTMAS)}
    assert plans[CHRISTMAS].closed_reason and not plans[CHRISTMAS].periods


def test_cuti_bersama_closes_only_the_sites_that_choose_to(ctx):
    serving = make_site(closes_on_cuti_bersama=False)
    closing = make_site(closes_on_cuti_bersama=True)
    generate()
    assert CUTI_BERSAMA in by_day(serving)
    assert CUTI_BERSAMA not in by_day(closing)
    # Both close on the public holiday itself.
    assert CHRISTMAS not in by_day(serving) and CHRISTMAS not in by_day(closing)


def test_regeneration_keeps_a_booked_slot_and_reports_the_conflict(ctx):
    site = make_site(stations=2)
    generate(site)
    booked = next(
        s for s in slots_of(site) if services.to_local(site, s.starts_at).date() == MONDAY
    )
    services.take_seat(booked.id)
    db.session.commit()
    services.add_exception(site.id, MONDAY, MONDAY, closed=True, reason="Pemadaman listrik")
    report = generate(site)
    assert [(c["slot_id"], c["booked"], c["reason"]) for c in report["conflicts"]] == [
        (booked.id, 1, "closed")
    ]
    assert report["removed"] == 12  # the other, empty slots of that Monday
    monday = [s for s in slots_of(site) if services.to_local(site, s.starts_at).date() == MONDAY]
    assert [s.id for s in monday] == [booked.id]
    assert monday[0].booked_count == 1 and monday[0].capacity == 4
    # Running again reports it again and changes nothing.
    again = generate(site)
    assert len(again["conflicts"]) == 1
    assert (again["created"], again["updated"], again["removed"]) == (0, 0, 0)


def test_regeneration_never_shrinks_a_booked_slot(ctx):
    site = make_site(stations=3)
    generate(site, days=2)
    booked, empty = slots_of(site)[:2]
    services.take_seat(booked.id)
    db.session.commit()
    services.save_site(site.id, stations=1)
    report = generate(site, days=2)
    assert [(c["slot_id"], c["reason"]) for c in report["conflicts"]] == [(booked.id, "changed")]
    assert db.session.get(Slot, booked.id).capacity == 6
    assert db.session.get(Slot, empty.id).capacity == 2
    assert report["updated"] == len(slots_of(site)) - 1


def test_regeneration_may_grow_a_booked_slot(ctx):
    site = make_site(stations=1)
    generate(site, days=2)
    booked = slots_of(site)[0]
    services.take_seat(booked.id)
    db.session.commit()
    services.save_site(site.id, stations=2)
    report = generate(site, days=2)
    assert report["conflicts"] == []
    slot = db.session.get(Slot, booked.id)
    assert (slot.capacity, slot.booked_count) == (4, 1)


def test_past_slots_are_left_alone(ctx):
    site = make_site()
    generate(site)
    # Today (Monday 08:00 WIB): the 08:00 slot has started, so it is not created.
    today = by_day(site)[date(2026, 12, 7)]
    assert today[0] == (time(8, 30), time(9))


def test_the_window_is_inclusive_and_ends_on_day_thirty(ctx):
    site = make_site()
    generate(site)
    days = by_day(site)
    assert max(days) == date(2027, 1, 6)  # today + 30, a Wednesday
    assert date(2027, 1, 5) not in days  # Isra' Mi'raj


def test_generation_is_idempotent(ctx):
    site = make_site()
    first = generate(site)
    assert first["created"] > 0 and first["conflicts"] == []
    before = [(s.id, s.starts_at, s.ends_at, s.capacity) for s in slots_of(site)]
    second = generate(site)
    assert second == {"created": 0, "updated": 0, "removed": 0, "conflicts": []}
    assert [(s.id, s.starts_at, s.ends_at, s.capacity) for s in slots_of(site)] == before


def test_inactive_sites_and_outreach_slots_are_not_touched(ctx):
    from tests.factories import make_slot

    site = make_site()
    outreach = make_slot(site, session_kind="outreach", is_public=False)
    idle = make_site()
    idle.active = False
    generate()
    assert slots_of(idle) == []
    assert db.session.get(Slot, outreach.id) is not None
