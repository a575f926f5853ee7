"""Outreach (jemput bola): requests, sessions, kit allocations, tallies, coverage figures."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.appointments.models import Appointment
from scheduler.db import UTCDateTime, one_of
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.sites.models import Site
from scheduler.staff.models import User

REQUEST_STATUSES = ("pending", "approved", "declined", "cancelled", "done")
INSTITUTION_KINDS = ("school", "village_hall")
# What staff record for each participant after a session.
OUTCOMES = ("recorded", "failed", "under_age", "has_card", "absent")
AREA_KINDS = ("desa", "school")
# What an outreach desk queues while offline, and what the server made of each event.
SYNC_ACTIONS = ("checkin", "recorded", "recording_failed", "absent")
SYNC_RESULTS = ("applied", "conflict", "rejected")

_active_session = sa.text("active")


class OutreachRequest(db.Model):
    """A school's or village's request for a mobile recording team."""

    __tablename__ = "outreach_requests"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        sa.CheckConstraint(one_of("institution_kind", INSTITUTION_KINDS), name="institution_kind"),
        sa.CheckConstraint("expected_participants > 0", name="expected_participants"),
        sa.Index("ix_outreach_requests_coordinator_status", "coordinator_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    institution_kind: Mapped[str] = mapped_column(sa.String(20))
    institution_name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200))
    kecamatan: Mapped[str] = mapped_column(sa.String(60))
    kecamatan_code: Mapped[str] = mapped_column(sa.String(10))
    desa: Mapped[str] = mapped_column(sa.String(60))
    expected_participants: Mapped[int]
    # ISO dates, in the order the coordinator prefers them.
    preferred_dates: Mapped[list] = mapped_column(sa.JSON, default=list)
    contact_name: Mapped[str] = mapped_column(sa.String(100))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    notes: Mapped[str] = mapped_column(sa.String(1000), default="")
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    coordinator: Mapped[User] = relationship(foreign_keys=[coordinator_id])
    session: Mapped["OutreachSession | None"] = relationship(back_populates="request")


class OutreachSession(db.Model):
    """An approved request: a team with its kits at a school or village hall on one day.

    One team works one session a day (partial UNIQUE on active sessions); its slots are
    the site's outreach slots between starts_at and ends_at.
    """

    __tablename__ = "outreach_sessions"
    __table_args__ = (
        sa.CheckConstraint("kits > 0", name="kits"),
        sa.CheckConstraint("capacity >= 0", name="capacity"),
        sa.CheckConstraint("starts_at < ends_at", name="order"),
        sa.Index(
            "uq_outreach_sessions_team_day",
            "held_on",
            "team_key",
            unique=True,
            sqlite_where=_active_session,
            postgresql_where=_active_session,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("outreach_requests.id"), unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    team: Mapped[str] = mapped_column(sa.String(60))
    # The team name folded for comparison ("Tim 1" and "tim 1 " are the same team).
    team_key: Mapped[str] = mapped_column(sa.String(60))
    kits: Mapped[int]
    capacity: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    summary: Mapped[str] = mapped_column(sa.String(2000), default="")
    summary_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    request: Mapped[OutreachRequest] = relationship(back_populates="session")
    site: Mapped[Site] = relationship()


class OutreachKit(db.Model):
    """One mobile recording kit taken for a day by a session or by a team's home visits
    (exactly one of the two): a kit is never out twice."""

    __tablename__ = "outreach_kits"
    __table_args__ = (
        sa.UniqueConstraint("held_on", "kit_number"),
        sa.CheckConstraint("kit_number > 0", name="kit_number"),
        sa.CheckConstraint("(session_id IS NULL) <> (round_id IS NULL)", name="one_holder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outreach_sessions.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("home_visit_rounds.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date]
    kit_number: Mapped[int]


class OutreachOutcome(db.Model):
    """What happened to one participant of a session, as staff tallied it."""

    __tablename__ = "outreach_outcomes"
    __table_args__ = (sa.CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outreach_sessions.id", ondelete="CASCADE"), index=True
    )
    appointment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(sa.String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutreachSyncEvent(db.Model):
    """One event of an outreach desk's offline queue, as the server received it.

    The device's UUID is UNIQUE: an event sent twice (a lost answer, two tabs) is applied
    once, and the second sending is answered from this row. `happened_at` is the device's
    time, `synced_at` the server's.
    """

    __tablename__ = "outreach_sync_events"
    __table_args__ = (
        sa.CheckConstraint(one_of("action", SYNC_ACTIONS), name="action"),
        sa.CheckConstraint(one_of("result", SYNC_RESULTS), name="result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outreach_sessions.id", ondelete="CASCADE"), index=True
    )
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(12))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(sa.String(10))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")


class CoverageFigure(db.Model):
    """Residents obliged to hold a KTP-el (WKTP) and how many of them recorded, per desa or
    school. The regency's figure is the sum over its desa."""

    __tablename__ = "coverage_figures"
    __table_args__ = (
        sa.UniqueConstraint("area_kind", "kecamatan_code", "desa", "name"),
        sa.CheckConstraint(one_of("area_kind", AREA_KINDS), name="area_kind"),
        sa.CheckConstraint("wktp >= 0 AND recorded >= 0 AND recorded <= wktp", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_kind: Mapped[str] = mapped_column(sa.String(10))
    kecamatan: Mapped[str] = mapped_column(sa.String(60))
    kecamatan_code: Mapped[str] = mapped_column(sa.String(10))
    desa: Mapped[str] = mapped_column(sa.String(60))
    # The desa's name again for a desa; the school's name for a school.
    name: Mapped[str] = mapped_column(sa.String(100))
    wktp: Mapped[int]
    recorded: Mapped[int]
    # The day the figures describe (the end of that day): recordings the service makes
    # after it are added on top (see coverage.py).
    counted_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def not_recorded(self):
        return self.wktp - self.recorded

    @property
    def coverage(self):
        return 100.0 * self.recorded / self.wktp if self.wktp else 100.0


class CoverageBaseline(db.Model):
    """Every desa figure ever given, with its date: the history the monthly trend is drawn
    from (a figure typed again for the same day replaces that day's)."""

    __tablename__ = "coverage_baselines"
    __table_args__ = (
        sa.UniqueConstraint("kecamatan_code", "desa", "counted_on"),
        sa.CheckConstraint("wktp >= 0 AND recorded >= 0 AND recorded <= wktp", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kecamatan_code: Mapped[str] = mapped_column(sa.String(10))
    desa: Mapped[str] = mapped_column(sa.String(60))
    wktp: Mapped[int]
    recorded: Mapped[int]
    counted_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoverageTally(db.Model):
    """Recordings the service itself made, per local day and area: a desa, or a whole
    kecamatan (desa '') when only the resident's NIK places them. Each recording adds one
    in its own transaction (an upsert on the UNIQUE key)."""

    __tablename__ = "coverage_tallies"
    __table_args__ = (
        sa.UniqueConstraint("recorded_on", "kecamatan_code", "desa"),
        sa.CheckConstraint("recorded > 0", name="recorded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_on: Mapped[date]
    kecamatan_code: Mapped[str] = mapped_column(sa.String(10))
    desa: Mapped[str] = mapped_column(sa.String(60), default="")
    recorded: Mapped[int] = mapped_column(default=1)


# ------------------------------------------------------------------------ home visits

HOME_VISIT_REASONS = ("elderly", "bedridden", "disabled")
# A person has at most one open visit (partial unique index); a closed one is over.
OPEN_VISIT_STATUSES = ("requested", "planned")
CLOSED_VISIT_STATUSES = ("done", "declined")
HOME_VISIT_STATUSES = OPEN_VISIT_STATUSES + CLOSED_VISIT_STATUSES
# Planned into a round: the visit has its round, its appointment and its time window.
PLANNED_VISIT_STATUSES = ("planned", "done")
HOME_VISIT_OUTCOMES = ("recorded", "failed")

_open_visit = sa.text(one_of("status", OPEN_VISIT_STATUSES))


class HomeVisitRound(db.Model):
    """A team's home visits on one day, with one mobile kit (an OutreachKit row): the
    outreach rules hold, a team once a day (UNIQUE here, checked against sessions) and a
    kit out once a day (the kits' UNIQUE)."""

    __tablename__ = "home_visit_rounds"
    __table_args__ = (sa.UniqueConstraint("held_on", "team_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    team: Mapped[str] = mapped_column(sa.String(60))
    team_key: Mapped[str] = mapped_column(sa.String(60))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HomeVisit(db.Model):
    """A recording at home for someone who cannot come (elderly, bedridden, disabled),
    asked for by the family or a village coordinator; planned into a round with a time
    window, then recorded as at the desk through its appointment."""

    __tablename__ = "home_visits"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", HOME_VISIT_STATUSES), name="status"),
        sa.CheckConstraint(one_of("reason", HOME_VISIT_REASONS), name="reason"),
        sa.CheckConstraint(
            one_of("status", PLANNED_VISIT_STATUSES, negate=True)
            + " OR (round_id IS NOT NULL AND appointment_id IS NOT NULL"
            " AND window_starts_at IS NOT NULL AND window_ends_at IS NOT NULL)",
            name="planned",
        ),
        sa.CheckConstraint(one_of("outcome", HOME_VISIT_OUTCOMES, nullable=True), name="outcome"),
        # One open request per person.
        sa.Index(
            "uq_home_visits_open_nik",
            "nik_hash",
            unique=True,
            info={
                "refusal": lambda: ValidationError(
                    fields={"nik": _l("Permintaan kunjungan rumah untuk NIK ini sudah tercatat.")}
                )
            },
            sqlite_where=_open_visit,
            postgresql_where=_open_visit,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="requested")
    reason: Mapped[str] = mapped_column(sa.String(10))
    reason_note: Mapped[str] = mapped_column(sa.String(300), default="")
    nik_hash: Mapped[str] = mapped_column(sa.String(64))
    nik_encrypted: Mapped[str] = mapped_column(sa.Text)
    nik_masked: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    birth_date: Mapped[date]
    married: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(sa.String(200))
    kecamatan: Mapped[str] = mapped_column(sa.String(60))
    kecamatan_code: Mapped[str] = mapped_column(sa.String(10))
    desa: Mapped[str] = mapped_column(sa.String(60))
    contact_name: Mapped[str] = mapped_column(sa.String(100))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("home_visit_rounds.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="SET NULL"), unique=True
    )
    window_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(sa.String(10))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(sa.String(300))

    round: Mapped[HomeVisitRound | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
