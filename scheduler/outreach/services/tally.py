"""The session's tally: each participant's outcome, noted by the team at the end of the day."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler.appointments.models import ACTIVE_STATUSES
from scheduler.db import transactional
from scheduler.errors import DomainError, InvalidState, ValidationError
from scheduler.extensions import db
from scheduler.outreach.models import (
    OUTCOMES,
    OutreachOutcome,
)
from scheduler.outreach.services.requests import _claim
from scheduler.outreach.services.sessions import get_session, session_appointments
from scheduler.staff import desk

# The appointment status each tally outcome ends in, and the reason written for a failure.
OUTCOME_STATUS = {
    "recorded": "recorded",
    "failed": "recording_failed",
    "under_age": "recording_failed",
    "has_card": "recording_failed",
    "absent": "no_show",
}
# Stored with the appointment (data, like the desk's free-text reasons), not translated.
FAILURE_REASON = {
    "failed": "Jemput bola: gagal rekam",
    "under_age": "Jemput bola: belum cukup umur",
    "has_card": "Jemput bola: sudah punya KTP-el",
}


@dataclass
class TallyResult:
    """What a tally did: the participants whose appointment it moved on, and those it left
    as the desk had already set them ((appointment, outcome asked, why))."""

    session: object
    changed: list = field(default_factory=list)
    kept: list = field(default_factory=list)


def apply_outcome(user, appointment, outcome, detail="outreach tally", reason=None):
    """Move one participant's appointment to what the tally (or an offline desk) says,
    through the desk's own steps (so the same card queueing and audit entries). `reason` is
    added to the failure's reason. Raises DomainError when the appointment is in a state
    that must not be overruled (a desk acted first)."""
    if appointment.status == "booked" and outcome != "absent":
        # The team saw the resident: checked in on the day, whenever the tally is written.
        desk.apply_check_in(user, appointment, detail, on_the_day=False)
    if outcome == "recorded":
        desk.apply_recorded(user, appointment, detail)
    elif outcome == "absent":
        desk.apply_no_show(user, appointment, detail)
    else:
        why = FAILURE_REASON[outcome] + (f": {reason}" if reason else "")
        desk.apply_recording_failed(user, appointment, why[:200], f"{detail}: {outcome}")


def save_outcome(session, appointment_id, outcome, user, at):
    """The participant's line of the tally (one per appointment, UNIQUE); flushes."""
    row = db.session.scalar(
        sa.select(OutreachOutcome).where(OutreachOutcome.appointment_id == appointment_id)
    )
    if row is None:
        row = OutreachOutcome(session_id=session.id, appointment_id=appointment_id)
        db.session.add(row)
    row.outcome, row.recorded_by_id, row.recorded_at = outcome, user.id, at
    db.session.flush()
    return row


@transactional
def record_tally(session_id, user, outcomes, summary=""):
    """Staff record what happened to each participant and a summary of the session; once
    the session is over the request is done.

    Each outcome moves the participant's appointment as the desk would (recorded: checked
    in, recorded, card queued; failed / under age / has a card: recording failed with that
    reason, the NIK freed; absent: no-show), audited. A participant the desk already moved
    to another outcome is left as it is and reported in the result's `kept`.
    Raises InvalidState before the session starts, ValidationError for an unknown outcome or
    participant."""
    session = get_session(session_id, user, roles=("admin", "staff"))
    now = clock.now()
    if not session.active or session.starts_at > now:
        raise InvalidState(_l("Hasil dapat dicatat setelah sesi dimulai."))
    participants = {a.id: a for a in session_appointments(session)}
    for appointment_id, outcome in outcomes.items():
        if appointment_id not in participants:
            raise ValidationError(fields={"outcome": _l("Peserta tidak ada dalam sesi ini.")})
        if outcome not in OUTCOMES:
            raise ValidationError(fields={f"outcome-{appointment_id}": _l("Pilihan tidak sah.")})
    result = TallyResult(session)
    for appointment_id, outcome in sorted(outcomes.items()):
        appointment = participants[appointment_id]
        db.session.refresh(appointment)
        target = OUTCOME_STATUS[outcome]
        if appointment.status != target:
            if appointment.status not in ACTIVE_STATUSES:
                result.kept.append((appointment, outcome, appointment.status))
                continue
            try:
                with db.session.begin_nested():
                    apply_outcome(user, appointment, outcome)
            except DomainError as exc:
                # A desk acted in the same moment, or a slot that has not begun yet.
                db.session.refresh(appointment)
                result.kept.append((appointment, outcome, str(exc.message)))
                continue
            result.changed.append(appointment)
        save_outcome(session, appointment_id, outcome, user, now)
    session.summary = summary or ""
    session.summary_at = now
    if session.ends_at <= now and session.request.status == "approved":
        _claim(session.request_id, "done", ("approved",))
    db.session.flush()
    return result
