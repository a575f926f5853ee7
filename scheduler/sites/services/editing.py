"""An admin's changes to a site: its details, weekly hours, exceptions, outreach slots and
the holiday calendar (each change regenerates the affected slots)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler.db import transactional
from scheduler.errors import InvalidState, NotFound, ValidationError
from scheduler.extensions import db
from scheduler.sites.models import (
    HOLIDAY_CATEGORIES,
    HolidayOverride,
    ScheduleException,
    Site,
    Slot,
    WeeklyHours,
)
from scheduler.sites.services.calendar import _package_holidays
from scheduler.sites.services.catalogue import get_site
from scheduler.sites.services.planning import generate_slots


def add_outreach_slots(site_id, periods, is_public=False):
    """Create a session's outreach slots: periods is [(starts_at, ends_at, capacity)] in UTC.

    Raises InvalidState when the site already has an outreach slot at one of these times."""
    slots = [
        Slot(
            site_id=site_id,
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            booked_count=0,
            session_kind="outreach",
            is_public=is_public,
        )
        for starts, ends, capacity in periods
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(slots)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise InvalidState(
            _l("Lokasi ini sudah memiliki sesi jemput bola pada jam tersebut.")
        ) from None
    return slots


def list_outreach_slots(site_id, starts_at, ends_at):
    """A site's outreach slots that start in [starts_at, ends_at), earliest first."""
    return db.session.scalars(
        sa.select(Slot)
        .where(
            Slot.site_id == site_id,
            Slot.session_kind == "outreach",
            Slot.starts_at >= starts_at,
            Slot.starts_at < ends_at,
        )
        .order_by(Slot.starts_at)
    ).all()


def set_outreach_slots_public(site_id, starts_at, ends_at, is_public):
    """Open a session's outreach slots to the public list, or close them again."""
    db.session.execute(
        sa.update(Slot)
        .where(
            Slot.site_id == site_id,
            Slot.session_kind == "outreach",
            Slot.starts_at >= starts_at,
            Slot.starts_at < ends_at,
        )
        .values(is_public=is_public)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


# ------------------------------------------------------------------------- administration


@transactional
def save_site(site_id=None, **fields):
    """Create or update a site; returns it."""
    site = Site() if site_id is None else get_site(site_id)
    for key, value in fields.items():
        setattr(site, key, value)
    if site_id is None:
        db.session.add(site)
    db.session.flush()
    return site


@transactional
def set_weekly_hours(site_id, hours):
    """Replace a site's week: hours maps weekday -> (opens, closes, break_start, break_end)."""
    site = get_site(site_id)
    site.hours.clear()
    db.session.flush()
    for weekday, (opens, closes, b1, b2) in sorted(hours.items()):
        if opens is None or closes is None:
            continue
        if opens >= closes:
            raise ValidationError(fields={f"day{weekday}": _l("Jam buka harus sebelum jam tutup.")})
        if (b1 is None) != (b2 is None) or (b1 and not (opens < b1 < b2 < closes)):
            raise ValidationError(
                fields={f"day{weekday}": _l("Istirahat harus di antara jam buka dan jam tutup.")}
            )
        site.hours.append(
            WeeklyHours(
                weekday=weekday,
                opens_at=opens,
                closes_at=closes,
                break_starts_at=b1,
                break_ends_at=b2,
            )
        )
    db.session.flush()
    return site


@transactional
def add_exception(
    site_id,
    starts_on,
    ends_on,
    closed,
    reason="",
    opens_at=None,
    closes_at=None,
    break_starts_at=None,
    break_ends_at=None,
):
    """Add a closure (closed=True) or other hours for a date range; site_id None = all."""
    if starts_on > ends_on:
        raise ValidationError(fields={"ends_on": _l("Tanggal akhir harus setelah tanggal awal.")})
    if not closed and (opens_at is None or closes_at is None or opens_at >= closes_at):
        raise ValidationError(fields={"opens_at": _l("Isi jam buka dan jam tutup yang benar.")})
    if site_id is not None:
        get_site(site_id)
    exc = ScheduleException(
        site_id=site_id,
        starts_on=starts_on,
        ends_on=ends_on,
        closed=closed,
        reason=reason,
        opens_at=opens_at,
        closes_at=closes_at,
        break_starts_at=break_starts_at,
        break_ends_at=break_ends_at,
    )
    db.session.add(exc)
    db.session.flush()
    return exc


@transactional
def delete_exception(exception_id):
    """Remove a schedule exception; raises NotFound."""
    exc = db.session.get(ScheduleException, exception_id)
    if exc is None:
        raise NotFound()
    db.session.delete(exc)


@transactional
def override_holiday(on, action, name="", category="public"):
    """Add a holiday the package lacks, or remove one it has (the yearly decree differs)."""
    existing = db.session.scalar(sa.select(HolidayOverride).where(HolidayOverride.on == on))
    if existing is None:
        existing = HolidayOverride(on=on)
        db.session.add(existing)
    existing.action, existing.name, existing.category = action, name, category
    db.session.flush()
    return existing


@transactional
def delete_holiday_override(on):
    """Undo an admin's correction of a date; raises NotFound when there is none."""
    result = db.session.execute(sa.delete(HolidayOverride).where(HolidayOverride.on == on))
    if result.rowcount != 1:
        raise NotFound()


def list_exceptions(site_id):
    """The schedule exceptions that apply to a site (its own and those for every site)."""
    return db.session.scalars(
        sa.select(ScheduleException)
        .where(sa.or_(ScheduleException.site_id == site_id, ScheduleException.site_id.is_(None)))
        .order_by(ScheduleException.starts_on, ScheduleException.id)
    ).all()


@transactional
def add_holiday(on, name, category="public"):
    """Make a date a holiday (closing every site, or those closing on cuti bersama), then
    regenerate the slots; returns the generate_slots report."""
    if category not in HOLIDAY_CATEGORIES:
        raise ValidationError(fields={"category": _l("Pilih jenis hari libur.")})
    override_holiday(on, "add", name=name, category=category)
    return generate_slots()


@transactional
def remove_holiday(on):
    """Make a package holiday a working day, then regenerate the slots; returns the report."""
    existing = _package_holidays(on.year).get(on)
    if existing is None:
        raise NotFound(_l("Tanggal ini bukan hari libur."))
    override_holiday(on, "remove", name=existing[0], category=existing[1])
    return generate_slots()


@transactional
def restore_holiday(on):
    """Undo an override (the package's word applies again), then regenerate; returns the report."""
    delete_holiday_override(on)
    return generate_slots()


def outreach_seat(site_id, starts_at, ends_at):
    """A non-public outreach slot at a site from `starts_at` with one more seat than it had
    (a home visit's window): created with one seat, or the one already there widened by
    one (several teams may visit in the same window). Writes, never commits."""
    slot = db.session.scalar(
        sa.select(Slot).where(
            Slot.site_id == site_id, Slot.starts_at == starts_at, Slot.session_kind == "outreach"
        )
    )
    if slot is None:
        (slot,) = add_outreach_slots(site_id, [(starts_at, ends_at, 1)], is_public=False)
        return slot
    db.session.execute(
        sa.update(Slot)
        .where(Slot.id == slot.id)
        .values(capacity=Slot.capacity + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(slot)
    return slot
