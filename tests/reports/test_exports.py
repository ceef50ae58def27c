"""The export writer: formula-safe CSV and typed XLSX from one declaration, in flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from elearn.reports.exports import Column, Format, Kind, export, neutralise

COLUMNS = (
    Column("name", width=30),
    Column("count", Kind.INTEGER),
    Column("grade", Kind.DECIMAL),
    Column("when", Kind.DATETIME, width=18),
    Column("shout", value=lambda row: row.name.upper()),
)
WHEN = datetime(2030, 3, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    grade: float | None
    when: datetime | None


def rows(number):
    for index in range(number):
        yield Row(f"officer {index} ={'x' * 40}", index, index / 3, WHEN + timedelta(minutes=index))


@pytest.mark.parametrize("cell", ["=1+1", "+33 1 23", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_evaluate_are_defused(cell):
    assert neutralise(cell) == f"'{cell}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Алиева Лейла", "Алиева Лейла"),
        (None, ""),
        (42, "42"),
        (datetime(2030, 3, 1, 9, 0, tzinfo=UTC), "2030-03-01T09:00:00+00:00"),
    ],
)
def test_other_cells_are_kept(value, shown):
    assert neutralise(value) == shown


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_has_a_bom_crlf_the_delimiter_asked_and_no_formulas(delimiter):
    data = [Row("=HYPERLINK(1)", 1, None, WHEN), Row("Алиева, Лейла", 2, 2.5, None)]
    with export(COLUMNS, data, Format.CSV, delimiter) as document:
        content = document.read()

    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.split("\r\n")[0] == delimiter.join(["name", "count", "grade", "when", "shout"])
    parsed = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert parsed[1] == ["'=HYPERLINK(1)", "1", "", "2030-03-01T09:30:00+00:00", "'=HYPERLINK(1)"]
    assert parsed[2] == ["Алиева, Лейла", "2", "2.5", "", "АЛИЕВА, ЛЕЙЛА"]


def test_xlsx_has_typed_cells_a_frozen_filtered_header_and_widths():
    data = [Row("=HYPERLINK(1)", 7, 66.6667, WHEN), Row("Алиева", 2, None, None)]
    with export(COLUMNS, data, Format.XLSX) as document:
        sheet = openpyxl.load_workbook(io.BytesIO(document.read())).active

    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["name", "count", "grade", "when (UTC)", "shout"]
    assert values[1] == ["=HYPERLINK(1)", 7, 66.6667, WHEN.replace(tzinfo=None), "=HYPERLINK(1)"]
    assert values[2] == ["Алиева", 2, None, None, "АЛИЕВА"]
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert sheet["B2"].data_type == "n"
    assert sheet["D2"].is_date
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert sheet.column_dimensions["A"].width == pytest.approx(30, abs=1)


@pytest.mark.parametrize("format", list(Format))
def test_memory_stays_flat_whatever_the_number_of_rows(format):
    def peak(number):
        tracemalloc.start()
        with export(COLUMNS, rows(number), format, ","):
            pass
        _, highest = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return highest

    small, large = peak(500), peak(5_000)

    assert large < small * 1.5 + 256 * 1024, (small, large)
