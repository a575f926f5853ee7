"""The one CSV writer: no cell a spreadsheet would run as a formula."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from scheduler.csv_export import FORMULA_STARTS, safe_cell, write_csv


def test_formula_starts_get_an_apostrophe_and_numbers_stay():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0"
    assert safe_cell("\tx") == "'\tx" and safe_cell("\rx") == "'\rx"
    assert safe_cell("Budi") == "Budi" and safe_cell(None) == ""
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5


@given(st.lists(st.lists(st.one_of(st.text(), st.integers()), max_size=5), max_size=5))
def test_no_written_text_cell_starts_like_a_formula(rows):
    text = write_csv(rows)
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert len(read) == len(rows)
    for written, original in zip(read, rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            if isinstance(value, str):
                assert not cell.startswith(FORMULA_STARTS)
                assert cell in (value, "'" + value)
