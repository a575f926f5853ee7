"""Users of the office (admin, staff, coordinator) and their API tokens."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.db import UTCDateTime
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
    __table_args__ = (
        sa.CheckConstraint(sa.text("role IN ('admin','staff','coordinator')"), name="role"),
    )

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
