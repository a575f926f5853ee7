"""The monthly report as files: CSV (through scheduler.csv_export) and XLSX (openpyxl).

Both carry the same two tables: per site, and per day. In the XLSX every text cell is
stored as text, so a site name starting with "=" is never read as a formula.
"""

import io

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from scheduler.csv_export import write_csv
from scheduler.reports.monthly import COLUMNS, LABELS


def _site_table(report):
    head = [str(_l("Lokasi")), str(_l("Jenis"))] + [str(LABELS[c]) for c in COLUMNS]
    rows = [[r.name, r.kind] + [r.counts[c] for c in COLUMNS] for r in report.sites]
    rows.append([report.total.name, ""] + [report.total.counts[c] for c in COLUMNS])
    return head, rows


def _day_table(report):
    head = [str(_l("Tanggal"))] + [str(LABELS[c]) for c in COLUMNS]
    return head, [[d.key.isoformat()] + [d.counts[c] for c in COLUMNS] for d in report.days]


def _title(report):
    return [str(_l("Laporan bulanan layanan KTP-el")), report.regency, report.label]


def report_csv(report):
    """The report as CSV text: the title, the table per site, then the table per day."""
    site_head, site_rows = _site_table(report)
    day_head, day_rows = _day_table(report)
    rows = [_title(report), [], site_head, *site_rows, [], day_head, *day_rows]
    return write_csv(rows)


def report_xlsx(report):
    """The report as an XLSX workbook (bytes): a sheet per site, a sheet per day."""
    book = Workbook()
    sheets = (
        (book.active, str(_l("Per lokasi")), _site_table(report)),
        (book.create_sheet(), str(_l("Per hari")), _day_table(report)),
    )
    for sheet, title, (head, rows) in sheets:
        sheet.title = title[:31]
        sheet.append([_text(v) for v in _title(report)])
        sheet.append([])
        sheet.append([_text(v) for v in head])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_text(v) for v in row])
        for cell in sheet[sheet.max_row] if title == str(_l("Per lokasi")) else ():
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B4"
        sheet.column_dimensions["A"].width = 34
        _as_text(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value):
    return "" if value is None else value


def _as_text(sheet):
    """openpyxl takes a string starting with '=' for a formula: keep every string a string."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"
