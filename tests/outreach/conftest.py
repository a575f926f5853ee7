"""Outreach fixtures: users with tokens, a request body, an approved session."""

import functools
from datetime import date, timedelta

import pytest

from scheduler import clock
from scheduler.extensions import db
from scheduler.outreach import services
from scheduler.staff import services as staff
from scheduler.staff.models import User
from tests.factories import make_nik

# The frozen clock is Monday 2026-12-07; sessions go on the following days.
NEXT_WEDNESDAY = date(2026, 12, 9)


PASSWORD = "correct-horse-battery"
_serial = iter(range(1, 10**6))


@functools.lru_cache(maxsize=1)
def _password_hash():
    return staff.hash_password(PASSWORD)


def make_user(role, sites=()):
    """A user like tests.factories.make_user, with one Argon2 hash shared by all (fast)."""
    user = User(
        email=f"outreach{next(_serial)}@example.test",
        name=f"Pengguna {role}",
        password_hash=_password_hash(),
        role=role,
        active=True,
        created_at=clock.now(),
        sites=list(sites),
    )
    db.session.add(user)
    db.session.flush()
    return user


class Actor:
    def __init__(self, user):
        self.user = user
        self.token = staff.create_token(user.email, name="test")
        self.headers = {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def admin(ctx):
    return Actor(make_user("admin"))


@pytest.fixture
def coordinator(ctx):
    return Actor(make_user("coordinator"))


@pytest.fixture
def other_coordinator(ctx):
    return Actor(make_user("coordinator"))


@pytest.fixture
def staff_member(ctx):
    return Actor(make_user("staff"))


def request_body(**extra):
    body = {
        "institution_kind": "school",
        "institution_name": "SMA Negeri 2 Kudus",
        "address": "Jl. Ganesha, Purwosari",
        "kecamatan": "Kota Kudus",
        "desa": "Purwosari",
        "expected_participants": 120,
        "preferred_dates": ["2026-12-09", "2026-12-10"],
        "contact_name": "Bu Sri Wahyuni",
        "contact_phone": "0812-3456-7890",
        "notes": "Aula lantai 2, listrik tersedia",
    }
    body.update(extra)
    return body


def make_request(coordinator_user, **extra):
    body = request_body(**extra)
    data = services.RequestInput(
        **{
            **body,
            "preferred_dates": [date.fromisoformat(d) for d in body["preferred_dates"]],
        }
    )
    return services.create_request(coordinator_user, data)


def approve(req, admin_user, on=NEXT_WEDNESDAY, start="08:00", end="10:00", kits=2, team="Tim A"):
    return services.approve_request(
        req.id,
        admin_user,
        on,
        services.parse_hhmm(start, "start"),
        services.parse_hhmm(end, "end"),
        kits,
        team,
    )


def roster_csv(rows, header="nik,name,birth_date,phone", sep=",", bom=False):
    lines = [header.replace(",", sep)] + [sep.join(r) for r in rows]
    text = "\n".join(lines) + "\n"
    return (("\ufeff" if bom else "") + text).encode()


def pupil(n, birth=date(2009, 3, 1), female=False):
    """A row for a pupil old enough on the session day (17 in March 2026)."""
    born = birth + timedelta(days=n)
    return [make_nik(born, female), f"Siswa {n}", born.isoformat(), f"08123456{n:04d}"]
