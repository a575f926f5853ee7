"""Recording coverage per desa and school: where outreach should go next.

Figures come from the civil registry's own counts (an admin uploads a CSV or types
them): residents obliged to hold a KTP-el (WKTP) and how many of them recorded, as of a
date. They are the baseline: every recording the service makes afterwards adds to it
(coverage_history.py), and every desa figure is kept with its date for the trend.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from scheduler import clock
from scheduler.db import transactional
from scheduler.errors import ValidationError
from scheduler.extensions import db
from scheduler.outreach import coverage_history, services
from scheduler.outreach.models import CoverageBaseline, CoverageFigure, OutreachRequest
from scheduler.sites import services as sites

MAX_COUNT = 10_000_000


@dataclass
class Totals:
    wktp: int
    recorded: int
    target: Decimal

    @property
    def not_recorded(self):
        return self.wktp - self.recorded

    @property
    def coverage(self):
        if not self.wktp:
            return Decimal("0")
        return (Decimal(self.recorded) * 100 / Decimal(self.wktp)).quantize(Decimal("0.01"))

    @property
    def meets_target(self):
        return self.wktp > 0 and self.coverage >= self.target

    @property
    def short_of_target(self):
        """Residents still to record for the regency to reach the national target."""
        needed = -(-(self.target * self.wktp) // 100)  # ceiling
        return max(0, int(needed) - self.recorded)


def _check_counts(wktp, recorded, prefix=""):
    if not 0 <= wktp <= MAX_COUNT:
        raise ValidationError(fields={prefix + "wktp": _l("Angka di luar batas yang diizinkan.")})
    if not 0 <= recorded <= wktp:
        raise ValidationError(
            fields={prefix + "recorded": _l("Jumlah terekam harus antara 0 dan jumlah WKTP.")}
        )


def _counted_on(value):
    """The figures' date: today by default, never in the future."""
    today = sites.local_today()
    if value is None:
        return today
    if value > today:
        raise ValidationError(fields={"counted_on": _l("Tanggal angka tidak boleh di masa depan.")})
    return value


def _parse_date(text):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValidationError(
            fields={"counted_on": _l("Tanggal tidak sah; gunakan YYYY-MM-DD.")}
        ) from None


def _remember(kec_code, desa_name, wktp, recorded, counted_on):
    """Keep a desa figure in the history (one per desa and day: the last given wins)."""
    row = db.session.scalar(
        sa.select(CoverageBaseline).where(
            CoverageBaseline.kecamatan_code == kec_code,
            CoverageBaseline.desa == desa_name,
            CoverageBaseline.counted_on == counted_on,
        )
    )
    if row is None:
        row = CoverageBaseline(kecamatan_code=kec_code, desa=desa_name, counted_on=counted_on)
        db.session.add(row)
    row.wktp, row.recorded, row.created_at = wktp, recorded, clock.now()


def _upsert(kecamatan, desa, school, wktp, recorded, counted_on):
    kec_name, kec_code, desa_name = services.resolve_area(kecamatan, desa)
    school = " ".join((school or "").split())
    kind = "school" if school else "desa"
    name = school or desa_name
    row = db.session.scalar(
        sa.select(CoverageFigure).where(
            CoverageFigure.area_kind == kind,
            CoverageFigure.kecamatan_code == kec_code,
            CoverageFigure.desa == desa_name,
            sa.func.lower(CoverageFigure.name) == name.lower(),
        )
    )
    if kind == "desa":
        _remember(kec_code, desa_name, wktp, recorded, counted_on)
    if row is None:
        row = CoverageFigure(
            area_kind=kind, kecamatan_code=kec_code, desa=desa_name, name=name[:100]
        )
        db.session.add(row)
    elif row.counted_on > counted_on:
        return row  # an older figure joins the history; the current one stays
    row.kecamatan, row.wktp, row.recorded = kec_name, wktp, recorded
    row.counted_on, row.updated_at = counted_on, clock.now()
    return row


@transactional
def save_figure(kecamatan, desa, wktp, recorded, school="", counted_on=None):
    """Set the counts of one desa (or of a school in it) as of a date (default today).
    Raises ValidationError."""
    _check_counts(wktp, recorded)
    row = _upsert(kecamatan, desa, school, wktp, recorded, _counted_on(counted_on))
    db.session.flush()
    return row


