"""CSV files the service hands out, written so that no spreadsheet runs a cell.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)` typed into a reason
or a reference); such a cell gets a leading apostrophe, which spreadsheets show as text
and do not display. Numbers stay numbers (a negative correction is -5, not '-5). Every CSV
the service produces goes through `write_csv`.
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a CSV cell no spreadsheet evaluates."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows):
    """CSV text of `rows` (lists of cells), UTF-8 BOM first so that spreadsheets read it
    as UTF-8, every cell through `safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()
