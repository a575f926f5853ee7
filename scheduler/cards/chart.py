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
    top = _nice(max([1] + [v for _, v in points] + [q for _, q in o["arrivals"]]))
    frame = _Frame(points[0][0], points[-1][0], top)
    parts = [
        _frame_and_title(frame),
        *_value_grid(frame),
        _today_marker(frame, o["today"]),
        _date_labels(frame),
        _stock_lines(frame, o["history"], o["ahead"]),
        *_arrivals(frame, o["arrivals"]),
        _runs_out_marker(frame, o.get("runs_out_on")),
        "</svg>",
    ]
    return "".join(parts)


class _Frame:
    """The plot area: days from `first` to `last` across, stock from 0 to `top` up."""

    def __init__(self, first, last, top):
        self.first, self.last, self.top = first, last, top
        self.span = max(1, (last - first).days)
        self.plot_w, self.plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def x(self, day):
        return round(PAD_L + self.plot_w * (day - self.first).days / self.span, 1)

    def y(self, value):
        return round(PAD_T + self.plot_h * (1 - max(0, value) / self.top), 1)

    def line(self, series):
        return " ".join(f"{self.x(d)},{self.y(v)}" for d, v in series)

    def holds(self, day):
        return self.first <= day <= self.last


def _frame_and_title(f):
    title = escape(_("Stok blangko per hari"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}" class="chart"><title>{title}</title>'
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{f.plot_w}" height="{f.plot_h}" fill="#fff" stroke="#d5dbe1"/>'
    )


def _value_grid(f):
    """Five horizontal lines, 0 to the top, each with its value."""
    for i in range(5):
        value = f.top * i / 4
        yield (
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{f.y(value)}" y2="{f.y(value)}" stroke="#eef1f4"/>'
            f'<text x="{PAD_L - 6}" y="{f.y(value) + 4}" text-anchor="end" font-size="11" fill="#56606b">{l10n.number(int(value))}</text>'
        )


def _today_marker(f, today):
    today_label = escape(_("hari ini"))
    return (
        f'<line x1="{f.x(today)}" x2="{f.x(today)}" y1="{PAD_T}" y2="{HEIGHT - PAD_B}" stroke="#56606b" stroke-dasharray="2 3"/>'
        f'<text x="{f.x(today)}" y="{HEIGHT - PAD_B + 14}" text-anchor="middle" font-size="11" fill="#1b1f24">{today_label}</text>'
    )


def _date_labels(f):
    return (
        f'<text x="{PAD_L}" y="{HEIGHT - 6}" font-size="11" fill="#56606b">{escape(l10n.short_day(f.first))}</text>'
        f'<text x="{WIDTH - PAD_R}" y="{HEIGHT - 6}" text-anchor="end" font-size="11" fill="#56606b">{escape(l10n.short_day(f.last))}</text>'
    )


def _stock_lines(f, history, ahead):
    """The stock of the past days (solid) and the plan ahead (dashed)."""
    return (
        f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" points="{f.line(history)}"/>'
        f'<polyline fill="none" stroke="#0b5cad" stroke-width="2" stroke-dasharray="6 4" points="{f.line(ahead)}"/>'
    )


def _arrivals(f, arrivals):
    """A triangle on the axis for each announced delivery within the chart's days."""
    for day, quantity in arrivals:
        if f.holds(day):
            cx, cy = f.x(day), f.y(0)
            label = escape(_("Kiriman %(n)s blangko", n=l10n.number(quantity)))
            yield (
                f'<path d="M{cx - 5},{cy} L{cx + 5},{cy} L{cx},{cy - 9} Z" fill="#146c2e">'
                f"<title>{label} {escape(l10n.short_day(day))}</title></path>"
            )


def _runs_out_marker(f, runs_out):
    """The red line on the day free stock runs out, when that is within the chart."""
    if not (runs_out and f.holds(runs_out)):
        return ""
    runs_out_label = escape(_("stok bebas habis"))
    return (
        f'<line x1="{f.x(runs_out)}" x2="{f.x(runs_out)}" y1="{PAD_T}" y2="{HEIGHT - PAD_B}" stroke="#b3261e" stroke-width="2"/>'
        f'<text x="{f.x(runs_out) + 4}" y="{PAD_T + 12}" font-size="11" fill="#b3261e">{runs_out_label}</text>'
    )


def _nice(value):
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 4:
            return step * 4
    return value
