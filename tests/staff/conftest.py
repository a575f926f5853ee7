"""Desk fixtures: two offices open today, their staff, an admin and a coordinator.

The clock stands at Monday 2026-12-07 08:00 WIB; `slot` runs 08:30-09:00 today.
"""

from datetime import UTC, date, datetime, time

import pytest

from scheduler.extensions import db
from scheduler.staff import services as staff
from tests.factories import make_appointment as book  # noqa: F401 (the desk tests use it)
from tests.factories import make_site, make_slot, make_user


def today_at(hour, minute=0):
    """Today at a WIB wall-clock time, as aware UTC."""
    return datetime.combine(date(2026, 12, 7), time(hour - 7, minute), tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Argon2 with its production cost takes most of a test's time; the scheme is the same."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def site(ctx):
    return make_site("Kantor Disdukcapil Uji")


@pytest.fixture
def other_site(ctx):
    return make_site("Kecamatan Lain")


@pytest.fixture
def slot(site):
    return make_slot(site, starts_at=today_at(8, 30), capacity=4)


@pytest.fixture
def appointment(slot):
    return book(slot)


@pytest.fixture
def clerk(site):
    return make_user("staff", sites=[site], email="clerk@example.test")


@pytest.fixture
def other_clerk(other_site):
    return make_user("staff", sites=[other_site], email="other@example.test")


@pytest.fixture
def admin(ctx):
    return make_user("admin", email="admin@example.test")


@pytest.fixture
def coordinator(ctx):
    return make_user("coordinator", email="coord@example.test")


def bearer(user):
    """Authorization headers with a fresh API token of `user`."""
    db.session.flush()
    return {"Authorization": "Bearer " + staff.create_token(user.email)}


def login(client, user, password="correct-horse-battery"):
    resp = client.post("/masuk", data={"email": user.email, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp
