"""The tally moves the participants' appointments as the desk would: recorded ones get
their card queued, failures and absences free the NIK, desk decisions stand."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from scheduler import clock
from scheduler.appointments import services as appointments
from scheduler.appointments.models import Appointment
from scheduler.cards.models import CardRequest
from scheduler.extensions import db
from scheduler.outreach import roster, services
from scheduler.staff import desk
from scheduler.staff.models import AuditEntry
from tests.factories import make_site, make_slot
from tests.outreach.conftest import approve, make_request, pupil, roster_csv

DURING = datetime(2026, 12, 9, 1, 10, tzinfo=UTC)  # 08:10 WIB, in the session
AFTER = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # 10:00 WIB, the session is over


@pytest.fixture
def participants(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=2, start="08:00", end="09:00")
    rows = [pupil(i) for i in range(6)]
    roster.import_roster(req.session.id, coordinator.user, "r.csv", roster_csv(rows))
    db.session.commit()
    booked = services.session_appointments(req.session)
    by_name = {a.name: a for a in booked}
    return req.session, [by_name[f"Siswa {i}"] for i in range(6)], [r[0] for r in rows]


def _audits(code):
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.appointment_code == code)
        .order_by(AuditEntry.id)
    ).all()


def test_each_outcome_moves_the_appointment_and_desk_decisions_stand(participants, admin):
    session, people, niks = participants
    # At the desk during the session: one recorded, one checked in and left.
    clock.freeze(DURING)
    desk.check_in(admin.user, code=people[4].code)
    desk.mark_recorded(admin.user, people[4].code)
    desk.check_in(admin.user, code=people[5].code)
    db.session.commit()

    clock.freeze(AFTER)
    outcomes = ["recorded", "failed", "under_age", "absent", "absent", "has_card"]
    result = services.record_tally(
        session.id, admin.user, {p.id: o for p, o in zip(people, outcomes, strict=True)}
    )
    status = {p.name: db.session.get(Appointment, p.id).status for p in people}
    assert status == {
        "Siswa 0": "recorded",
        "Siswa 1": "recording_failed",
        "Siswa 2": "recording_failed",
        "Siswa 3": "no_show",
        "Siswa 4": "recorded",  # recorded at the desk: the tally's "absent" does not undo it
        "Siswa 5": "recording_failed",
    }
    assert [(a.name, o, why) for a, o, why in result.kept] == [("Siswa 4", "absent", "recorded")]
    assert sorted(a.name for a in result.changed) == [
        "Siswa 0",
        "Siswa 1",
        "Siswa 2",
        "Siswa 3",
        "Siswa 5",
    ]
    assert people[2].outcome_reason == "Jemput bola: belum cukup umur"
    assert people[5].outcome_reason == "Jemput bola: sudah punya KTP-el"
    # The recorded participant's card is queued in the same transaction, as at the desk.
    card = db.session.scalar(
        sa.select(CardRequest).where(CardRequest.appointment_id == people[0].id)
    )
    assert card is not None and card.nik_hash == people[0].nik_hash
    assert _audits(people[0].code) == ["check_in", "recorded"]
    assert _audits(people[1].code) == ["check_in", "recording_failed"]
    assert _audits(people[3].code) == ["no_show"]
    assert _audits(people[4].code) == ["check_in", "recorded"]  # the desk's, nothing more
    assert _audits(people[5].code) == ["check_in", "recording_failed"]
    # The seat of the absent one is free again, and the NIKs of failures and absences too.
    db.session.expire_all()
    assert sum(s.booked_count for s in services.session_slots(session)) == 5
    counts = services.tally_counts(session)
    assert (counts["recorded"], counts["absent"], counts["untallied"]) == (2, 1, 0)
    office = make_site("Kantor Tally")
    later = make_slot(office, days_ahead=5)
    for n in (1, 3, 5):
        born = date.fromisoformat(pupil(n)[2])
        appointments.book_into_slot(
            later,
            appointments.Applicant(
                nik=niks[n], name=f"Siswa {n}", birth_date=born, phone="+6281234567001"
            ),
        )
    db.session.flush()


def test_the_same_tally_saved_twice_changes_nothing_more(participants, admin):
    session, people, _niks = participants
    clock.freeze(AFTER)
    outcomes = {people[0].id: "recorded", people[1].id: "absent"}
    first = services.record_tally(session.id, admin.user, outcomes)
    again = services.record_tally(session.id, admin.user, outcomes)
    assert len(first.changed) == 2
    assert again.changed == [] and again.kept == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CardRequest)
            .where(CardRequest.appointment_id == people[0].id)
        )
        == 1
    )
    assert _audits(people[0].code) == ["check_in", "recorded"]


def test_absent_before_the_slot_begins_is_reported_not_applied(ctx, coordinator, admin):
    req = make_request(coordinator.user)
    approve(req, admin.user, kits=1, start="08:00", end="10:00")
    last = services.session_slots(req.session)[-1]
    nik, name, born, _phone = pupil(1)
    late = appointments.book_into_slot(
        last,
        appointments.Applicant(
            nik=nik, name=name, birth_date=date.fromisoformat(born), phone="+6281234567002"
        ),
    )
    db.session.commit()
    clock.freeze(DURING)
    result = services.record_tally(req.session.id, admin.user, {late.id: "absent"})
    assert result.changed == [] and late.status == "booked"
    assert [(a.id, o) for a, o, _why in result.kept] == [(late.id, "absent")]
    assert services.tally_counts(req.session)["untallied"] == 1


def test_the_page_reports_rows_the_desk_already_decided(client, participants, admin):
    session, people, _niks = participants
    clock.freeze(DURING)
    desk.check_in(admin.user, code=people[0].code)
    desk.mark_recorded(admin.user, people[0].code)
    db.session.commit()
    clock.freeze(AFTER)
    with client.session_transaction() as sess:
        sess["_user_id"] = str(admin.user.id)
        sess["_fresh"] = True
    resp = client.post(
        f"/jemput-bola/sesi/{session.id}/hasil",
        data={f"outcome-{people[0].id}": "failed", f"outcome-{people[1].id}": "recorded"},
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f"Siswa 0 ({people[0].code}) tidak diubah" in page
    assert db.session.get(Appointment, people[1].id).status == "recorded"
    assert db.session.get(Appointment, people[0].id).status == "recorded"
