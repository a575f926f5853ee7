"""The queue under real concurrency (threads, commits; PostgreSQL when DATABASE_URL
points there): parallel desks never share a number, and parallel stations never call the
same ticket."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.staff import services as staff
from scheduler.staff.models import QueueTicket
from tests.factories import make_site, make_user


@pytest.fixture
def world(committed_db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    committed_db.config["QUEUE_PICKUP_COUNTERS"] = 6
    site = make_site("Kantor Antrean")
    user = make_user("staff", sites=[site], email="loket@example.test")
    db.session.commit()
    token = staff.create_token(user.email)
    db.session.commit()
    yield committed_db, site.id, {"Authorization": f"Bearer {token}"}
    committed_db.config["QUEUE_PICKUP_COUNTERS"] = 1


def _run(app, jobs):
    """Run each job (a function of a test client) at once, one thread each."""
    db.session.commit()
    barrier = threading.Barrier(len(jobs))

    def one(job):
        client = app.test_client()
        barrier.wait(timeout=30)
        return job(client)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def test_thirty_desks_at_once_get_thirty_different_numbers(world):
    app, site_id, headers = world

    def take(client):
        resp = client.post(f"/api/v1/sites/{site_id}/queue/tickets", json={}, headers=headers)
        return resp.status_code, resp.get_json()["ticket"]["number"]

    results = _run(app, [take] * 30)
    assert {status for status, _n in results} == {201}
    assert sorted(n for _s, n in results) == list(range(1, 31))
    db.session.expire_all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(QueueTicket))
    assert count == 30


def test_six_stations_calling_at_once_call_each_ticket_once(world):
    app, site_id, headers = world
    client = app.test_client()
    for _ in range(30):
        assert (
            client.post(
                f"/api/v1/sites/{site_id}/queue/tickets", json={}, headers=headers
            ).status_code
            == 201
        )

    def station(n):
        def work(client):
            called = []
            for _ in range(5):
                resp = client.post(
                    f"/api/v1/sites/{site_id}/queue/call",
                    json={"line": "pickup", "station": n},
                    headers=headers,
                )
                assert resp.status_code == 200, resp.get_json()
                ticket = resp.get_json()["ticket"]
                if ticket is not None:
                    called.append(ticket["number"])
            return called

        return work

    results = _run(app, [station(n) for n in range(1, 7)])
    numbers = [n for called in results for n in called]
    assert sorted(numbers) == list(range(1, 31)), results
    db.session.expire_all()
    rows = db.session.scalars(sa.select(QueueTicket)).all()
    assert sum(1 for t in rows if t.status == "called") == 6
    assert sum(1 for t in rows if t.status == "done") == 24
