"""Exports a spreadsheet opens: CSV and XLSX from one declaration of the columns.

Rows come from a server-side cursor (``yield_per``) and are written to an anonymous temporary
file, which is then streamed to the client and deleted: memory stays flat whatever the number
of rows. XLSX is written by XlsxWriter in constant-memory mode (each row is flushed to disk as
soon as it is written), with typed dates and numbers, a frozen header row, filters and widths.

No cell is ever a formula: CSV cells a spreadsheet would evaluate get an apostrophe in front,
and XLSX cells are written as strings, numbers or dates, never through XlsxWriter's guessing.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import IO, Any


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATETIME = "datetime"


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    Format.CSV: "text/csv",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DELIMITERS = {"comma": ",", "semicolon": ";"}
_XLSX_NUMBER_FORMATS = {Kind.INTEGER: "0", Kind.DECIMAL: "0.0", Kind.DATETIME: "yyyy-mm-dd hh:mm"}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The CSV cell text; one a spreadsheet would evaluate is prefixed with an apostrophe."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


@dataclass(frozen=True)
class Column:
    """A column: its header, what kind of value it holds, its XLSX width in characters, and
    how to read its value from a row (by default the row's attribute of the same name)."""

    name: str
    kind: Kind = Kind.TEXT
    width: int = 14
    value: Callable[[Any], object] | None = None

    def of(self, row: Any) -> object:
        return self.value(row) if self.value is not None else getattr(row, self.name)


def export(
    columns: Sequence[Column], rows: Iterable[Any], format: Format, delimiter: str = ","
) -> IO[bytes]:
    """The document in an anonymous temporary file, rewound (closing it deletes it)."""
    # Returned open: the response streams it and closes it, which deletes it.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        if format is Format.XLSX:
            _write_xlsx(output, columns, rows)
        else:
            _write_csv(output, columns, rows, delimiter)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def _write_csv(
    output: IO[bytes], columns: Sequence[Column], rows: Iterable[Any], delimiter: str
) -> None:
    """UTF-8 with a BOM (so spreadsheets detect it); times in ISO 8601 with their offset."""
    output.write(codecs.BOM_UTF8)
    text = codecs.getwriter("utf-8")(output)
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    for row in rows:
        writer.writerow([neutralise(column.of(row)) for column in columns])
    text.flush()


def _write_xlsx(output: IO[bytes], columns: Sequence[Column], rows: Iterable[Any]) -> None:
    """One sheet; times are UTC (a cell has no time zone), as the header says."""
    # Imported here: XlsxWriter costs every process that loads the app (API, workers) 2 MiB,
    # and only this export uses it.
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "remove_timezone": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    formats = {
        kind: workbook.add_format({"num_format": f}) for kind, f in _XLSX_NUMBER_FORMATS.items()
    }
    for number, column in enumerate(columns):
        sheet.set_column(number, number, column.width)
        header = f"{column.name} (UTC)" if column.kind is Kind.DATETIME else column.name
        sheet.write_string(0, number, header, bold)
    sheet.freeze_panes(1, 0)
    last = 0
    for last, row in enumerate(rows, 1):
        for number, column in enumerate(columns):
            _write_cell(sheet, last, number, column.kind, column.of(row), formats)
    sheet.autofilter(0, 0, last, len(columns) - 1)
    workbook.close()


def _write_cell(
    sheet: Any, row: int, column: int, kind: Kind, value: object, formats: dict[Kind, Any]
) -> None:
    if value is None or value == "":
        sheet.write_blank(row, column, None)
    elif kind is Kind.DATETIME and isinstance(value, datetime):
        sheet.write_datetime(row, column, value, formats[kind])
    elif kind in (Kind.INTEGER, Kind.DECIMAL) and isinstance(value, int | float):
        sheet.write_number(row, column, value, formats[kind])
    else:
        sheet.write_string(row, column, str(value))
