"""Reading an uploaded CSV table (the multipart ``file`` field): UTF-8 (a BOM is allowed),
`,`, `;` or a tab between cells, header names matched case-blind.

Spreadsheets save CSV with the separator of the user's locale: `;` wherever the decimal mark is a
comma. The header line decides: whichever it holds most of separates the cells. Column names
are folded to lower case and the usual spellings of a column in the platform's languages are
read as its name (``E-mail``, ``Courriel``, ``Адрес электронной почты`` are ``email``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection

from flask import request

from elearn.config import current_settings
from elearn.errors import Invalid, TooLarge, Unprocessable

DELIMITERS = (",", ";", "\t")
# Other spellings of a column name, folded to lower case, as spreadsheets in en/ru/fr write them.
HEADER_ALIASES = dict.fromkeys(
    (
        "e-mail",
        "mail",
        "courriel",
        "adresse e-mail",
        "adresse électronique",
        "адрес электронной почты",
        "электронная почта",
        "эл. почта",
    ),
    "email",
)


def read_table(
    data: bytes, *, required: Collection[str], max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    """The data lines as (line number in the file, header → cell), with lower-case header names
    and trimmed cells; blank lines are skipped. The header must name every ``required`` column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unprocessable(
            "The file is not UTF-8 text.",
            errors={"file": [f"Byte {error.start} is not valid UTF-8; save the file as UTF-8."]},
        ) from None
    if "\x00" in text:
        raise Unprocessable(
            "The file is not text: it contains NUL characters.",
            errors={"file": [f"Character {text.index(chr(0))} is NUL; save the file as CSV."]},
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise Unprocessable("The file is not valid CSV.", errors={"file": [str(error)]}) from None
    header = [_column_name(cell) for cell in rows[0][1]] if rows else []
    missing = [name for name in required if name not in header]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise Unprocessable(
            f"The file has no header line naming {names}.",
            errors={"file": [f"The first line must be a header with columns named {names}."]},
        )
    if len(rows) - 1 > max_rows:
        raise TooLarge(
            f"The file has {len(rows) - 1:,} rows; one upload takes at most {max_rows:,}."
            " Split it into several files."
        )
    return [
        (line, {name: row[i].strip() if i < len(row) else "" for i, name in enumerate(header)})
        for line, row in rows[1:]
    ]


def _column_name(cell: str) -> str:
    name = cell.strip().casefold()
    return HEADER_ALIASES.get(name, name)


def uploaded_csv(max_rows: int) -> bytes:
    """The bytes of the multipart request's ``file`` field, refused unread when the request is
    larger than ELEARN_MAX_REQUEST_BYTES."""
    limit = current_settings().max_request_bytes
    if (request.content_length or 0) > limit:
        raise TooLarge(
            f"The upload is larger than {limit:,} bytes; one file holds at most {max_rows:,} rows."
            " Split it into several files."
        )
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(
            "The CSV file is missing.", errors={"file": ["Missing data for required field."]}
        )
    return upload.read()
