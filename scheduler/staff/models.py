"""Users of the office (admin, staff, coordinator) and their API tokens."""

import functools
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.auth import ROLES
from scheduler.db import UTCDateTime, one_of
from scheduler.errors import InvalidState
from scheduler.extensions import db
from scheduler.sites.models import Site

user_sites = sa.Table(
    "user_sites",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the session's user id: changing it (password change, disabling) ends every
    # session of the user at once.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default="")

    sites: Mapped[list[Site]] = relationship(secondary=user_sites, order_by=Site.id)

    # Flask-Login protocol
    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return f"{self.id}:{self.session_nonce}"

    @property
    def site_ids(self):
        return {s.id for s in self.sites}

    @property
    def acting_site_ids(self):
        """The site ids this user acts on; None means every site (admins)."""
        return None if self.role == "admin" else self.site_ids


class ApiToken(db.Model):
    """A bearer token, stored only as its SHA-256; shown once when created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """Who did what, when, to which appointment: every staff action and every staff view of
    personal data. Written in the same transaction as the action."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Kept as text too, so the entry survives the user.
    user_email: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="SET NULL"), index=True
    )
    appointment_code: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")

    user: Mapped[User | None] = relationship()
    site: Mapped[Site | None] = relationship()


QUEUE_LINES = ("recording", "pickup")
TICKET_STATUSES = ("waiting", "called", "done", "skipped")
_called = sa.text("status = 'called'")


class QueueCounter(db.Model):
    """The last number given on a site's line on a local day: one INSERT ... ON CONFLICT
    DO UPDATE ... RETURNING takes the next one, so parallel desks never share a number."""

    __tablename__ = "queue_counters"
    __table_args__ = (
        sa.CheckConstraint("last_number > 0", name="last_number"),
        sa.CheckConstraint(one_of("line", QUEUE_LINES), name="line"),
    )

    site_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    served_on: Mapped[date] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    last_number: Mapped[int]


class QueueTicket(db.Model):
    """A number in a site's waiting room on a day: the recording line (check-ins and
    walk-ins) or the pickup desk. UNIQUE per site, day, line and number; a station calls
    at most one ticket at a time (partial UNIQUE)."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "served_on", "line", "number"),
        sa.UniqueConstraint("appointment_id", "line"),
        sa.CheckConstraint(one_of("line", QUEUE_LINES), name="line"),
        sa.CheckConstraint(one_of("status", TICKET_STATUSES), name="status"),
        sa.CheckConstraint("number > 0", name="number"),
        sa.CheckConstraint(
            sa.text("status = 'waiting' OR (station IS NOT NULL AND called_at IS NOT NULL)"),
            name="called",
        ),
        sa.Index(
            "uq_queue_tickets_station_called",
            "site_id",
            "served_on",
            "line",
            "station",
            unique=True,
            # Two calls of one station at once: the second is refused.
            info={
                "refusal": functools.partial(
                    InvalidState, _l("Meja ini baru saja memanggil nomor lain; muat ulang halaman.")
                )
            },
            sqlite_where=_called,
            postgresql_where=_called,
        ),
        sa.Index("ix_queue_tickets_waiting", "site_id", "served_on", "line", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    served_on: Mapped[date]
    line: Mapped[str] = mapped_column(sa.String(10))
    number: Mapped[int]
    priority: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="waiting")
    station: Mapped[int | None]
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="SET NULL")
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    site: Mapped[Site] = relationship()

    @property
    def label(self):
        """What the screen shows: A-007 on the recording line, B-007 at the pickup desk."""
        return f"{'A' if self.line == 'recording' else 'B'}-{self.number:03d}"


# The people a page view showed: one audit entry per page view, and one pair of ids per
# person on it, written in one INSERT. A resident's access answer (my-data) lists the
# entries that name their booking.
audit_entry_appointments = sa.Table(
    "audit_entry_appointments",
    db.metadata,
    sa.Column(
        "audit_entry_id",
        sa.ForeignKey("audit_entries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "appointment_id",
        sa.ForeignKey("appointments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
