"""Fixtures: a booking made through the API (its body keeps the full NIK and phone)."""

from datetime import UTC, date, datetime, time

import pytest

from scheduler.extensions import db
from scheduler.staff import services as staff
from tests.factories import booking_body, make_site, make_slot, make_user


def today_at(hour, minute=0):
    """Today (Monday 2026-12-07) at a WIB wall-clock time, as aware UTC."""
    return datetime.combine(date(2026, 12, 7), time(hour - 7, minute), tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def site(ctx):
    return make_site("Kantor Disdukcapil Uji")


@pytest.fixture
def slot(site):
    return make_slot(site, capacity=3)


@pytest.fixture
def today_slot(site):
    return make_slot(site, starts_at=today_at(8, 30), capacity=3)


@pytest.fixture
def booked(client, slot):
    """(body, appointment JSON) of a booking through the API."""
    body = booking_body(slot, email="budi@contoh.co.id")
    resp = client.post("/api/v1/appointments", json=body)
    assert resp.status_code == 201
    return body, resp.get_json()["appointment"]


@pytest.fixture
def clerk(site):
    return make_user("staff", sites=[site], email="clerk@example.test")


def bearer(user):
    db.session.flush()
    return {"Authorization": "Bearer " + staff.create_token(user.email)}


def login(client, user, password="correct-horse-battery"):
    resp = client.post("/masuk", data={"email": user.email, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)
