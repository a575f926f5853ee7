"""Coverage charts as inline SVG, drawn on the server: no JavaScript, a few kilobytes."""

from decimal import Decimal

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import escape

from scheduler import l10n

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 680, 240, 52, 16, 16, 34


def _pct(value):
    return format_decimal(Decimal(value).quantize(Decimal("0.01")), format="#,##0.00")


def _floor(values, target):
    """The bottom of the percent axis: a little under the lowest value, a whole number."""
    low = min([float(target)] + [float(v) for v in values])
    return max(0, int(low) - 1)


def trend_chart(points, target):
    """Coverage at the end of each month (a line with its values), the national target
    (dashed): MonthPoint objects from coverage_history.monthly_history."""
    if not points:
        return ""
    bottom, top = _floor([p.coverage for p in points], target), 100
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    step = plot_w / max(1, len(points) - 1)

    def x(i):
        return round(PAD_L + (step * i if len(points) > 1 else plot_w / 2), 1)

    def y(value):
        return round(PAD_T + plot_h * (1 - (float(value) - bottom) / (top - bottom)), 1)

    title = escape(_("Cakupan perekaman per bulan"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" class="chart"><title>{title}</title>',
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d5dbe1"/>',
    ]
    for i in range(5):
        value = bottom + (top - bottom) * i / 4
        parts.append(
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(value)}" y2="{y(value)}" stroke="#eef1f4"/>'
            f'<text x="{PAD_L - 6}" y="{y(value) + 4}" text-anchor="end" font-size="11" fill="#56606b">{_pct(value)}</text>'
        )
    target_label = escape(_("target nasional %(t)s", t=l10n.percent(target)))
    parts.append(
        f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(target)}" y2="{y(target)}" stroke="#b3261e" stroke-dasharray="6 4"/>'
        f'<text x="{WIDTH - PAD_R - 4}" y="{y(target) - 4}" text-anchor="end" font-size="11" fill="#b3261e">{target_label}</text>'
    )
    line = " ".join(f"{x(i)},{y(p.coverage)}" for i, p in enumerate(points))
    parts.append(f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" points="{line}"/>')
    for i, p in enumerate(points):
        label = escape(format_date(p.month, "MMM yy"))
        parts.append(
            f'<circle cx="{x(i)}" cy="{y(p.coverage)}" r="3.5" fill="#0b5cad">'
            f"<title>{label}: {l10n.percent(p.coverage)}</title></circle>"
            f'<text x="{x(i)}" y="{HEIGHT - PAD_B + 14}" text-anchor="middle" font-size="11" fill="#1b1f24">{label}</text>'
        )
        if len(points) <= 12:
            parts.append(
                f'<text x="{x(i)}" y="{y(p.coverage) - 7}" text-anchor="middle" font-size="10" fill="#0b5cad">{_pct(p.coverage)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def kecamatan_chart(areas, target, bar=18, gap=6, label_w=130):
    """Coverage per kecamatan as horizontal bars, the national target as a red line."""
    if not areas:
        return ""
    bottom = _floor([a.coverage for a in areas], target)
    height = PAD_T + len(areas) * (bar + gap) + 20
    plot_w = WIDTH - label_w - 70

    def x(value):
        return round(label_w + plot_w * (float(value) - bottom) / (100 - bottom), 1)

    title = escape(_("Cakupan perekaman per kecamatan"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{title}" class="chart"><title>{title}</title>'
    ]
    for i, a in enumerate(areas):
        top_y = PAD_T + i * (bar + gap)
        ok = Decimal(str(a.coverage)) >= Decimal(target)
        colour = "#146c2e" if ok else "#0b5cad"
        name = escape(a.kecamatan if len(a.kecamatan) <= 18 else a.kecamatan[:17] + "…")
        parts.append(
            f'<text x="{label_w - 6}" y="{top_y + bar * 0.72}" text-anchor="end" font-size="12" fill="#1b1f24">{name}</text>'
            f'<rect x="{label_w}" y="{top_y}" width="{max(1, x(a.coverage) - label_w)}" height="{bar}" fill="{colour}"/>'
            f'<text x="{x(a.coverage) + 4}" y="{top_y + bar * 0.72}" font-size="12" fill="#1b1f24">{l10n.percent(a.coverage)}</text>'
        )
    bottom_y = PAD_T + len(areas) * (bar + gap)
    target_label = escape(_("target %(t)s", t=l10n.percent(target)))
    parts.append(
        f'<line x1="{x(target)}" x2="{x(target)}" y1="{PAD_T - 6}" y2="{bottom_y}" stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{x(target)}" y="{bottom_y + 14}" text-anchor="middle" font-size="11" fill="#b3261e">{target_label}</text>'
        f'<text x="{label_w}" y="{bottom_y + 14}" font-size="11" fill="#56606b">{l10n.percent(bottom)}</text>'
        "</svg>"
    )
    return "".join(parts)
