"""The stock chart as inline SVG, drawn on the server: no JavaScript, a few kilobytes."""

from flask_babel import gettext as _
from markupsafe import escape

from scheduler import l10n

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 680, 240, 48, 12, 16, 34


def stock_chart(o):
    """Stock by day: the last weeks (solid), the plan ahead (dashed: deliveries in,
    scheduled prints out), announced deliveries (triangles), today, and the day free
    stock runs out at the recent usage (red line)."""
    points = list(o["history"]) + list(o["ahead"][1:])
    if not points:
        return ""
    first, last = points[0][0], points[-1][0]
    span = max(1, (last - first).days)
    top = max([1] + [v for _, v in points] + [q for _, q in o["arrivals"]])
    top = _nice(top)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def x(day):
        return round(PAD_L + plot_w * (day - first).days / span, 1)

    def y(value):
        return round(PAD_T + plot_h * (1 - max(0, value) / top), 1)

    def line(series):
        return " ".join(f"{x(d)},{y(v)}" for d, v in series)

    title = escape(_("Stok blangko per hari"))
    today_label = escape(_("hari ini"))
    runs_out_label = escape(_("stok bebas habis"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" class="chart"><title>{title}</title>',
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d5dbe1"/>',
    ]
    for i in range(5):
        value = top * i / 4
        parts.append(
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(value)}" y2="{y(value)}" stroke="#eef1f4"/>'
            f'<text x="{PAD_L - 6}" y="{y(value) + 4}" text-anchor="end" font-size="11" fill="#56606b">{l10n.number(int(value))}</text>'
        )
    today = o["today"]
    parts.append(
        f'<line x1="{x(today)}" x2="{x(today)}" y1="{PAD_T}" y2="{HEIGHT - PAD_B}" stroke="#56606b" stroke-dasharray="2 3"/>'
        f'<text x="{x(today)}" y="{HEIGHT - PAD_B + 14}" text-anchor="middle" font-size="11" fill="#1b1f24">{today_label}</text>'
    )
    parts.append(
        f'<text x="{PAD_L}" y="{HEIGHT - 6}" font-size="11" fill="#56606b">{escape(l10n.short_day(first))}</text>'
        f'<text x="{WIDTH - PAD_R}" y="{HEIGHT - 6}" text-anchor="end" font-size="11" fill="#56606b">{escape(l10n.short_day(last))}</text>'
    )
    parts.append(
        f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" points="{line(o["history"])}"/>'
    )
    parts.append(
        f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" stroke-dasharray="6 4" points="{line(o["ahead"])}"/>'
    )
    for day, quantity in o["arrivals"]:
        if first <= day <= last:
            cx, cy = x(day), y(0)
            label = escape(_("Kiriman %(n)s blangko", n=l10n.number(quantity)))
            parts.append(
                f'<path d="M{cx - 5},{cy} L{cx + 5},{cy} L{cx},{cy - 9} Z" fill="#146c2e">'
                f"<title>{label} {escape(l10n.short_day(day))}</title></path>"
            )
    runs_out = o.get("runs_out_on")
    if runs_out and first <= runs_out <= last:
        parts.append(
            f'<line x1="{x(runs_out)}" x2="{x(runs_out)}" y1="{PAD_T}" y2="{HEIGHT - PAD_B}" stroke="#b3261e" stroke-width="2"/>'
            f'<text x="{x(runs_out) + 4}" y="{PAD_T + 12}" font-size="11" fill="#b3261e">{runs_out_label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _nice(value):
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 4:
            return step * 4
    return value
