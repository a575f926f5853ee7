"""GET /api/v1/sites/<id>/slots: what a phone app shows a resident."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.extensions import db
from scheduler.sites import services
from tests.factories import make_site, make_slot

FROM_TO = "from=2026-12-08&to=2026-12-09"


def _at(day, hour, minute=0):
    """A UTC moment on a December 2026 day."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_slots_are_listed_in_the_sites_own_zone_with_their_free_seats(client):
    site = make_site(hours=False)
    later = make_slot(site, starts_at=_at(8, 2, 30), capacity=3)  # 09:30 WIB
    first = make_slot(site, starts_at=_at(8, 1), capacity=2)  # 08:00 WIB
    first.booked_count = 1
    make_slot(site, starts_at=_at(8, 3), is_public=False)  # an outreach session's own slot
    make_slot(site, starts_at=_at(7, 1, 30))  # today 08:30 WIB, within the hour's notice
    resp = client.get(f"/api/v1/sites/{site.id}/slots?{FROM_TO}")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.get_json() == {
        "slots": [
            {
                "id": first.id,
                "starts_at": "2026-12-08T08:00:00+07:00",
                "ends_at": "2026-12-08T08:30:00+07:00",
                "capacity": 2,
                "available": 1,
                "session_kind": "regular",
            },
            {
                "id": later.id,
                "starts_at": "2026-12-08T09:30:00+07:00",
                "ends_at": "2026-12-08T10:00:00+07:00",
                "capacity": 3,
                "available": 3,
                "session_kind": "regular",
            },
        ]
    }


def test_a_site_in_central_indonesia_answers_in_wita(client):
    site = make_site(hours=False, timezone="Asia/Makassar")
    make_slot(site, starts_at=_at(8, 0), minutes=20)
    slots = client.get(f"/api/v1/sites/{site.id}/slots?{FROM_TO}").get_json()["slots"]
    assert [(s["starts_at"], s["ends_at"]) for s in slots] == [
        ("2026-12-08T08:00:00+08:00", "2026-12-08T08:20:00+08:00")
    ]


def test_no_slots_is_an_empty_list(client):
    site = make_site(hours=False)
    make_slot(site, starts_at=_at(20, 1))
    assert client.get(f"/api/v1/sites/{site.id}/slots?{FROM_TO}").get_json() == {"slots": []}


def test_the_database_writes_what_python_would(ctx, is_postgres):
    """On PostgreSQL the array is written by json_agg; it must be the document Python
    writes from the same rows (slot_document), slot for slot."""
    if not is_postgres:
        pytest.skip("the database writes the document only on PostgreSQL")
    site = make_site(hours=False, timezone="Asia/Jayapura")
    for i in range(40):
        slot = make_slot(site, starts_at=_at(8, 0) + timedelta(minutes=15 * i), capacity=1 + i % 3)
        slot.booked_count = i % 2
        if i % 7 == 3:
            slot.is_public = False
    db.session.flush()
    on = datetime(2026, 12, 8).date()
    written = json.loads(services.bookable_slots_json(site.id, on, on))
    _site, rows = services.list_bookable_slots(site.id, on, on)
    tz = services.zone(site)
    assert written == [services.slot_document(row, tz) for row in rows]
    assert len(written) == 34 and written[0]["starts_at"] == "2026-12-08T09:00:00+09:00"
