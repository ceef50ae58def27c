from __future__ import annotations

from datetime import UTC, datetime

import pytest

from elearn.reports.csv_export import csv_lines, neutralise


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


def test_the_document_starts_with_a_bom_and_uses_crlf():
    text = "".join(csv_lines(["a", "b"], [["x, y", "=z"]]))

    assert text == '\ufeffa,b\r\n"x, y",\'=z\r\n'
