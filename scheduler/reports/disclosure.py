"""What the office may publish: no figure small enough to point at a person.

A count of people from 1 to 4 is never published, nor is anything it could be worked
out from. Zero is published: it names no one.

For coverage per kecamatan the published figures are WKTP, recorded, not yet recorded
and the percentage. A kecamatan with a small count has its recorded, not-recorded and
percentage withheld (primary suppression). Because the regency's total is published,
one withheld kecamatan could be worked out by subtraction; so more kecamatan are
withheld, those with the fewest residents not recorded first, until at least two are
withheld and what they hold together is no small number either (complementary
suppression). A kecamatan withheld for a small not-recorded count still shows the lower
bound its WKTP alone gives ("at least 99.9 %"), which says no more than "fewer than 5".
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

THRESHOLD = 5
CENT = Decimal("0.01")


def is_small(n):
    """A count of people too small to publish (1 to 4)."""
    return n is not None and 0 < n < THRESHOLD


def count(n):
    """`n` as published: None when small."""
    return None if is_small(n) else n


def percent(part, whole, rounding=None):
    """part / whole in percent, to two decimals (None when whole is 0)."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return value.quantize(CENT, rounding=rounding) if rounding else value.quantize(CENT)


@dataclass
class Cell:
    """One area's coverage as published: None where withheld."""

    key: str
    name: str
    wktp: int | None
    recorded: int | None
    not_recorded: int | None
    coverage: Decimal | None
    coverage_min: Decimal | None = None  # a bound, when the exact figure is withheld
    coverage_max: Decimal | None = None
    suppressed: bool = False
    small: str | None = None  # which count is under the threshold (primary suppression)


def _primary(wktp, recorded):
    return is_small(wktp) or is_small(recorded) or is_small(wktp - recorded)


def _small_field(wktp, recorded):
    if is_small(wktp):
        return "wktp"
    return "not_recorded" if is_small(wktp - recorded) else "recorded"


def _complement(areas, hidden):
    """Withhold more areas until the withheld ones cannot be worked out from the total."""
    rest = sorted((a for a in areas if a[0] not in hidden), key=lambda a: (a[2] - a[3], a[3], a[0]))

    def exposed():
        recorded = sum(a[3] for a in areas if a[0] in hidden)
        missing = sum(a[2] - a[3] for a in areas if a[0] in hidden)
        return len(hidden) < 2 or is_small(recorded) or is_small(missing)

    while rest and exposed():
        hidden.add(rest.pop(0)[0])
    return hidden


def coverage_cells(areas):
    """[Cell] for [(key, name, wktp, recorded)], in the same order (module docstring)."""
    primary = {a[0] for a in areas if _primary(a[2], a[3])}
    hidden = _complement(areas, set(primary)) if primary else set()
    hide_wktp = any(is_small(a[2]) for a in areas if a[0] in hidden)
    cells = []
    for key, name, wktp, recorded in areas:
        if key not in hidden:
            cells.append(Cell(key, name, wktp, recorded, wktp - recorded, percent(recorded, wktp)))
            continue
        cell = Cell(key, name, None if hide_wktp else wktp, None, None, None, suppressed=True)
        if key in primary:
            cell.small = _small_field(wktp, recorded)
        if key in primary and not is_small(wktp) and not hide_wktp:
            if is_small(wktp - recorded):
                cell.coverage_min = percent(wktp - THRESHOLD + 1, wktp, ROUND_FLOOR)
                cell.coverage_max = percent(wktp - 1, wktp, ROUND_CEILING)
            elif is_small(recorded):
                cell.coverage_min = percent(1, wktp, ROUND_FLOOR)
                cell.coverage_max = percent(THRESHOLD - 1, wktp, ROUND_CEILING)
        cells.append(cell)
    return cells


def total_cell(key, name, wktp, recorded):
    """The regency's own figure: withheld only when it is itself small."""
    if _primary(wktp, recorded):
        cell = Cell(key, name, count(wktp), None, None, None, suppressed=True)
        cell.small = _small_field(wktp, recorded)
        return cell
    return Cell(key, name, wktp, recorded, wktp - recorded, percent(recorded, wktp))
