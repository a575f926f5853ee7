"""Walk-ins: the field that accepts a birth date not matching the NIK appears only once
that mismatch was found, as plain HTML (no script needed)."""

from datetime import date

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from tests.factories import make_nik
from tests.staff.conftest import login, today_at

OVERRIDE = 'name="birth_date_override_reason"'


def _body(site, **extra):
    return {
        "site_id": site.id,
        "nik": make_nik(date(1980, 4, 4)),
        "name": "Joko Santoso",
        "birth_date": "1980-04-04",
        "phone": "081234567890",
        **extra,
    }


@pytest.fixture
def desk(client, clerk, site, slot):
    clock.freeze(today_at(8, 40))
    login(client, clerk)
    return client


def test_the_override_is_hidden_until_the_birth_date_does_not_match(desk, site):
    assert OVERRIDE not in desk.get("/petugas/tanpa-janji").get_data(as_text=True)
    # Another error (a bad phone number) does not bring it up either.
    resp = desk.post("/petugas/tanpa-janji", data=_body(site, phone="12"))
    assert resp.status_code == 422 and OVERRIDE not in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "lang, words", [("id", "tidak cocok dengan NIK"), ("en", "does not match the NIK")]
)
def test_a_mismatch_brings_the_override_with_its_reason(desk, site, lang, words):
    resp = desk.post(f"/petugas/tanpa-janji?lang={lang}", data=_body(site, birth_date="1980-04-05"))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert OVERRIDE in html and 'id="override"' in html and words in html
    assert 'id="birth_date-error"' in html
    # With the reason the same walk-in is registered, and the audit log keeps the reason.
    resp = desk.post(
        "/petugas/tanpa-janji",
        data=_body(site, birth_date="1980-04-05", birth_date_override_reason="Akta lahir"),
    )
    assert resp.status_code == 302
    row = db.session.scalar(sa.select(Appointment).where(Appointment.name == "Joko Santoso"))
    assert row.status == "checked_in" and row.birth_date == date(1980, 4, 5)


def test_a_reason_being_given_keeps_the_field(desk, site):
    resp = desk.post(
        "/petugas/tanpa-janji",
        data=_body(site, birth_date="1980-04-05", phone="12", birth_date_override_reason="Akta"),
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert OVERRIDE in html and 'value="Akta"' in html
