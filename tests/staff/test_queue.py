"""The queue on site: numbers at check-in and walk-in, "call next" per station (priority
first), the pickup desk's numbers, the waiting-room screen without personal data."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from scheduler import clock
from scheduler.extensions import db
from scheduler.staff import desk, queue
from scheduler.staff.models import QueueTicket
from tests.factories import make_nik, make_slot
from tests.staff.conftest import bearer, book, login, today_at


def checkin(client, user, appointment):
    return client.post("/api/v1/checkins", json={"code": appointment.code}, headers=bearer(user))


def people(slot, n, help_at=()):
    """n booked residents of `slot`; those at the indexes in help_at asked for help."""
    out = []
    for i in range(n):
        a = book(
            slot,
            name=f"Warga {i}",
            nik=make_nik(slot.starts_at.date().replace(year=1980), serial=100 + i),
        )
        if i in help_at:
            a.assistance = "elderly"
        out.append(a)
    db.session.flush()
    return out


def test_checkin_and_walk_in_get_numbers_in_order(client, clerk, site, slot):
    a, b = people(slot, 2)
    first = checkin(client, clerk, a)
    assert first.status_code == 200
    assert first.get_json()["ticket"]["label"] == "A-001"
    assert checkin(client, clerk, b).get_json()["ticket"]["label"] == "A-002"
    make_slot(site, starts_at=today_at(7, 45), minutes=30)
    walk = client.post(
        "/api/v1/walk-ins",
        json={
            "site_id": site.id,
            "nik": make_nik(datetime(1970, 2, 2).date()),
            "name": "Tanpa Janji",
            "birth_date": "1970-02-02",
            "phone": "081234567899",
        },
        headers=bearer(clerk),
    )
    assert walk.status_code == 201 and walk.get_json()["ticket"]["label"] == "A-003"


def test_call_next_serves_priority_first_then_by_number(client, clerk, site, slot):
    residents = people(slot, 3, help_at=(2,))
    for a in residents:
        desk.check_in(clerk, code=a.code)
    path = f"/api/v1/sites/{site.id}/queue/call"
    one = client.post(path, json={"line": "recording", "station": 1}, headers=bearer(clerk))
    assert one.status_code == 200
    assert one.get_json()["ticket"]["label"] == "A-003"  # asked for help: first
    assert one.get_json()["ticket"]["priority"] is True
    two = client.post(path, json={"line": "recording", "station": 2}, headers=bearer(clerk))
    assert two.get_json()["ticket"]["label"] == "A-001"
    again = client.post(path, json={"line": "recording", "station": 1}, headers=bearer(clerk))
    assert again.get_json()["ticket"]["label"] == "A-002"
    done = db.session.scalar(sa.select(QueueTicket).where(QueueTicket.number == 3))
    assert done.status == "done"
    empty = client.post(path, json={"line": "recording", "station": 1}, headers=bearer(clerk))
    assert empty.status_code == 200 and empty.get_json()["ticket"] is None


def test_call_refusals(client, clerk, other_clerk, site):
    path = f"/api/v1/sites/{site.id}/queue/call"
    bad = client.post(path, json={"line": "recording", "station": 9}, headers=bearer(clerk))
    assert bad.status_code == 422 and "station" in bad.get_json()["error"]["fields"]
    other = client.post(path, json={"line": "recording", "station": 1}, headers=bearer(other_clerk))
    assert other.status_code == 403
    unknown = client.post(
        "/api/v1/sites/999999/queue/call",
        json={"line": "recording", "station": 1},
        headers=bearer(clerk),
    )
    assert unknown.status_code == 404


def test_pickup_numbers_and_the_screen(client, clerk, site, slot):
    (a,) = people(slot, 1)
    desk.check_in(clerk, code=a.code)
    resp = client.post(
        f"/api/v1/sites/{site.id}/queue/tickets", json={"priority": True}, headers=bearer(clerk)
    )
    assert resp.status_code == 201 and resp.get_json()["ticket"]["label"] == "B-001"
    desk.call_next(clerk, site.id, "recording", 2)
    desk.call_next(clerk, site.id, "pickup", 1)
    screen = client.get(f"/layar/{site.id}")
    html = screen.get_data(as_text=True)
    assert screen.status_code == 200
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "A-001" in html and "Meja rekam 2" in html and "B-001" in html and "Loket 1" in html
    assert a.name not in html and a.nik_masked not in html and a.code not in html
    assert "<script" not in html
    board = client.get(f"/api/v1/sites/{site.id}/queue").get_json()
    assert board["lines"][0]["stations"][1] == {"station": 2, "ticket": "A-001"}
    assert a.name not in str(board)
    assert client.get("/layar/999999").status_code == 404
    english = client.get(f"/layar/{site.id}?lang=en").get_data(as_text=True)
    assert "Recording desk 2" in english


def test_the_desk_page_calls_and_hands_out_pickup_numbers(client, clerk, site, slot):
    (a,) = people(slot, 1)
    desk.check_in(clerk, code=a.code)
    login(client, clerk)
    page = client.get(f"/petugas/antrean?site_id={site.id}").get_data(as_text=True)
    assert "Panggil berikutnya" in page and "A-001" in page
    called = client.post(
        "/petugas/antrean/panggil", data={"site_id": site.id, "line": "recording", "station": 1}
    )
    assert called.status_code == 302
    shown = client.get(called.headers["Location"]).get_data(as_text=True)
    assert "Memanggil A-001 ke Meja rekam 1." in shown and a.name in shown
    recall = client.post(
        "/petugas/antrean/ulang", data={"site_id": site.id, "line": "recording", "station": 1}
    )
    assert recall.status_code == 302
    ticket = client.post(
        "/petugas/antrean/nomor", data={"site_id": site.id, "line": "pickup", "priority": "y"}
    )
    assert ticket.status_code == 302
    assert "Nomor pengambilan: B-001." in client.get(ticket.headers["Location"]).get_data(
        as_text=True
    )
    refused = client.post(
        "/petugas/antrean/ulang", data={"site_id": site.id, "line": "pickup", "station": 1}
    )
    assert refused.status_code == 404 and "belum memanggil" in refused.get_data(as_text=True)


def test_numbers_start_again_each_day(clerk, site):
    first = queue.issue_ticket(site, "pickup")
    clock.freeze(datetime(2026, 12, 8, 1, 0, tzinfo=UTC))
    second = queue.issue_ticket(site, "pickup")
    assert (first.number, second.number) == (1, 1)
    assert first.served_on != second.served_on


def test_the_database_keeps_numbers_and_stations_apart(clerk, site):
    ticket = queue.issue_ticket(site, "pickup")
    values = {
        "site_id": site.id,
        "served_on": ticket.served_on,
        "line": "pickup",
        "number": ticket.number,
        "priority": False,
        "status": "waiting",
        "issued_at": clock.now(),
    }
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(QueueTicket).values(**values))
    queue.call_next(site, "pickup", 1)
    called = {**values, "number": 99, "status": "called", "station": 1, "called_at": clock.now()}
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(QueueTicket).values(**called))
