"""A refused desk button keeps the clerk on the roster, the reason next to the row, in the
desk's language (never a bare 409 or 422 page)."""

import re

from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from tests.factories import make_slot
from tests.staff.conftest import book, login, today_at


def row_error(html, code):
    found = re.search(
        rf'<p class="field-error row-error" id="err-{code}" role="alert">([^<]*)</p>', html
    )
    return found.group(1).strip() if found else None


def post(client, appointment, action, lang, **data):
    return client.post(
        f"/petugas/janji/{appointment.code}/{action}?lang={lang}",
        data={"site_id": appointment.site_id, "date": "2026-12-07", **data},
    )


def test_no_show_before_the_slot_begins(client, clerk, appointment):
    login(client, clerk)
    resp = post(client, appointment, "no-show", "id")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "<h1>Daftar hadir</h1>" in html  # the roster, not an error page
    assert (
        row_error(html, appointment.code)
        == "Jadwal ini belum dimulai; penduduk masih dapat datang."
    )
    resp = post(client, appointment, "no-show", "en")
    assert row_error(resp.get_data(as_text=True), appointment.code) == (
        "This slot has not started yet; the resident may still come."
    )
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_check_in_too_early(client, clerk, site):
    later = book(make_slot(site, starts_at=today_at(14), capacity=2), name="Datang Sore")
    login(client, clerk)
    resp = post(client, later, "check-in", "id")
    assert resp.status_code == 409
    message = row_error(resp.get_data(as_text=True), later.code)
    assert message.startswith("Terlalu awal: check-in dibuka pukul ")
    resp = post(client, later, "check-in", "en")
    assert row_error(resp.get_data(as_text=True), later.code).startswith("Too early")


def test_recording_failed_without_a_reason(client, clerk, appointment):
    login(client, clerk)
    assert post(client, appointment, "check-in", "id").status_code == 302
    resp = post(client, appointment, "recording-failed", "id", reason_kind="", reason="")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert row_error(html, appointment.code) == "Tulis alasannya."
    assert "Daftar hadir" in html and 'name="date" value="2026-12-07"' in html
    resp = post(client, appointment, "recording-failed", "en", reason_kind="", reason="")
    assert row_error(resp.get_data(as_text=True), appointment.code) == "Give the reason."
    assert db.session.get(Appointment, appointment.id).status == "checked_in"
