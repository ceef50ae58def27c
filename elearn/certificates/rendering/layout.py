"""Fitting text into a box: wrap at spaces, shrink, and as a last resort cut with an ellipsis.

Every line returned is at most the box's width at the chosen size, measured with the font's own
metrics, so whatever a caller draws from a ``Block`` cannot leave the box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

ELLIPSIS = "…"
SIZE_STEP = 0.5
LEADING = 1.22
_BREAKABLE_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class Box:
    """Room for a block of text, and the font sizes it may use."""

    width: float
    height: float
    font: str
    max_size: float
    min_size: float


@dataclass(frozen=True)
class Block:
    """Lines of text set in one font and size; ``height`` counts every line's leading."""

    lines: tuple[str, ...]
    font: str
    size: float

    @property
    def leading(self) -> float:
        return self.size * LEADING

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading


def fit(text: str, box: Box) -> Block:
    """The largest size at which ``text`` wraps inside ``box``; cut at the smallest otherwise."""
    words = _Words(_BREAKABLE_SPACE.sub(" ", text).strip().split(" "), box.font)
    size = box.max_size
    while True:
        lines = words.wrap(box.width / size)
        if len(lines) * size * LEADING <= box.height or size <= box.min_size:
            break
        size = max(box.min_size, size - SIZE_STEP)
    room = max(1, int(box.height // (size * LEADING)))
    if len(lines) > room:
        lines = [*lines[: room - 1], _cut(" ".join(lines[room - 1 :]), box.font, size, box.width)]
    elif len(lines) > 1:
        lines = words.balance(box.width / size, len(lines))
    return Block(lines=tuple(lines), font=box.font, size=size)


class _Words:
    """Words measured once at size 1: a glyph run's width grows linearly with the size."""

    def __init__(self, words: list[str], font: str) -> None:
        self.font = font
        self.words = words
        self.widths = [stringWidth(word, font, 1) for word in words]
        self.space = stringWidth(" ", font, 1)

    def wrap(self, limit: float) -> list[str]:
        """Greedy line breaking at spaces for lines at most ``limit`` wide at size 1."""
        limit *= 1 - 1e-9  # keep float rounding from ever pushing a line past the box
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word, width in zip(self.words, self.widths, strict=True):
            extra = width + (self.space if current else 0)
            if used + extra <= limit:
                current.append(word)
                used += extra
                continue
            if current:
                lines.append(" ".join(current))
            if width <= limit:
                current, used = [word], width
                continue
            *whole, last = self._split(word, limit)
            lines.extend(whole)
            current, used = [last], stringWidth(last, self.font, 1)
        lines.append(" ".join(current))
        return lines

    def balance(self, limit: float, count: int) -> list[str]:
        """The same number of lines, as even as they get: no lone word left on the last one."""
        narrow, wide = max(self.widths), limit
        if narrow >= wide:
            return self.wrap(limit)
        for _ in range(16):
            middle = (narrow + wide) / 2
            if len(self.wrap(middle)) <= count:
                wide = middle
            else:
                narrow = middle
        return self.wrap(wide)

    def _split(self, word: str, limit: float) -> list[str]:
        """A word wider than the box is broken between characters; there is no better place."""
        pieces: list[str] = []
        current = ""
        used = 0.0
        for character in word:
            width = stringWidth(character, self.font, 1)
            if current and used + width > limit:
                pieces.append(current)
                current, used = "", 0.0
            current += character
            used += width
        pieces.append(current)
        return pieces


def _cut(text: str, font: str, size: float, width: float) -> str:
    kept = text
    while kept and stringWidth(kept.rstrip() + ELLIPSIS, font, size) > width:
        kept = kept[:-1]
    return kept.rstrip() + ELLIPSIS
