"""The export for SIAK: the residents recorded on a day, for reconciliation with the
central population register.

It is the one file the service hands out with the full NIK, because SIAK matches on
it: only admins may take it, each download is written to the audit log (who, which
day, how many rows) in the same transaction, the answer is never cached, and every
cell goes through scheduler.csv_export (a name is never a formula). Nothing else
about the resident leaves: no phone number, no email.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from scheduler import nik as niks
from scheduler.appointments.models import Appointment
from scheduler.csv_export import write_csv
from scheduler.db import transactional
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.sites import services as sites
from scheduler.staff.services import audit

SIAK_ROLES = ("admin",)
HOW = {"walk_in": _l("tanpa janji"), "roster": _l("jemput bola")}


def parse_day(text):
    """The day asked for ('YYYY-MM-DD', default today); ValidationError on `date` for a
    bad or future day."""
    today = sites.local_today()
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(fields={"date": _l("Tanggal harus berformat YYYY-MM-DD.")}) from None
    if day > today or day.year < 2000:
        raise ValidationError(fields={"date": _l("Tanggal tidak boleh di masa depan.")})
    return day


def _recorded_on(day):
    tz = sites.zone(current_app.config["REGENCY_TIMEZONE"])
    lo = datetime.combine(day, time.min, tzinfo=tz)
    hi = lo + timedelta(days=1)
    query = (
        sa.select(Appointment)
        .options(joinedload(Appointment.site), joinedload(Appointment.slot))
        .where(Appointment.recorded_at >= lo, Appointment.recorded_at < hi)
        .order_by(Appointment.recorded_at, Appointment.id)
    )
    return db.session.scalars(query).all(), tz


def count_recorded(day):
    """How many residents were recorded on `day` (for the page, without their data)."""
    rows, _tz = _recorded_on(day)
    return len(rows)


def _how(appointment):
    if appointment.slot.session_kind == "outreach":
        return str(_l("jemput bola"))
    return str(HOW.get(appointment.channel, _l("dengan janji")))


HEAD = (
    _l("NIK"),
    _l("Nama"),
    _l("Tanggal lahir"),
    _l("Jenis kelamin"),
    _l("Waktu rekam"),
    _l("Lokasi rekam"),
    _l("Kode wilayah lokasi"),
    _l("Cara"),
    _l("Kode janji"),
    _l("IKD diaktifkan saat rekam"),
)


@transactional
def export_recorded(actor, day):
    """(filename, CSV text) of the residents recorded on `day`, with their full NIK;
    audited. Raises Forbidden (not an admin) through the caller's role check."""
    rows, tz = _recorded_on(day)
    lines = [[str(h) for h in HEAD]]
    for a in rows:
        lines.append(
            [
                niks.decrypt_nik(a.nik_encrypted) if a.nik_encrypted else "",
                a.name,
                a.birth_date.isoformat(),
                "P" if a.female else "L",
                a.recorded_at.astimezone(tz).isoformat(timespec="minutes"),
                a.site.name,
                a.site.kecamatan_code,
                _how(a),
                a.code,
                str(_l("ya")) if a.ikd_activated_at else str(_l("tidak")),
            ]
        )
    audit(
        actor, "siak_export", detail=f"{day.isoformat()}: {len(rows)}", shown=[a.id for a in rows]
    )
    return f"siak-perekaman-{day.isoformat()}.csv", write_csv(lines)
