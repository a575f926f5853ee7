"""Sites, their weekly hours and exceptions, holidays and slots."""

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.db import UTCDateTime, one_of
from scheduler.errors import SlotFull
from scheduler.extensions import db

SITE_KINDS = ("office", "subdistrict", "school", "village_hall")
SESSION_KINDS = ("regular", "outreach")
# An admin's correction of the holiday calendar, and the kinds of holiday.
HOLIDAY_ACTIONS = ("add", "remove")
HOLIDAY_CATEGORIES = ("public", "cuti_bersama")


class Site(db.Model):
    __tablename__ = "sites"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", SITE_KINDS), name="kind"),
        sa.CheckConstraint("stations >= 0", name="stations"),
        sa.CheckConstraint("slot_minutes > 0", name="slot_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    kecamatan: Mapped[str] = mapped_column(sa.String(60), default="")
    kecamatan_code: Mapped[str] = mapped_column(sa.String(10), default="")
    desa: Mapped[str] = mapped_column(sa.String(60), default="")
    timezone: Mapped[str] = mapped_column(sa.String(40), default="Asia/Jakarta")
    stations: Mapped[int] = mapped_column(default=1)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    closes_on_cuti_bersama: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    hours: Mapped[list["WeeklyHours"]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="WeeklyHours.weekday"
    )


class WeeklyHours(db.Model):
    """Opening hours for one weekday (0 = Monday), with an optional break."""

    __tablename__ = "weekly_hours"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "weekday"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("opens_at < closes_at", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens_at: Mapped[time]
    closes_at: Mapped[time]
    break_starts_at: Mapped[time | None]
    break_ends_at: Mapped[time | None]

    site: Mapped[Site] = relationship(back_populates="hours")


class ScheduleException(db.Model):
    """A date range with other hours (Ramadan) or closed (closure days); site_id None = all."""

    __tablename__ = "schedule_exceptions"
    __table_args__ = (sa.CheckConstraint("starts_on <= ends_on", name="range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    closed: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[time | None]
    closes_at: Mapped[time | None]
    break_starts_at: Mapped[time | None]
    break_ends_at: Mapped[time | None]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")


class HolidayOverride(db.Model):
    """An admin's correction of the `holidays` package: add a day, or remove one."""

    __tablename__ = "holiday_overrides"
    __table_args__ = (
        sa.CheckConstraint(one_of("action", HOLIDAY_ACTIONS), name="action"),
        sa.CheckConstraint(one_of("category", HOLIDAY_CATEGORIES), name="category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[date] = mapped_column(unique=True)
    action: Mapped[str] = mapped_column(sa.String(10))
    category: Mapped[str] = mapped_column(sa.String(20), default="public")
    name: Mapped[str] = mapped_column(sa.String(120), default="")


class Slot(db.Model):
    """A bookable period at a site. booked_count never exceeds capacity (CHECK)."""

    __tablename__ = "slots"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "starts_at", "session_kind"),
        # Broken by a seat taken in one statement when the slot is full, or closed (whose
        # counter that UPDATE sets to -1): the seat's refusal, told apart by the slot.
        sa.CheckConstraint(
            "booked_count >= 0 AND booked_count <= capacity",
            name="capacity",
            info={"refusal": SlotFull},
        ),
        sa.CheckConstraint("starts_at < ends_at", name="order"),
        sa.CheckConstraint(one_of("session_kind", SESSION_KINDS), name="kind"),
        sa.Index("ix_slots_site_starts", "site_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int]
    booked_count: Mapped[int] = mapped_column(default=0)
    session_kind: Mapped[str] = mapped_column(sa.String(10), default="regular")
    # Outreach slots are bookable only through their session unless opened to the public.
    is_public: Mapped[bool] = mapped_column(default=True)
    # Its day closed (a holiday, a closure) after residents booked it: kept for them,
    # listed nowhere and taking no new seat (the seat UPDATEs check it).
    closed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    site: Mapped[Site] = relationship()

    @property
    def available(self):
        return max(0, self.capacity - self.booked_count)