@transactional
def import_figures(data):
    """Load a CSV `kecamatan,desa,wktp,recorded[,school][,date]` (comma or semicolon;
    `date` YYYY-MM-DD, the day the figures describe, default today); every row or none.
    Returns the number of rows. Raises ValidationError naming the line."""
    try:
        text = data.decode("utf-8-sig")
    except (UnicodeDecodeError, AttributeError):
        raise ValidationError(fields={"file": _l("Berkas CSV harus berkodekan UTF-8.")}) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    needed = ("kecamatan", "desa", "wktp", "recorded")
    if any(c not in header for c in needed):
        raise ValidationError(
            fields={"file": _l("Baris judul harus berisi kolom kecamatan, desa, wktp, recorded.")}
        )
    count = 0
    for number, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        cells = dict(zip(header, (c.strip() for c in raw), strict=False))
        try:
            wktp = int(cells.get("wktp", "").replace(".", "").replace(",", ""))
            recorded = int(cells.get("recorded", "").replace(".", "").replace(",", ""))
            _check_counts(wktp, recorded)
            counted_on = _counted_on(_parse_date(cells.get("date") or cells.get("tanggal")))
            _upsert(
                cells.get("kecamatan"),
                cells.get("desa"),
                cells.get("school"),
                wktp,
                recorded,
                counted_on,
            )
        except (ValueError, ValidationError) as exc:
            detail = "; ".join(str(v) for v in getattr(exc, "fields", {}).values())
            raise ValidationError(
                fields={
                    "file": _l(
                        "Baris %(n)s: %(detail)s",
                        n=number,
                        detail=detail or _l("angka tidak sah."),
                    )
                }
            ) from None
        count += 1
    db.session.flush()
    return count


def totals(on=None):
    """The regency's figure as of the end of `on` (default today): the sum over its desa
    and the service's own recordings since, against the national target."""
    areas = coverage_history.kecamatan_figures(on)
    return Totals(
        sum(a.wktp for a in areas),
        sum(a.recorded for a in areas),
        Decimal(current_app.config["OUTREACH_COVERAGE_TARGET"]),
    )


def ranking(kind="desa", limit=None):
    """Figures of one kind (desa with the service's recordings added), most residents not
    yet recorded first."""
    if kind == "desa":
        rows = sorted(
            coverage_history.desa_figures(),
            key=lambda f: (-f.not_recorded, f.coverage, f.name),
        )
        return rows[:limit] if limit else rows
    query = sa.select(CoverageFigure).where(CoverageFigure.area_kind == kind)
    query = query.order_by(
        (CoverageFigure.wktp - CoverageFigure.recorded).desc(),
        CoverageFigure.recorded * 1.0 / sa.func.nullif(CoverageFigure.wktp, 0),
        CoverageFigure.name,
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def sessions_by_desa():
    """{(kecamatan code, desa): approved or done sessions}: where outreach already went."""
    rows = db.session.execute(
        sa.select(OutreachRequest.kecamatan_code, OutreachRequest.desa, sa.func.count())
        .where(OutreachRequest.status.in_(("approved", "done")))
        .group_by(OutreachRequest.kecamatan_code, OutreachRequest.desa)
    ).all()
    return {(code, desa): n for code, desa, n in rows}


def bar_chart(figures, width=640, bar=18, gap=6, label_width=200):
    """A horizontal bar chart of residents not yet recorded, for inline SVG (no JS)."""
    peak = max((f.not_recorded for f in figures), default=0) or 1
    plot = width - label_width - 60
    bars = []
    for i, f in enumerate(figures):
        y = i * (bar + gap)
        bars.append(
            {
                "y": y,
                "text_y": y + bar * 0.72,
                "width": max(1, round(plot * f.not_recorded / peak)),
                "label": f.name if len(f.name) <= 28 else f.name[:27] + "…",
                "value": f.not_recorded,
            }
        )
    return {
        "width": width,
        "height": max(bar, len(figures) * (bar + gap)),
        "bar": bar,
        "label_width": label_width,
        "bars": bars,
    }
