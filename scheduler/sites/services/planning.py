"""Each day's opening periods at a site, and the regular slots generated from them."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from scheduler import clock
from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.sites.models import (
    ScheduleException,
    Site,
    Slot,
)
from scheduler.sites.services.calendar import holiday_calendar, to_local, zone


@dataclass
class DayPlan:
    on: date
    periods: list = field(default_factory=list)  # [(time, time)]
    closed_reason: str | None = None


def _periods(opens, closes, break_starts, break_ends):
    if opens is None or closes is None or opens >= closes:
        return []
    if break_starts and break_ends and opens < break_starts < break_ends < closes:
        return [(opens, break_starts), (break_ends, closes)]
    return [(opens, closes)]


def plan_days(site, start, end):
    """The opening periods of each day from start to end (inclusive), or why it is closed."""
    cal = holiday_calendar(start, end)
    exceptions = db.session.scalars(
        sa.select(ScheduleException)
        .where(sa.or_(ScheduleException.site_id == site.id, ScheduleException.site_id.is_(None)))
        .where(ScheduleException.starts_on <= end, ScheduleException.ends_on >= start)
        .order_by(ScheduleException.site_id.is_(None), ScheduleException.id)
    ).all()
    weekly = {h.weekday: h for h in site.hours}
    plans = []
    day = start
    while day <= end:
        plan = DayPlan(day)
        holiday = cal.get(day)
        exc = next((e for e in exceptions if e.starts_on <= day <= e.ends_on), None)
        if holiday and (holiday[1] == "public" or site.closes_on_cuti_bersama):
            plan.closed_reason = holiday[0]
        elif exc is not None and exc.closed:
            plan.closed_reason = exc.reason or str(_l("Ditutup"))
        elif exc is not None:
            plan.periods = _periods(
                exc.opens_at, exc.closes_at, exc.break_starts_at, exc.break_ends_at
            )
        elif day.weekday() in weekly:
            h = weekly[day.weekday()]
            plan.periods = _periods(h.opens_at, h.closes_at, h.break_starts_at, h.break_ends_at)
        plans.append(plan)
        day += timedelta(days=1)
    return plans


def slot_capacity(site):
    per_station = max(1, site.slot_minutes // current_app.config["RECORDING_MINUTES"])
    return site.stations * per_station


def _desired_starts(site, plan):
    step = timedelta(minutes=site.slot_minutes)
    for opens, closes in plan.periods:
        start = datetime.combine(plan.on, opens)
        end = datetime.combine(plan.on, closes)
        while start + step <= end:
            yield start.time()
            start += step


# ------------------------------------------------------------------------ slot generation


@transactional
def generate_slots(days=None, site_id=None):
    """Create the regular slots of the rolling window from each site's calendar.

    Never deletes or shrinks a slot that holds bookings: such slots are reported as
    conflicts, and one whose day closed is kept closed (it takes no new booking) until
    the calendar wants it again. Returns {"created", "updated", "removed", "conflicts"}.
    """
    days = current_app.config["SLOT_WINDOW_DAYS"] if days is None else days
    report = {"created": 0, "updated": 0, "removed": 0, "conflicts": []}
    query = sa.select(Site).where(Site.active.is_(True))
    if site_id is not None:
        query = query.where(Site.id == site_id)
    for site in db.session.scalars(query.order_by(Site.id)).all():
        _generate_for_site(site, days, report)
    return report


def _generate_for_site(site, days, report):
    tz = zone(site)
    today = clock.now().astimezone(tz).date()
    end = today + timedelta(days=days)
    start_utc = datetime.combine(today, time.min, tzinfo=tz)
    end_utc = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    existing = {
        s.starts_at: s
        for s in db.session.scalars(
            sa.select(Slot).where(
                Slot.site_id == site.id,
                Slot.session_kind == "regular",
                Slot.starts_at >= start_utc,
                Slot.starts_at < end_utc,
            )
        )
    }
    capacity = slot_capacity(site)
    step = timedelta(minutes=site.slot_minutes)
    now = clock.now()
    wanted = set()
    for plan in plan_days(site, today, end):
        for at in _desired_starts(site, plan):
            starts = datetime.combine(plan.on, at, tzinfo=tz).astimezone(now.tzinfo)
            if starts <= now:
                continue
            wanted.add(starts)
            slot = existing.get(starts)
            if slot is not None and slot.closed:  # its day opened again
                slot.closed = False
                report["updated"] += 1
            if slot is None:
                db.session.add(
                    Slot(
                        site_id=site.id,
                        starts_at=starts,
                        ends_at=starts + step,
                        capacity=capacity,
                        booked_count=0,
                        session_kind="regular",
                        is_public=True,
                    )
                )
                report["created"] += 1
            elif slot.capacity != capacity or slot.ends_at != starts + step:
                if slot.booked_count > 0 and (
                    capacity < slot.capacity or slot.ends_at != starts + step
                ):
                    report["conflicts"].append(_conflict(site, slot, "changed"))
                else:
                    slot.capacity, slot.ends_at = capacity, starts + step
                    report["updated"] += 1
    db.session.flush()
    unwanted = {
        slot.id: slot for starts, slot in existing.items() if starts not in wanted and starts > now
    }
    _close_slots(site, unwanted, report)


def _close_slots(site, unwanted, report):
    """Close the slots the calendar no longer has, then delete those nobody booked.

    Closing first takes each row's lock and waits for a booking in flight, after which no
    seat UPDATE takes it (they check `closed`); the counter read then is final, so a
    slot is deleted only when empty, and one that holds bookings is kept for them."""
    if not unwanted:
        return
    slots = Slot.__table__
    ids = sorted(unwanted)
    booked = dict(
        db.session.execute(
            sa.update(slots)
            .where(slots.c.id.in_(ids))
            .values(closed=True)
            .returning(slots.c.id, slots.c.booked_count)
        ).all()
    )
    db.session.execute(sa.delete(slots).where(slots.c.id.in_(ids), slots.c.booked_count == 0))
    for slot_id, slot in sorted(unwanted.items(), key=lambda item: item[1].starts_at):
        count = booked.get(slot_id, 0)
        if count > 0:
            set_committed_value(slot, "closed", True)
            set_committed_value(slot, "booked_count", count)
            report["conflicts"].append(_conflict(site, slot, "closed"))
        else:
            db.session.expunge(slot)
            report["removed"] += 1


def _conflict(site, slot, why):
    return {
        "site_id": site.id,
        "site": site.name,
        "slot_id": slot.id,
        "starts_at": to_local(site, slot.starts_at).isoformat(),
        "booked": slot.booked_count,
        "reason": why,
    }
