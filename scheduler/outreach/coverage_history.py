"""Coverage that updates itself: the service's own recordings on top of the imported
figures, and the month-by-month history.

Where a recording counts (the resident's NIK only names the kecamatan of first
registration, never the desa):
- recorded on outreach at a school or a village hall: the site's desa (the team went to
  that desa for its residents);
- otherwise, a NIK first registered in this regency: its kecamatan as a whole;
- otherwise (a resident who moved here keeps the NIK of elsewhere): the kecamatan of the
  site where they recorded, as a whole (people record near home).

A figure imported or typed for a desa is its count at the end of its date; the
recordings of later days add to it. Recordings placed only at kecamatan level add to
the kecamatan from the day after its latest desa figure. A count never passes the WKTP
it is counted against (residents recording at 16 are not yet in the WKTP).
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from scheduler import nik as niks
from scheduler import regions
from scheduler.extensions import db
from scheduler.outreach.models import CoverageBaseline, CoverageTally
from scheduler.sites import services as sites

OUTREACH_KINDS = ("school", "village_hall")


def _regency_digits():
    return "".join(ch for ch in str(current_app.config["REGENCY_CODE"]) if ch.isdigit())


def area_of(site, nik_encrypted):
    """(kecamatan code, desa or '') where a recording at `site` counts (module docstring)."""
    if site.kind in OUTREACH_KINDS and site.kecamatan_code and site.desa:
        return site.kecamatan_code, site.desa
    digits = niks.region_digits(nik_encrypted)
    if digits and digits[:4] == _regency_digits():
        code = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}"
        if regions.current().find_kecamatan(code) is not None:
            return code, ""
    return site.kecamatan_code or "", ""


def count_recording(appointment, change=1):
    """Add one recording to its area's tally for the local day of the recording, or take
    one away (`change` -1) when the centre rejected it (in the caller's transaction;
    registered with appointments, so every way of recording counts)."""
    kec_code, desa = area_of(appointment.site, appointment.nik_encrypted)
    day = sites.to_local(appointment.site, appointment.recorded_at).date()
    table = CoverageTally.__table__
    if change < 0:
        _uncount(table, day, kec_code, desa)
        return
    insert = (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert
    statement = insert(table).values(
        recorded_on=day, kecamatan_code=kec_code, desa=desa, recorded=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["recorded_on", "kecamatan_code", "desa"],
        set_={"recorded": table.c.recorded + 1},
    )
    db.session.execute(statement)


def _uncount(table, day, kec_code, desa):
    key = (table.c.recorded_on == day, table.c.kecamatan_code == kec_code, table.c.desa == desa)
    lowered = db.session.execute(
        sa.update(table).where(*key, table.c.recorded > 1).values(recorded=table.c.recorded - 1)
    ).rowcount
    if not lowered:  # the day's only recording there: the row goes (the CHECK says > 0)
        db.session.execute(sa.delete(table).where(*key, table.c.recorded == 1))


# ------------------------------------------------------------------------ live figures


@dataclass
class Area:
    """A desa's or a kecamatan's figure on a day: the baseline plus recordings since."""

    kecamatan_code: str
    kecamatan: str
    desa: str
    wktp: int
    recorded: int
    added: int = 0
    counted_on: date | None = None
    desa_rows: list = field(default_factory=list)

    @property
    def name(self):
        return self.desa or self.kecamatan

    @property
    def not_recorded(self):
        return self.wktp - self.recorded

    @property
    def coverage(self):
        return 100.0 * self.recorded / self.wktp if self.wktp else 100.0


class _Tallies:
    """Recordings per area as running sums by day, to count any span in two look-ups."""

    def __init__(self, rows):
        days, sums = defaultdict(list), defaultdict(list)
        for kec, desa, day, n in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
            key = (kec, desa)
            days[key].append(day)
            sums[key].append((sums[key][-1] if sums[key] else 0) + n)
        self.days, self.sums = days, sums

    def between(self, key, after, until):
        """Recordings of `key` on days after `after` (None: from the start) up to `until`."""
        days, sums = self.days.get(key), self.sums.get(key)
        if not days:
            return 0
        hi = bisect_right(days, until)
        lo = bisect_right(days, after) if after else 0
        return (sums[hi - 1] if hi else 0) - (sums[lo - 1] if lo else 0) if hi > lo else 0

    def areas(self):
        return self.days.keys()


def _load(since=None):
    baselines = db.session.execute(
        sa.select(
            CoverageBaseline.kecamatan_code,
            CoverageBaseline.desa,
            CoverageBaseline.counted_on,
            CoverageBaseline.wktp,
            CoverageBaseline.recorded,
        ).order_by(CoverageBaseline.counted_on, CoverageBaseline.id)
    ).all()
    query = sa.select(
        CoverageTally.kecamatan_code,
        CoverageTally.desa,
        CoverageTally.recorded_on,
        CoverageTally.recorded,
    )
    if since is not None:
        query = query.where(CoverageTally.recorded_on > since)
    return baselines, _Tallies(db.session.execute(query).all())


def _figures_at(end, baselines, tallies):
    """{kecamatan code: Area} as of the end of `end`, each with its desa in desa_rows."""
    names = {k.code: k.name for k in regions.current().kecamatan}
    latest = {}
    for kec, desa, counted_on, wktp, recorded in baselines:
        if counted_on <= end:
            latest[(kec, desa)] = (counted_on, wktp, recorded)
    out = {}
    for (kec, desa), (counted_on, wktp, recorded) in sorted(latest.items()):
        added = tallies.between((kec, desa), counted_on, end)
        row = Area(kec, names.get(kec, kec), desa, wktp, min(wktp, recorded + added), added)
        row.counted_on = counted_on
        area = out.setdefault(kec, Area(kec, names.get(kec, kec), "", 0, 0))
        area.desa_rows.append(row)
        area.wktp += row.wktp
        area.recorded += row.recorded
        area.added += added
        area.counted_on = max(area.counted_on or counted_on, counted_on)
    for kec, desa in tallies.areas():
        area = out.get(kec)
        if area is None or (desa and (kec, desa) in latest):
            continue
        # Placed at kecamatan level (or in a desa without a figure): from the day after
        # the kecamatan's latest figure.
        extra = tallies.between((kec, desa), area.counted_on, end)
        area.added += extra
        area.recorded = min(area.wktp, area.recorded + extra)
    return out


def target():
    return Decimal(current_app.config["OUTREACH_COVERAGE_TARGET"])


def kecamatan_figures(on=None):
    """[Area] per kecamatan with figures, as of the end of `on` (default today), by name."""
    on = on or sites.local_today()
    baselines, tallies = _load()
    return sorted(_figures_at(on, baselines, tallies).values(), key=lambda a: a.kecamatan)


def desa_figures(on=None):
    """[Area] per desa with a figure, as of the end of `on` (default today)."""
    return [row for area in kecamatan_figures(on) for row in area.desa_rows]


@dataclass
class MonthPoint:
    month: date  # the first of the month
    on: date  # the day the figure is taken (the month's last day, or today)
    wktp: int
    recorded: int
    added: int

    @property
    def coverage(self):
        if not self.wktp:
            return Decimal("0")
        return (Decimal(self.recorded) * 100 / Decimal(self.wktp)).quantize(Decimal("0.01"))


def monthly_history(months=12, kecamatan_code=None):
    """The regency's (or one kecamatan's) coverage at the end of each of the last `months`
    months, this month up to today; months before the first figure are left out."""
    today = sites.local_today()
    this_month = today.replace(day=1)
    baselines, tallies = _load()
    points = []
    for back in range(months - 1, -1, -1):
        first = this_month - relativedelta(months=back)
        end = min(today, first + relativedelta(months=1) - timedelta(days=1))
        areas = _figures_at(end, baselines, tallies)
        if kecamatan_code is not None:
            areas = {k: a for k, a in areas.items() if k == kecamatan_code}
        wktp = sum(a.wktp for a in areas.values())
        if not wktp:
            continue
        recorded = sum(a.recorded for a in areas.values())
        points.append(MonthPoint(first, end, wktp, recorded, sum(a.added for a in areas.values())))
    return points


def recordings_between(start, end):
    """Recordings the service made from `start` to `end` (local days, inclusive)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(CoverageTally.recorded), 0)).where(
                CoverageTally.recorded_on.between(start, end)
            )
        )
    )
