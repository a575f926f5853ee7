"""The public dashboard's chart as inline SVG, drawn on the server: no JavaScript, no
other host, a few kilobytes on a phone."""

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import escape

WIDTH, PAD_T, BAR, GAP, LABEL_W, RIGHT_W = 360, 10, 18, 8, 104, 74


def _pct(value):
    return format_decimal(Decimal(str(value)).quantize(Decimal("0.01")), format="#,##0.00")


def _bottom(rows, target):
    values = [float(target)] + [
        r["coverage"] if r["coverage"] is not None else r["coverage_min"]
        for r in rows
        if r["coverage"] is not None or r["coverage_min"] is not None
    ]
    return max(0, int(min(values)) - 1)


def _bar(row, top_y, x, label_w):
    """One kecamatan: a bar to its coverage, or to the lower bound of a withheld figure
    (hatched, "≥"), or no bar with "withheld"."""
    name = row["name"] if len(row["name"]) <= 14 else row["name"][:13] + "…"
    text_y = top_y + BAR * 0.72
    parts = [
        f'<text x="{label_w - 6}" y="{text_y}" text-anchor="end" font-size="12" '
        f'fill="#1b1f24">{escape(name)}</text>'
    ]
    if row["coverage"] is not None:
        colour = "#146c2e" if row["meets_target"] else "#0b5cad"
        end, label, extra = x(row["coverage"]), f"{_pct(row['coverage'])} %", ""
    elif row["coverage_min"] is not None:
        colour, end = "#8fb3d9", x(row["coverage_min"])
        label, extra = (
            f"≥ {_pct(row['coverage_min'])} %",
            ' stroke="#0b5cad" stroke-dasharray="3 2"',
        )
    else:
        label = escape(_("disembunyikan"))
        return "".join(parts) + (
            f'<text x="{label_w + 4}" y="{text_y}" font-size="11" fill="#56606b">{label}</text>'
        )
    parts.append(
        f'<rect x="{label_w}" y="{top_y}" width="{max(1, round(end - label_w, 1))}" '
        f'height="{BAR}" fill="{colour}"{extra}/>'
        f'<text x="{end + 4}" y="{text_y}" font-size="11" fill="#1b1f24">{label}</text>'
    )
    return "".join(parts)


def kecamatan_chart(rows, target):
    """Coverage per kecamatan (the dashboard's published rows) as horizontal bars, the
    national target as a red dashed line; sized for a phone, scaling up on a desk."""
    if not rows:
        return ""
    bottom = _bottom(rows, target)
    plot_w = WIDTH - LABEL_W - RIGHT_W
    height = PAD_T + len(rows) * (BAR + GAP) + 22

    def x(value):
        return round(LABEL_W + plot_w * (float(value) - bottom) / (100 - bottom), 1)

    title = escape(_("Cakupan perekaman per kecamatan"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{title}" class="chart"><title>{title}</title>'
    ]
    for i, row in enumerate(rows):
        parts.append(_bar(row, PAD_T + i * (BAR + GAP), x, LABEL_W))
    bottom_y = PAD_T + len(rows) * (BAR + GAP)
    target_label = escape(_("target %(t)s %%", t=_pct(target)))
    parts.append(
        f'<line x1="{x(target)}" x2="{x(target)}" y1="{PAD_T - 6}" y2="{bottom_y}" '
        'stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{x(target)}" y="{bottom_y + 14}" text-anchor="middle" font-size="11" '
        f'fill="#b3261e">{target_label}</text>'
        f'<text x="{LABEL_W}" y="{bottom_y + 14}" font-size="11" fill="#56606b">'
        f"{_pct(bottom)} %</text></svg>"
    )
    return "".join(parts)
