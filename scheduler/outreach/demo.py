"""Demo data: a pending request, an approved session with a few participants, and
coverage figures for Kudus (January 2024: 643,450 WKTP, 641,131 recorded, 2,319 not yet)."""

import random
from datetime import timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from scheduler import regions
from scheduler.db import transactional
from scheduler.extensions import db
from scheduler.outreach import coverage, roster, services
from scheduler.outreach.models import OutreachRequest
from scheduler.sites import services as sites
from scheduler.staff import services as staff
from scheduler.staff.demo import demo_user_email

WKTP, RECORDED = 643_450, 641_131
# Coverage at the end of the months before (months back, percent): 97.32 -> 98.23 -> 98.95.
TREND = ((3, 97.32), (2, 98.23), (1, 98.95))
VILLAGE_HEAD = ("kades.rahtawu@kudus.example", "Kepala Desa Rahtawu")
VILLAGE_PASSWORD = "demo-koordinator-2026"
# Where pupils newly of age and remote hamlets keep the count of the unrecorded up.
HOTSPOTS = {
    "Panjang": 9,
    "Purwosari": 8,
    "Kramat": 7,
    "Mlatinorowito": 5,
    "Colo": 6,
    "Rahtawu": 6,
    "Wonosoco": 5,
    "Jekulo": 3,
    "Gondosari": 3,
}
SCHOOLS = [
    ("Bae", "Panjang", "SMA Negeri 1 Kudus", 418, 337),
    ("Kota Kudus", "Purwosari", "SMK Negeri 1 Kudus", 506, 398),
    ("Kota Kudus", "Kramat", "MA NU Banat Kudus", 377, 321),
]
PUPILS = ["Aisyah Putri", "Bagus Pratama", "Citra Lestari", "Dimas Saputra", "Eka Wulandari"]


def _spread(total, weights):
    """Integers proportional to weights that add up to total (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _next_weekday(start, weekday):
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _coordinator(email, password, name):
    user = staff.get_user_by_email(email)
    if user is None:
        user = staff.create_user(email, password, "coordinator", name=name)
    return user


def _existing(user, institution):
    return db.session.scalar(
        sa.select(OutreachRequest).where(
            OutreachRequest.coordinator_id == user.id,
            OutreachRequest.institution_name == institution,
            OutreachRequest.status.in_(("pending", "approved")),
        )
    )


def _seed_requests(echo):
    principal = staff.get_user_by_email(demo_user_email("coordinator"))
    admin = staff.get_user_by_email(demo_user_email("admin"))
    if principal is None or admin is None:
        echo("outreach: demo users missing; run the staff demo first")
        return
    village_head = _coordinator(VILLAGE_HEAD[0], VILLAGE_PASSWORD, VILLAGE_HEAD[1])
    echo(f"user: {'coordinator':<12} {VILLAGE_HEAD[0]:<30} password: {VILLAGE_PASSWORD}")
    today = sites.local_today()
    if _existing(village_head, "Balai Desa Rahtawu") is None:
        _seed_pending_request(village_head, today, echo)
    if _existing(principal, "SMA Negeri 1 Kudus") is None:
        _seed_school_session(principal, admin, today, echo)


def _seed_pending_request(village_head, today, echo):
    """A village hall's request, waiting for an admin."""
    first = _next_weekday(today + timedelta(days=14), 1)
    services.create_request(
        village_head,
        services.RequestInput(
            institution_kind="village_hall",
            institution_name="Balai Desa Rahtawu",
            address="Desa Rahtawu, Gebog",
            kecamatan="33.19.08",
            desa="Rahtawu",
            expected_participants=60,
            preferred_dates=[first, first + timedelta(days=2)],
            contact_name="Sekretaris Desa Rahtawu",
            contact_phone="081325550101",
            notes="Genset desa tersedia; jalan menanjak, mobil kecil disarankan.",
        ),
    )
    echo("outreach: pending request from Balai Desa Rahtawu")


def _seed_school_session(principal, admin, today, echo):
    """A school's request, approved, with its pupils booked from a roster."""
    held_on = _next_weekday(today + timedelta(days=7), 3)
    request = services.create_request(
        principal,
        services.RequestInput(
            institution_kind="school",
            institution_name="SMA Negeri 1 Kudus",
            address="Jl. Pramuka No. 41, Kudus",
            kecamatan="Bae",
            desa="Panjang",
            expected_participants=150,
            preferred_dates=[held_on, held_on + timedelta(days=1)],
            contact_name="Wakasek Kesiswaan",
            contact_phone="081325550202",
            notes="Aula sekolah, listrik tersedia. Siswa boleh berpakaian bebas.",
        ),
    )
    services.approve_request(
        request.id,
        admin,
        held_on,
        services.parse_hhmm("08:00", "start"),
        services.parse_hhmm("11:00", "end"),
        2,
        "Tim Keliling 1",
    )
    report = roster.import_roster(
        request.session.id, principal, "demo.csv", _pupils_roster(held_on).encode()
    )
    echo(
        f"outreach: session at SMA Negeri 1 Kudus on {held_on.isoformat()} "
        f"with {report['booked']} participants; link {services.booking_url(request.session)}"
    )


def _pupils_roster(held_on):
    """The roster CSV of PUPILS, each a few months past 17 on the session's day."""
    rows = ["nik,name,birth_date,phone"]
    for i, name in enumerate(PUPILS):
        born = held_on - relativedelta(years=17, months=1 + i)
        female = i % 2 == 0
        day = born.day + (40 if female else 0)
        nik = f"331907{day:02d}{born.month:02d}{born.year % 100:02d}{9101 + i:04d}"
        rows.append(f"{nik},{name},{born.isoformat()},0813255503{i:02d}")
    return "\n".join(rows) + "\n"


@transactional
def _seed_coverage():
    desa = [(k.name, d.name) for k in regions.current().kecamatan for d in k.desa]
    rng = random.Random(3319)
    wktp = _spread(WKTP, [rng.uniform(0.55, 1.6) for _ in desa])
    weights = [HOTSPOTS.get(d, 0) * 40 + rng.uniform(4, 14) for _, d in desa]
    this_month = sites.local_today().replace(day=1)
    # The months before: the same WKTP, fewer recorded (the trend the office published).
    for back, percent in TREND:
        counted_on = this_month - relativedelta(months=back - 1) - timedelta(days=1)
        missing = _spread(WKTP - round(WKTP * percent / 100), weights)
        for (kecamatan, name), total, gap in zip(desa, wktp, missing, strict=True):
            coverage.save_figure(kecamatan, name, total, total - gap, counted_on=counted_on)
    missing = _spread(WKTP - RECORDED, weights)
    for (kecamatan, name), total, gap in zip(desa, wktp, missing, strict=True):
        coverage.save_figure(kecamatan, name, total, total - gap)
    for kecamatan, name, school, total, recorded in SCHOOLS:
        coverage.save_figure(kecamatan, name, total, recorded, school=school)
    return len(desa)


def seed(echo):
    _seed_requests(echo)
    count = _seed_coverage()
    totals = coverage.totals()
    echo(
        f"outreach: coverage for {count} desa: {totals.wktp:,} WKTP, {totals.recorded:,} recorded "
        f"({totals.coverage} %, target {totals.target} %)"
    )
