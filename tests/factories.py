"""Builders for test data. They flush, never commit."""

import functools
import itertools
from datetime import date, datetime, time, timedelta

from scheduler import clock
from scheduler.extensions import db
from scheduler.sites.models import Site, Slot, WeeklyHours
from scheduler.staff.models import User
from scheduler.staff.services import hash_password

_serial = itertools.count(1)
WEEK = {d: (time(8), time(15, 30), time(12), time(13)) for d in range(4)}
WEEK[4] = (time(8), time(15), time(11), time(13))


def make_nik(birth_date, female=False, region="331902", serial=None):
    """A valid NIK for a birth date."""
    day = birth_date.day + (40 if female else 0)
    serial = next(_serial) % 9999 + 1 if serial is None else serial
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def make_site(name=None, kind="office", stations=2, slot_minutes=30, hours=True, **extra):
    site = Site(
        name=name or f"Site {next(_serial)}",
        kind=kind,
        address="Jl. Uji 1",
        kecamatan="Kota Kudus",
        kecamatan_code="33.19.02",
        desa="Kramat",
        timezone=extra.pop("timezone", "Asia/Jakarta"),
        stations=stations,
        slot_minutes=slot_minutes,
        active=True,
        **extra,
    )
    if hours:
        for weekday, (o, c, b1, b2) in WEEK.items():
            site.hours.append(
                WeeklyHours(
                    weekday=weekday, opens_at=o, closes_at=c, break_starts_at=b1, break_ends_at=b2
                )
            )
    db.session.add(site)
    db.session.flush()
    return site


def make_slot(
    site=None,
    starts_at=None,
    capacity=4,
    minutes=30,
    session_kind="regular",
    is_public=True,
    days_ahead=1,
    at=time(3, 0),
):
    """A slot; by default tomorrow 10:00 WIB (03:00 UTC)."""
    site = site or make_site(hours=False)
    if starts_at is None:
        day = clock.now().date() + timedelta(days=days_ahead)
        starts_at = datetime.combine(day, at, tzinfo=clock.now().tzinfo)
    slot = Slot(
        site_id=site.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
        booked_count=0,
        session_kind=session_kind,
        is_public=is_public,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


@functools.cache
def _password_hash(password):
    # argon2 takes a good fraction of a second by design; one hash per password will do.
    return hash_password(password)


def make_user(role="staff", sites=(), email=None, password="correct-horse-battery"):
    user = User(
        email=email or f"user{next(_serial)}@example.test",
        name="Test User",
        password_hash=_password_hash(password),
        role=role,
        active=True,
        created_at=clock.now(),
        sites=list(sites),
    )
    db.session.add(user)
    db.session.flush()
    return user


def booking_body(slot, birth_date=date(2000, 5, 17), female=False, **extra):
    body = {
        "slot_id": slot.id,
        "nik": make_nik(birth_date, female),
        "name": "Budi Santoso",
        "birth_date": birth_date.isoformat(),
        "phone": "081234567890",
        "consent": True,
    }
    body.update(extra)
    return body


def booking_form(born=date(2000, 5, 17), **extra):
    """What a resident born on `born` types into the booking page's form (valid)."""
    body = {
        "nik": make_nik(born),
        "name": "Siti Rahayu",
        "birth_date": born.isoformat(),
        "phone": "0812 3456 7890",
        "email": "",
        "consent": "y",
    }
    body.update(extra)
    return body


def make_appointment(
    slot, birth_date=date(2000, 5, 17), female=False, name="Budi Santoso", nik=None
):
    """A booked appointment in `slot` (flushes)."""
    from scheduler.appointments import services as appointments

    return appointments.book_into_slot(
        slot,
        appointments.Applicant(
            nik=nik or make_nik(birth_date, female),
            name=name,
            birth_date=birth_date,
            phone="+6281234567890",
        ),
    )
