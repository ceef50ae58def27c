"""Reading the CSV files people upload: UTF-8 (with or without a BOM), comma, semicolon or tab
separated (Excel in Russian and French locales writes semicolons), a header line whose names
are matched case-blind, and blank lines skipped."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from elearn.errors import Unprocessable

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    """The header (names stripped and case-folded) and the data rows of a CSV file."""

    header: list[str]
    rows: list[list[str]]

    def column(self, names: Collection[str]) -> int | None:
        """The index of the first header cell that is one of ``names`` (case-folded)."""
        return next((index for index, name in enumerate(self.header) if name in names), None)

    def values(self, column: int) -> list[str]:
        """Each row's cell in ``column``, stripped ("" where a row is short)."""
        return [row[column].strip() if column < len(row) else "" for row in self.rows]


def read_table(data: bytes) -> Table:
    """The file as a table; 422 for text that is not UTF-8, holds a NUL, or is not CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unprocessable(
            "The file is not UTF-8 text.",
            errors={"file": [f"Byte {error.start} is not valid UTF-8; save the file as UTF-8."]},
        ) from None
    if "\x00" in text:
        raise Unprocessable(
            "The file is not a text file.", errors={"file": ["It contains NUL characters."]}
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as error:
        raise Unprocessable("The file is not valid CSV.", errors={"file": [str(error)]}) from None
    header = [cell.strip().casefold() for cell in rows[0]] if rows else []
    return Table(header, rows[1:])
