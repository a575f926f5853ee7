"""The digital ID (IKD) activated at the recording desk: a checkbox beside "Terekam" on
the roster, and ikd_activated in the API's body (which may still be left out)."""

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from tests.staff.conftest import bearer, login


def _checked_in(appointment):
    db.session.commit()
    appointments.check_in(appointment)
    db.session.commit()
    return appointment


def test_the_roster_ticks_ikd_with_the_recording(client, clerk, site, appointment):
    _checked_in(appointment)
    login(client, clerk)
    page = client.get(f"/petugas/daftar?site_id={site.id}").get_data(as_text=True)
    assert 'name="ikd_activated"' in page and "IKD diaktifkan" in page
    resp = client.post(
        f"/petugas/janji/{appointment.code}/recorded",
        data={"site_id": site.id, "ikd_activated": "y"},
    )
    assert resp.status_code == 302
    row = db.session.get(Appointment, appointment.id)
    assert row.status == "recorded" and row.ikd_activated_at == clock.now()


def test_left_unticked_no_ikd_is_counted(client, clerk, site, appointment):
    _checked_in(appointment)
    login(client, clerk)
    client.post(f"/petugas/janji/{appointment.code}/recorded", data={"site_id": site.id})
    row = db.session.get(Appointment, appointment.id)
    assert row.status == "recorded" and row.ikd_activated_at is None


def test_the_api_takes_ikd_activated_or_no_body(client, clerk, slot):
    from tests.factories import make_appointment

    with_ikd, without_body, bad = (_checked_in(make_appointment(slot)) for _ in range(3))
    url = "/api/v1/appointments/{}/recorded"
    ok = client.post(url.format(with_ikd.code), json={"ikd_activated": True}, headers=bearer(clerk))
    assert ok.status_code == 200
    assert db.session.get(Appointment, with_ikd.id).ikd_activated_at == clock.now()
    bare = client.post(url.format(without_body.code), headers=bearer(clerk))
    assert bare.status_code == 200
    assert db.session.get(Appointment, without_body.id).ikd_activated_at is None
    wrong = client.post(
        url.format(bad.code), json={"ikd_activated": "mungkin"}, headers=bearer(clerk)
    )
    assert wrong.status_code == 422 and "ikd_activated" in wrong.get_json()["error"]["fields"]
    assert db.session.get(Appointment, bad.id).status == "checked_in"  # nothing written
