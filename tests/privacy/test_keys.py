"""NIK key rotation: every NIK re-encrypted and re-hashed under the new keys, in batches
that commit their progress, resumable, with look-ups and the one-booking-per-NIK rule
holding all along."""

from datetime import date

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from scheduler import nik as niks
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.cards import services as cards
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.outreach.models import HomeVisit
from scheduler.privacy import services
from scheduler.privacy.models import NikKeyRotation
from tests.factories import booking_body, make_nik, make_slot
from tests.outreach.services.test_home_visits import NIK as VISIT_NIK
from tests.outreach.services.test_home_visits import visit_body

NEW_ENC = Fernet.generate_key().decode()
NEW_HASH = "a new long random string for the hash"


@pytest.fixture
def bookings(client, site):
    """Five bookings through the API, one of them recorded with its card, and a
    replacement card; returns their bodies by code."""
    slot = make_slot(site, capacity=6)
    born = date(1990, 1, 1)
    bodies = {}
    for serial in range(1, 6):
        body = booking_body(slot, birth_date=born, nik=make_nik(born, serial=serial))
        resp = client.post("/api/v1/appointments", json=body)
        bodies[resp.get_json()["appointment"]["code"]] = body
    row = appointments.get_by_code(next(iter(bodies)))
    row.status, row.recorded_at = "recorded", row.booked_at
    db.session.flush()
    cards.on_recorded(row)
    cards.request_replacement(
        nik=make_nik(date(1985, 3, 3)),
        name="Warga Pengganti",
        birth_date=date(1985, 3, 3),
        phone="081234567801",
        reason="lost",
        site_id=site.id,
    )
    visit = client.post("/api/v1/outreach/home-visits", json=visit_body())
    assert visit.status_code == 201, visit.get_json()
    db.session.commit()
    return bodies


def _rotate_to_new_keys(monkeypatch, app):
    monkeypatch.setitem(
        app.config, "NIK_ENCRYPTION_KEYS", [NEW_ENC, app.config["NIK_ENCRYPTION_KEY"]]
    )
    monkeypatch.setitem(app.config, "NIK_HASH_KEYS", [NEW_HASH, app.config["NIK_HASH_KEY"]])


def _only_new_keys(monkeypatch, app):
    monkeypatch.setitem(app.config, "NIK_ENCRYPTION_KEYS", [NEW_ENC])
    monkeypatch.setitem(app.config, "NIK_HASH_KEYS", [NEW_HASH])


def test_during_the_rotation_old_rows_are_found_and_still_hold_their_nik(
    client, bookings, monkeypatch, app
):
    _rotate_to_new_keys(monkeypatch, app)
    code, body = next(iter(bookings.items()))
    other_code, other = list(bookings.items())[1]
    assert (
        client.post(
            f"/api/v1/appointments/{other_code}/lookup", json={"nik": other["nik"]}
        ).status_code
        == 200
    )
    # A NIK whose booking still holds the old hash books nothing new.
    again = client.post("/api/v1/appointments", json=other)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate_booking"
    recorded = client.post("/api/v1/appointments", json=body)
    assert recorded.get_json()["error"]["code"] == "already_recorded"


def test_an_interrupted_rotation_resumes_and_rekeys_everything(client, bookings, monkeypatch, app):
    _rotate_to_new_keys(monkeypatch, app)
    seen = []

    def stop_after_the_first_batch(table, done, total):
        seen.append((table, done, total))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        services.rotate_keys(batch=2, progress=stop_after_the_first_batch)
    assert seen == [("appointments", 2, 5)]
    state = db.session.scalar(sa.select(NikKeyRotation))
    assert state.rows_done == 2 and state.finished_at is None
    progress = []
    done = services.rotate_keys(batch=2, progress=lambda *args: progress.append(args))
    assert done == {"appointments": 5, "card_requests": 2, "home_visits": 1}
    assert progress[0] == ("appointments", 4, 5) and progress[-1] == ("home_visits", 1, 1)
    assert services.remaining_under_old_keys() == {
        "appointments": 0,
        "card_requests": 0,
        "home_visits": 0,
    }
    # The old keys may go: every NIK reads and is found under the new ones alone.
    _only_new_keys(monkeypatch, app)
    for code, body in bookings.items():
        row = appointments.get_by_code(code)
        assert niks.decrypt_nik(row.nik_encrypted) == niks.normalize_nik(body["nik"])
        assert row.nik_hash == niks.hash_nik(body["nik"])
        resp = client.post(f"/api/v1/appointments/{code}/lookup", json={"nik": body["nik"]})
        assert resp.status_code == 200
    for card in db.session.scalars(sa.select(CardRequest)):
        assert niks.decrypt_nik(card.nik_encrypted)[:4] == "3319"
    visit = db.session.scalar(sa.select(HomeVisit))
    assert niks.decrypt_nik(visit.nik_encrypted) == niks.normalize_nik(VISIT_NIK)
    assert visit.nik_hash == niks.hash_nik(VISIT_NIK)
    second = list(bookings.values())[1]
    assert client.post("/api/v1/appointments", json=second).status_code == 409


def test_a_rotation_run_again_changes_nothing_more(bookings, monkeypatch, app):
    _rotate_to_new_keys(monkeypatch, app)
    services.rotate_keys()
    before = db.session.execute(sa.select(Appointment.id, Appointment.nik_hash)).all()
    assert services.rotate_keys() == {"appointments": 5, "card_requests": 2, "home_visits": 1}
    assert db.session.execute(sa.select(Appointment.id, Appointment.nik_hash)).all() == before


def test_an_erased_booking_stays_erased(client, bookings, monkeypatch, app):
    code, body = list(bookings.items())[2]
    assert (
        client.post(f"/api/v1/appointments/{code}/erase", json={"nik": body["nik"]}).status_code
        == 200
    )
    _rotate_to_new_keys(monkeypatch, app)
    assert services.rotate_keys()["appointments"] == 4
    row = appointments.get_by_code(code)
    assert (row.nik_encrypted, row.nik_hash) == ("", "")


def test_the_command_refuses_without_new_keys_and_shows_its_progress(bookings, monkeypatch, app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["nik", "rotate-keys"])
    assert refused.exit_code == 1 and "NIK_ENCRYPTION_KEYS" in refused.output
    _rotate_to_new_keys(monkeypatch, app)
    result = runner.invoke(args=["nik", "rotate-keys", "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert "appointments: 3/5" in result.output and "appointments: 5 re-keyed" in result.output
    assert "remove the old keys" in result.output


def test_a_nik_under_no_configured_key_stops_the_rotation(bookings, monkeypatch, app):
    monkeypatch.setitem(app.config, "NIK_ENCRYPTION_KEYS", [NEW_ENC])
    monkeypatch.setitem(app.config, "NIK_HASH_KEYS", [NEW_HASH, app.config["NIK_HASH_KEY"]])
    with pytest.raises(Exception, match="keep the old key"):
        services.rotate_keys()
    assert db.session.scalar(sa.select(NikKeyRotation.rows_done)) == 0
