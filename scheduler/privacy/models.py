"""A NIK key rotation's committed progress: one row per target keys and table."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.db import UTCDateTime
from scheduler.extensions import db


class NikKeyRotation(db.Model):
    """How far `flask nik rotate-keys` came in one table towards the writing keys named by
    `target` (a fingerprint, never a key): rows up to `last_id` are re-keyed. A run
    stopped halfway starts again after `last_id`."""

    __tablename__ = "nik_key_rotations"
    __table_args__ = (
        sa.UniqueConstraint("target", "table_name"),
        sa.CheckConstraint("rows_done >= 0", name="rows_done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(sa.String(16))
    table_name: Mapped[str] = mapped_column(sa.String(40))
    last_id: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
