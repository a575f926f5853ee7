"""A slot kept because it holds bookings after its day closed takes no new booking: it is
listed nowhere, the API and the pages refuse it (409 `slot_closed`), a reschedule into it
too, and the seat UPDATEs of both booking writers refuse it without the Python checks.

The clock is frozen at Monday 2026-12-07 08:00 WIB; the day closed is Tuesday 8 December.
"""

import threading
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from scheduler.appointments.models import Appointment
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.sites.models import Slot
from tests.factories import booking_body, make_site

TUESDAY = date(2026, 12, 8)


def _tuesday_slots(site):
    db.session.expire_all()
    return [
        s
        for s in db.session.scalars(
            sa.select(Slot).where(Slot.site_id == site.id).order_by(Slot.starts_at)
        )
        if sites.to_local(site, s.starts_at).date() == TUESDAY
    ]


def _book(client, slot, **headers):
    return client.post("/api/v1/appointments", json=booking_body(slot), headers=headers)


def _close_tuesday(site):
    sites.add_exception(site.id, TUESDAY, TUESDAY, closed=True, reason="Pemadaman listrik")
    report = sites.generate_slots(days=3, site_id=site.id)
    db.session.expire_all()
    return report


@pytest.fixture
def closed(client):
    """(site, the Tuesday slot kept closed for its one booking, an open Wednesday slot)."""
    site = make_site(stations=2)
    db.session.commit()
    sites.generate_slots(days=3, site_id=site.id)
    kept = _tuesday_slots(site)[0]
    assert _book(client, kept).status_code == 201
    report = _close_tuesday(site)
    assert [c["slot_id"] for c in report["conflicts"]] == [kept.id]
    slot = db.session.get(Slot, kept.id)
    assert slot.closed and slot.booked_count == 1
    later = db.session.scalars(
        sa.select(Slot)
        .where(Slot.site_id == site.id, Slot.starts_at > slot.ends_at)
        .order_by(Slot.starts_at)
    ).first()
    return site, slot, later


def test_the_closed_slot_is_listed_nowhere(client, closed):
    site, slot, _ = closed
    listed = client.get(f"/api/v1/sites/{site.id}/slots?from=2026-12-08&to=2026-12-08")
    assert listed.status_code == 200 and listed.get_json()["slots"] == []
    every = {s["id"] for s in client.get(f"/api/v1/sites/{site.id}/slots").get_json()["slots"]}
    assert every and slot.id not in every
    days = client.get(f"/lokasi/{site.id}").get_data(as_text=True)
    assert "tanggal=2026-12-08" not in days
    times = client.get(f"/lokasi/{site.id}?tanggal=2026-12-08").get_data(as_text=True)
    assert f"/pesan/{slot.id}" not in times


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "closed-1"}])
def test_the_api_refuses_a_booking_in_words(client, closed, headers):
    _, slot, _ = closed
    resp = _book(client, slot, **headers)
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "slot_closed"
    assert "tutup" in error["message"] and "slot_id" in error["fields"]
    english = client.post(
        "/api/v1/appointments?lang=en", json=booking_body(slot), headers=headers
    ).get_json()["error"]
    assert "closed" in english["message"]
    assert db.session.get(Slot, slot.id).booked_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_the_form_refuses_it_in_both_languages(client, closed):
    _, slot, _ = closed
    page = client.get(f"/pesan/{slot.id}")
    assert page.status_code == 409
    assert "tidak menerima pemesanan baru" in page.get_data(as_text=True)
    english = client.get(f"/pesan/{slot.id}?lang=en")
    assert english.status_code == 409
    assert "takes no new bookings" in english.get_data(as_text=True)
    sent = client.post(f"/pesan/{slot.id}", data={"nik": "x"})
    assert sent.status_code == 409
    assert db.session.get(Slot, slot.id).booked_count == 1


def test_a_reschedule_into_it_is_refused(client, closed):
    _, slot, later = closed
    body = booking_body(later)
    booked = client.post("/api/v1/appointments", json=body).get_json()["appointment"]
    resp = client.post(
        f"/api/v1/appointments/{booked['code']}/reschedule",
        json={"nik": body["nik"], "slot_id": slot.id},
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slot_closed"
    db.session.expire_all()
    assert db.session.get(Slot, slot.id).booked_count == 1
    assert db.session.get(Slot, later.id).booked_count == 1


def test_the_office_still_sees_its_residents(client, closed):
    site, slot, _ = closed
    again = sites.generate_slots(days=3, site_id=site.id)
    assert [(c["slot_id"], c["booked"], c["reason"]) for c in again["conflicts"]] == [
        (slot.id, 1, "closed")
    ]
    held = db.session.scalars(sa.select(Appointment).where(Appointment.slot_id == slot.id)).all()
    assert [a.status for a in held] == ["booked"]


def test_opening_the_day_again_makes_it_bookable(client, closed):
    site, slot, _ = closed
    exception = sites.list_exceptions(site.id)[0]
    sites.delete_exception(exception.id)
    report = sites.generate_slots(days=3, site_id=site.id)
    assert report["conflicts"] == [] and report["updated"] == 1
    db.session.expire_all()
    assert not db.session.get(Slot, slot.id).closed
    assert _book(client, slot).status_code == 201


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "closed-2"}])
def test_the_database_refuses_it_without_the_python_check(client, closed, monkeypatch, headers):
    """The friendly check gone, the seat UPDATE of either writer refuses the closed slot
    (on PostgreSQL without a key: the one-statement writer, whose INSERT is undone)."""
    _, slot, _ = closed
    monkeypatch.setattr(sites, "check_bookable", lambda *args, **kwargs: None)
    resp = _book(client, slot, **headers)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slot_closed"
    assert db.session.get(Slot, slot.id).booked_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_the_seat_update_refuses_it(ctx):
    from scheduler.errors import SlotClosed

    site = make_site(stations=2)
    sites.generate_slots(days=3, site_id=site.id)
    slot = _tuesday_slots(site)[0]
    sites.take_seat(slot.id)
    _close_tuesday(site)
    with pytest.raises(SlotClosed):
        sites.take_seat(slot.id)


