"""Appointments (bookings of a recording slot) and idempotency keys."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.db import UTCDateTime, one_of
from scheduler.errors import SlotClosed
from scheduler.extensions import db
from scheduler.sites.models import Site, Slot

STATUSES = (
    "booked",
    "checked_in",
    "recorded",
    "recording_failed",
    "no_show",
    "cancelled",
    "recording_rejected",
)
# A NIK holds at most one appointment in these states (partial unique index).
HOLDING_STATUSES = ("booked", "checked_in", "recorded")
# Not served yet: the resident comes with the QR code.
ACTIVE_STATUSES = ("booked", "checked_in")
# Over without a recording: the NIK may book again.
ENDED_STATUSES = ("cancelled", "no_show", "recording_failed")
# A recording was taken (recorded_at is set): it stands, or the centre rejected it.
RECORDED_STATUSES = ("recorded", "recording_rejected")
CHANNELS = ("web", "api", "walk_in", "roster", "home_visit")
# Help a resident asked for at the desk (served first): elderly, pregnant, disabled, ill.
ASSISTANCE_KINDS = ("elderly", "pregnant", "disabled", "ill")
# Why the national centre refused a recording (the resident records again).
REJECTION_KINDS = ("duplicate_biometrics", "bad_capture", "data_not_accepted")
# Who removed a booking's personal data: the resident's request or the retention purge.
ERASED_HOW = ("resident", "retention")

_holding = sa.text(one_of("status", HOLDING_STATUSES))


class Appointment(db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", STATUSES), name="status"),
        # A recording, once taken, stays recorded unless the centre rejects it: that is
        # the one way out of the NIK's partial unique index after `recorded`.
        sa.CheckConstraint(
            "recorded_at IS NULL OR " + one_of("status", RECORDED_STATUSES),
            name="recorded_stays",
        ),
        sa.CheckConstraint(
            sa.text(
                "status <> 'recording_rejected' OR (recorded_at IS NOT NULL AND rejected_at IS "
                "NOT NULL AND rejection_kind IS NOT NULL)"
            ),
            name="rejected",
        ),
        sa.CheckConstraint(
            one_of("rejection_kind", REJECTION_KINDS, nullable=True),
            name="rejection_kind",
        ),
        sa.CheckConstraint(
            one_of("assistance", ASSISTANCE_KINDS, nullable=True), name="assistance"
        ),
        sa.CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        sa.CheckConstraint(one_of("erased_how", ERASED_HOW, nullable=True), name="erased_how"),
        # A NIK's keyed hash never outlives the NIK it was made from (a key rotation must
        # be able to re-key every hash); only an erased booking has neither.
        sa.CheckConstraint(
            sa.text("nik_encrypted <> '' OR (nik_hash = '' AND erased_at IS NOT NULL)"),
            name="nik_or_erased",
        ),
        sa.Index(
            "uq_appointments_holding_nik",
            "nik_hash",
            unique=True,
            sqlite_where=_holding,
            postgresql_where=_holding,
        ),
        sa.Index("ix_appointments_slot_status", "slot_id", "status"),
        sa.Index("ix_appointments_site_status", "site_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    # A slot deleted by a closure while a booking of it was on its way.
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("slots.id", info={"refusal": SlotClosed}))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="booked")
    channel: Mapped[str] = mapped_column(sa.String(10), default="web")
    # The NIK: encrypted, a keyed hash for uniqueness and look-up, and its mask.
    nik_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    nik_encrypted: Mapped[str] = mapped_column(sa.Text)
    nik_masked: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    birth_date: Mapped[date]
    female: Mapped[bool] = mapped_column(default=False)
    married: Mapped[bool] = mapped_column(default=False)
    # Asked when booking (optional): the desk serves these residents first.
    assistance: Mapped[str | None] = mapped_column(sa.String(10))
    phone: Mapped[str] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5), default="id")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The digital ID (IKD) activated at the desk when recording (a checkbox there).
    ikd_activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # The centre's rejection of a recording (re-recording): when and why.
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_kind: Mapped[str | None] = mapped_column(sa.String(30))
    # A birth date that does not match the NIK, accepted at the desk (audited).
    birth_date_override_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Personal data removed (scheduler/privacy): by the resident's request or the
    # retention purge. The row stays for the counts; name, phone, email and NIK are gone.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_how: Mapped[str | None] = mapped_column(sa.String(10))

    slot: Mapped[Slot] = relationship()
    site: Mapped[Site] = relationship()

    @property
    def is_ongoing(self):
        """Booked or checked in (ACTIVE_STATUSES): not served yet."""
        return self.status in ACTIVE_STATUSES

    @property
    def is_ended(self):
        return self.status in ENDED_STATUSES


class IdempotencyKey(db.Model):
    """An Idempotency-Key seen on a booking: the same key never books twice (UNIQUE)."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    appointment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
