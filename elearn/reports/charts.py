"""Geometry of the dashboard's inline SVG charts, computed here so templates only draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_AREA = 320  # width of a horizontal bar at the largest value
COLUMN_AREA = 140  # height of a column at the largest value


@dataclass(frozen=True)
class Segment:
    kind: str
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    height: float


def stacked(
    parts: Sequence[tuple[str, int]], largest: int, area: float = BAR_AREA
) -> list[Segment]:
    """One horizontal bar of ``parts`` side by side, scaled so ``largest`` fills ``area``."""
    segments, x = [], 0.0
    for kind, value in parts:
        width = area * value / largest if largest else 0.0
        segments.append(Segment(kind, value, round(x, 1), round(width, 1)))
        x += width
    return segments


def columns(
    values: Sequence[tuple[str, int]], step: float, area: float = COLUMN_AREA
) -> list[Column]:
    """Vertical columns ``step`` apart, scaled so the largest value fills ``area``."""
    largest = max((value for _, value in values), default=0)
    result = []
    for index, (label, value) in enumerate(values):
        height = area * value / largest if largest else 0.0
        result.append(
            Column(label, value, round(index * step, 1), round(area - height, 1), round(height, 1))
        )
    return result