# ------------------------------------------------------------------ closing while booking


@pytest.fixture
def app_(committed_db):
    committed_db.test_client_class = None
    return committed_db


def test_closing_while_residents_book(app_):
    """Bookings racing the closure of their day: each is booked before it closed (and
    kept, counted, reported to the office) or refused as closed; nothing in between."""
    site = make_site(stations=4)
    db.session.commit()
    sites.generate_slots(days=3, site_id=site.id)
    targets = _tuesday_slots(site)[:2]  # one already holds a booking, one is empty
    assert _book(app_.test_client(), targets[0]).status_code == 201
    sites.add_exception(site.id, TUESDAY, TUESDAY, closed=True, reason="Banjir")
    db.session.commit()
    target_ids, site_id = [t.id for t in targets], site.id
    calls = [booking_body(targets[i % 2]) for i in range(12)]
    db.session.commit()  # on SQLite a transaction open here would hold the write lock
    barrier = threading.Barrier(len(calls) + 1)
    results, reports = [], []

    def resident(body):
        client = app_.test_client()
        barrier.wait(timeout=30)
        resp = client.post("/api/v1/appointments", json=body)
        error = (resp.get_json().get("error") or {}).get("code")
        results.append((body["slot_id"], resp.status_code, error))

    def office():
        with app_.app_context():
            barrier.wait(timeout=30)
            reports.append(sites.generate_slots(days=3, site_id=site_id))

    threads = [threading.Thread(target=resident, args=(s,)) for s in calls]
    threads.append(threading.Thread(target=office))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    outcomes = Counter((status, code) for _, status, code in results)
    # An empty slot the closure deleted is unknown to a booking that reads it afterwards.
    allowed = {(201, None), (409, "slot_closed"), (422, "validation_error")}
    assert set(outcomes) <= allowed and len(results) == len(calls), outcomes
    db.session.expire_all()
    for target_id in target_ids:
        booked = sum(1 for sid, status, _ in results if sid == target_id and status == 201)
        booked += 1 if target_id == target_ids[0] else 0
        slot = db.session.get(Slot, target_id)
        held = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Appointment)
            .where(Appointment.slot_id == target_id)
        )
        assert held == booked
        if slot is None:
            assert booked == 0
            continue
        assert slot.closed and slot.booked_count == booked
    conflicts = {c["slot_id"]: c["booked"] for c in reports[0]["conflicts"]}
    assert conflicts[target_ids[0]] >= 1
    # Once closed, every later attempt is refused.
    for target_id in target_ids:
        body = {**calls[0], "slot_id": target_id, "nik": booking_body(targets[0])["nik"]}
        resp = app_.test_client().post("/api/v1/appointments", json=body)
        kept = db.session.get(Slot, target_id) is not None
        assert resp.status_code == (409 if kept else 422)
        assert resp.get_json()["error"]["code"] == ("slot_closed" if kept else "validation_error")


def test_the_one_statement_writer_refuses_it(app_, monkeypatch, is_postgres):
    """Real commits: on PostgreSQL a booking without a key is the one statement, whose
    seat UPDATE breaks the counter's CHECK for a closed slot, so its INSERTs are undone."""
    from scheduler.appointments.services import writing

    site = make_site(stations=2)
    db.session.commit()
    sites.generate_slots(days=3, site_id=site.id)
    slot_id = _tuesday_slots(site)[0].id
    client = app_.test_client()
    body = booking_body(db.session.get(Slot, slot_id))
    assert client.post("/api/v1/appointments", json=body).status_code == 201
    _close_tuesday(site)
    db.session.commit()
    monkeypatch.setattr(sites, "check_bookable", lambda *args, **kwargs: None)
    used = []
    one_statement = writing._write_in_one_statement
    monkeypatch.setattr(
        writing, "_write_in_one_statement", lambda *a, **k: used.append(1) or one_statement(*a, **k)
    )
    second = {**booking_body(db.session.get(Slot, slot_id)), "slot_id": slot_id}
    db.session.commit()
    resp = client.post("/api/v1/appointments", json=second)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "slot_closed"
    assert used == ([1] if is_postgres else [])
    db.session.expire_all()
    assert db.session.get(Slot, slot_id).booked_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1
    from scheduler.notifications.models import OutboxMessage

    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
