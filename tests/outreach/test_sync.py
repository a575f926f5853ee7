"""POST /api/v1/outreach/sessions/<id>/sync: an offline desk's queue, each event once."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.outreach import roster, services
from scheduler.outreach import sync as sync_service
from scheduler.outreach.models import OutreachSyncEvent
from scheduler.staff import desk
from scheduler.staff.models import AuditEntry
from tests.factories import make_site
from tests.outreach.conftest import Actor, approve, make_request, make_user, pupil, roster_csv

DURING = datetime(2026, 12, 9, 1, 40, tzinfo=UTC)  # 08:40 WIB, in the session
AFTER = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # 11:00 WIB: back at the office, signal again


def _session(coordinator, admin, institution="SMA Negeri 2 Kudus", team="Tim A", n=4):
    req = make_request(coordinator.user, institution_name=institution)
    approve(req, admin.user, kits=2, start="08:00", end="10:00", team=team)
    rows = [pupil(i + (100 if team != "Tim A" else 0)) for i in range(n)]
    roster.import_roster(req.session.id, coordinator.user, "r.csv", roster_csv(rows))
    db.session.commit()
    people = sorted(services.session_appointments(req.session), key=lambda a: a.name)
    return req.session, people


@pytest.fixture
def outreach(ctx, coordinator, admin):
    session, people = _session(coordinator, admin)
    desk_staff = Actor(make_user("staff", sites=[session.site]))
    db.session.commit()
    clock.freeze(AFTER)
    return session, people, desk_staff


def event(code, action, at=DURING, reason=None, event_id=None):
    body = {"id": event_id or str(uuid.uuid4()), "code": code, "action": action}
    body["at"] = at.astimezone(UTC).isoformat() if isinstance(at, datetime) else at
    if reason is not None:
        body["reason"] = reason
    return body


def sync(client, actor, session_id, events, **headers):
    return client.post(
        f"/api/v1/outreach/sessions/{session_id}/sync",
        json={"events": events},
        headers={**actor.headers, **headers},
    )


def results(resp):
    assert resp.status_code == 200, resp.get_json()
    return [(r["code"], r["status"]) for r in resp.get_json()["results"]]


def status_of(appointment):
    return db.session.scalar(sa.select(Appointment.status).where(Appointment.id == appointment.id))


def test_queue_is_applied_in_order_and_tallied(client, outreach):
    session, people, staff_actor = outreach
    a, b, c, d = people
    queue = [
        event(a.code, "checkin", DURING),
        event(a.code, "recorded", DURING + timedelta(minutes=6)),
        event(b.code, "checkin", DURING + timedelta(minutes=1)),
        event(b.code, "recording_failed", DURING + timedelta(minutes=9), reason="Sidik jari aus"),
        event(c.code, "absent", DURING + timedelta(minutes=30)),
    ]
    resp = sync(client, staff_actor, session.id, queue)
    assert results(resp) == [
        (a.code, "applied"),
        (a.code, "applied"),
        (b.code, "applied"),
        (b.code, "applied"),
        (c.code, "applied"),
    ]
    answers = resp.get_json()["results"]
    assert [r["id"] for r in answers] == [e["id"] for e in queue]
    assert answers[1]["appointment_status"] == "recorded"
    assert [status_of(p) for p in people] == ["recorded", "recording_failed", "no_show", "booked"]
    assert (
        db.session.get(Appointment, b.id).outcome_reason
        == "Jemput bola: gagal rekam: Sidik jari aus"
    )
    # As at the desk: the recorded participant's card is queued.
    assert db.session.scalar(sa.select(CardRequest).where(CardRequest.appointment_id == a.id))
    counts = services.tally_counts(db.session.get(type(session), session.id))
    assert (counts["recorded"], counts["failed"], counts["absent"], counts["untallied"]) == (
        1,
        1,
        1,
        1,
    )


def test_audit_has_the_devices_time_and_the_sync_time(client, outreach):
    session, people, staff_actor = outreach
    a = people[0]
    sync(client, staff_actor, session.id, [event(a.code, "checkin", DURING)])
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.appointment_code == a.code, AuditEntry.action == "check_in"
        )
    )
    assert entry.user_id == staff_actor.user.id
    assert entry.at == AFTER  # written when the queue arrived
    assert "device 2026-12-09T08:40:00+07:00" in entry.detail
    assert "synced 2026-12-09T11:00:00+07:00" in entry.detail
    row = db.session.scalar(sa.select(OutreachSyncEvent))
    assert (row.happened_at, row.synced_at, row.result) == (DURING, AFTER, "applied")


def test_an_event_sent_twice_is_applied_once(client, outreach):
    session, people, staff_actor = outreach
    a = people[0]
    queue = [event(a.code, "checkin"), event(a.code, "recorded")]
    assert results(sync(client, staff_actor, session.id, queue)) == [(a.code, "applied")] * 2
    # The answer was lost: the device sends the same queue again, and one more event.
    again = sync(client, staff_actor, session.id, [*queue, event(people[1].code, "checkin")])
    assert results(again) == [
        (a.code, "duplicate"),
        (a.code, "duplicate"),
        (people[1].code, "applied"),
    ]
    assert [r.get("original") for r in again.get_json()["results"]] == [
        "applied",
        "applied",
        None,
    ]
    audits = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.appointment_code == a.code)
    ).all()
    assert audits.count("check_in") == 1 and audits.count("recorded") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CardRequest)) == 1


def test_a_duplicate_repeats_the_first_answers_conflict(client, outreach):
    session, people, staff_actor = outreach
    a = people[0]
    services.apply_outcome(staff_actor.user, db.session.get(Appointment, a.id), "recorded")
    db.session.commit()
    late = [event(a.code, "recorded")]
    first = sync(client, staff_actor, session.id, late).get_json()["results"][0]
    second = sync(client, staff_actor, session.id, late).get_json()["results"][0]
    assert first["status"] == "conflict"
    assert (second["status"], second["original"]) == ("duplicate", "conflict")
    assert second["detail"] == first["detail"]


def test_the_queue_order_is_kept(client, outreach):
    session, people, staff_actor = outreach
    a = people[0]
    # Recorded first (the team checks in as it records), then a stray check-in.
    resp = sync(
        client, staff_actor, session.id, [event(a.code, "recorded"), event(a.code, "checkin")]
    )
    assert results(resp) == [(a.code, "applied"), (a.code, "conflict")]
    assert status_of(a) == "recorded"


def test_two_devices_on_one_participant_give_one_outcome_and_a_clear_conflict(client, outreach):
    session, people, staff_actor = outreach
    other = Actor(make_user("staff", sites=[session.site]))
    a = people[0]
    first = sync(
        client, staff_actor, session.id, [event(a.code, "checkin"), event(a.code, "recorded")]
    )
    assert results(first) == [(a.code, "applied")] * 2
    second = sync(
        client,
        other,
        session.id,
        [event(a.code, "checkin"), event(a.code, "recording_failed", reason="Alat rusak")],
    )
    assert results(second) == [(a.code, "conflict")] * 2
    details = [r["detail"] for r in second.get_json()["results"]]
    assert all(a.name in d for d in details)
    assert "terekam" in details[1] and "perangkat atau loket lain" in details[1]
    assert status_of(a) == "recorded"
    outcomes = db.session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.appointment_code == a.code, AuditEntry.action != "check_in"
        )
    ).all()
    assert outcomes == ["recorded"]


def test_conflict_messages_in_english(client, outreach):
    session, people, staff_actor = outreach
    a = people[0]
    sync(client, staff_actor, session.id, [event(a.code, "checkin")])
    resp = sync(
        client, staff_actor, session.id, [event(a.code, "absent")], **{"Accept-Language": "en"}
    )
    answer = resp.get_json()["results"][0]
    assert answer["status"] == "conflict"
    assert "checked in at 11:00" in answer["detail"]


def test_cancelled_meanwhile_is_a_conflict(client, outreach, admin):
    session, people, staff_actor = outreach
    a, b = people[0], people[1]
    desk.office_cancel(admin.user, b.code, "Pindah sekolah")
    db.session.commit()
    resp = sync(
        client, staff_actor, session.id, [event(a.code, "checkin"), event(b.code, "checkin")]
    )
    assert results(resp) == [(a.code, "applied"), (b.code, "conflict")]
    assert "dibatalkan" in resp.get_json()["results"][1]["detail"]


def test_a_session_called_off_meanwhile_applies_nothing(client, outreach, admin):
    session, people, staff_actor = outreach
    session.active = False
    db.session.commit()
    resp = sync(client, staff_actor, session.id, [event(people[0].code, "checkin")])
    assert results(resp) == [(people[0].code, "conflict")]
    assert resp.get_json()["results"][0]["detail"] == "Sesi ini sudah dibatalkan."
    assert status_of(people[0]) == "booked"


def test_another_sessions_participant_is_rejected(client, outreach, coordinator, admin):
    session, people, staff_actor = outreach
    clock.freeze(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    _other, strangers = _session(coordinator, admin, institution="SMP Negeri 1 Kudus", team="Tim B")
    clock.freeze(AFTER)
    resp = sync(client, staff_actor, session.id, [event(strangers[0].code, "checkin")])
    assert results(resp) == [(strangers[0].code, "rejected")]
    assert status_of(strangers[0]) == "booked"


def test_reusing_an_event_id_for_another_participant_is_rejected(client, outreach):
    session, people, staff_actor = outreach
    same = str(uuid.uuid4())
    sync(client, staff_actor, session.id, [event(people[0].code, "checkin", event_id=same)])
    resp = sync(client, staff_actor, session.id, [event(people[1].code, "checkin", event_id=same)])
    assert results(resp) == [(people[1].code, "rejected")]
    assert status_of(people[1]) == "booked"


@pytest.mark.parametrize(
    "action,at,reason,why",
    [
        ("checkin", datetime(2026, 12, 8, 3, 0, tzinfo=UTC), None, "bukan hari sesi"),
        ("checkin", AFTER + timedelta(hours=1), None, "lebih cepat"),
        ("recording_failed", DURING, None, "Alasan"),
        ("recording_failed", DURING, "   ", "Alasan"),
    ],
)
def test_events_the_server_cannot_apply_are_rejected_and_stored(
    client, outreach, action, at, reason, why
):
    session, people, staff_actor = outreach
    queue = [event(people[0].code, action, at, reason), event(people[1].code, "checkin")]
    resp = sync(client, staff_actor, session.id, queue)
    assert results(resp) == [(people[0].code, "rejected"), (people[1].code, "applied")]
    assert why in resp.get_json()["results"][0]["detail"]
    # Stored like any other: sending it again is a duplicate, not a second try.
    assert results(sync(client, staff_actor, session.id, queue[:1])) == [
        (people[0].code, "duplicate")
    ]


@pytest.mark.parametrize(
    "events,field",
    [
        ([], "events"),
        (
            [
                {
                    "id": "not-a-uuid",
                    "code": "X",
                    "action": "checkin",
                    "at": "2026-12-09T08:40:00+07:00",
                }
            ],
            "events",
        ),
        (
            [
                {
                    "id": str(uuid.uuid4()),
                    "code": "X",
                    "action": "printed",
                    "at": "2026-12-09T08:40:00+07:00",
                }
            ],
            "events",
        ),
        (
            [
                {
                    "id": str(uuid.uuid4()),
                    "code": "X",
                    "action": "checkin",
                    "at": "2026-12-09T08:40:00",
                }
            ],
            "events",
        ),
        (
            [
                {
                    "id": str(uuid.uuid4()),
                    "code": "X",
                    "action": "checkin",
                    "at": "0001-01-01T00:00:00+07:00",
                }
            ],
            "events",
        ),
        (
            [
                {
                    "id": str(uuid.uuid4()),
                    "code": "",
                    "action": "checkin",
                    "at": "2026-12-09T08:40:00+07:00",
                }
            ],
            "events",
        ),
        ("everything", "events"),
    ],
)
def test_malformed_queues_are_422_and_change_nothing(client, outreach, events, field):
    session, _people, staff_actor = outreach
    resp = client.post(
        f"/api/v1/outreach/sessions/{session.id}/sync",
        json={"events": events},
        headers=staff_actor.headers,
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "validation_error"
    assert field in resp.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutreachSyncEvent)) == 0


def test_too_many_events_at_once_are_refused(client, outreach):
    session, people, staff_actor = outreach
    queue = [event(people[0].code, "checkin") for _ in range(501)]
    assert sync(client, staff_actor, session.id, queue).status_code == 422


def test_roles_and_sites(client, outreach, coordinator, admin):
    session, people, _staff = outreach
    queue = [event(people[0].code, "checkin")]
    elsewhere = Actor(make_user("staff", sites=[make_site(name="Kecamatan Jati")]))
    db.session.commit()
    url = f"/api/v1/outreach/sessions/{session.id}/sync"
    assert client.post(url, json={"events": queue}).status_code == 401
    assert sync(client, coordinator, session.id, queue).status_code == 403
    # Staff of another site cannot even learn that the session exists.
    assert sync(client, elsewhere, session.id, queue).status_code == 404
    assert sync(client, elsewhere, 2**31 - 1, queue).status_code == 404
    assert status_of(people[0]) == "booked"
    assert results(sync(client, admin, session.id, queue)) == [(people[0].code, "applied")]


def test_the_endpoint_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/outreach/sessions/{session_id}/sync"]["post"]
    assert op["security"] == [{"bearer": []}]
    body = doc["components"]["schemas"]["SyncIn"]
    assert body["required"] == ["events"]
    out = doc["components"]["schemas"]["SyncResultOut"]
    assert set(out["properties"]) >= {"id", "status", "detail"}


# ------------------------------------------------------------------------- concurrency


def _parallel(app, calls):
    """Run each call in its own thread and app context, all at once; their answers."""
    answers, errors = [None] * len(calls), []
    barrier = threading.Barrier(len(calls))

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                answers[i] = calls[i]()
            except Exception as exc:  # a deadlock or a 500 fails the test below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return answers


def _committed_session(app):
    coordinator = make_user("coordinator")
    admin = make_user("admin")
    req = make_request(coordinator, institution_name="SD Negeri 3 Jati")
    approve(req, admin, kits=2, start="08:00", end="10:00")
    roster.import_roster(req.session.id, coordinator, "r.csv", roster_csv([pupil(7)]))
    devices = [make_user("staff", sites=[req.session.site]) for _ in range(2)]
    db.session.commit()
    code = services.session_appointments(req.session)[0].code
    ids = req.session.id, [u.id for u in devices]
    db.session.remove()
    clock.freeze(AFTER)
    return ids, code


def _device(session_id, user_id, events):
    """A device's sync, run in the caller's thread (its user loaded there)."""
    from scheduler.staff.models import User

    return lambda: sync_service.sync_events(session_id, db.session.get(User, user_id), events)


def _events(code, *actions, client_id=None):
    return [
        sync_service.SyncEvent(client_id or str(uuid.uuid4()), code, action, DURING, "Alat rusak")
        for action in actions
    ]


def test_one_event_sent_by_two_requests_at_once_is_applied_once(committed_db):
    app = committed_db
    (session_id, users), code = _committed_session(app)
    same = _events(code, "recorded", client_id=str(uuid.uuid4()))
    answers = _parallel(app, [_device(session_id, users[i], same) for i in range(2)])
    assert sorted(a[0]["status"] for a in answers) == ["applied", "duplicate"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CardRequest)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutreachSyncEvent)) == 1


def test_two_devices_at_once_on_one_participant_give_one_outcome(committed_db):
    app = committed_db
    (session_id, users), code = _committed_session(app)
    queues = [_events(code, "checkin", "recorded"), _events(code, "checkin", "recording_failed")]
    answers = _parallel(app, [_device(session_id, users[i], queues[i]) for i in range(2)])
    statuses = sorted(tuple(r["status"] for r in a) for a in answers)
    assert statuses == [("applied", "applied"), ("conflict", "conflict")]
    final = db.session.scalar(sa.select(Appointment.status).where(Appointment.code == code))
    assert final in ("recorded", "recording_failed")
    outcomes = db.session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.appointment_code == code, AuditEntry.action != "check_in"
        )
    ).all()
    assert len(outcomes) == 1
