"""A certificate as an A4 landscape PDF: embedded DejaVu fonts, Cyrillic and Latin alike.

Rendering is pure: ``CertificateContent`` and ``Issuer`` in, PDF bytes out. What does not change
between certificates is prepared once per process: the parsed fonts, the compressed tables
that every embedded subset copies from its font (``embedding``), and the frame, kept as PDF
operators pasted into each page. The QR code is one filled path of merged module runs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from typing import Literal

import segno
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from elearn.certificates.rendering.embedding import EmbeddedFont
from elearn.certificates.rendering.labels import Labels, format_date, format_duration, labels_for
from elearn.certificates.rendering.layout import Block, Box, fit
from elearn.certificates.service.content import CertificateContent, Issuer
from elearn.fonts import FONTS_DIRECTORY

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 60.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
CENTRE = PAGE_WIDTH / 2

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
DISPLAY = "DejaVuSerif-Bold"
FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    DISPLAY: "DejaVuSerif-Bold.ttf",
}

INK = HexColor("#1B2F4E")
MUTED = HexColor("#5B6472")
GOLD = HexColor("#B08D4C")
PAPER = HexColor("#FCFAF4")

QR_SIZE = 88.0
QR_QUIET_MODULES = 4
QR_ERROR_LEVEL = "m"
# Any of the eight masks makes a valid code (a reader finds the mask in the code's format
# bits); fixing one saves scoring all eight (about two thirds of encoding). Segno's own choice
# for verification URLs is most often this one.
QR_MASK = 3

# The flowing middle of the page: blocks are stacked and centred between these two lines,
# which leave room for every block at its tallest.
FLOW_TOP = 446.0
FLOW_BOTTOM = 178.0
SIGNATURE_Y = 112.0
# The bottom row: dates on the left, the signature in the centre, verification by the QR code.
DATES_WIDTH = 190.0
SIGNATURE_WIDTH = 200.0
QR_LEFT = PAGE_WIDTH - MARGIN - QR_SIZE
QR_BOTTOM = MARGIN + 6
VERIFICATION_RIGHT = QR_LEFT - 10
VERIFICATION_WIDTH = VERIFICATION_RIGHT - (CENTRE + SIGNATURE_WIDTH / 2 + 15)


Align = Literal["left", "centre", "right"]


@dataclass(frozen=True)
class _Placed:
    """A block of text anchored at ``x`` (its left, centre or right) below ``top``."""

    block: Block
    x: float
    top: float
    align: Align
    color: Color


@cache
def register_fonts() -> None:
    """Parse the shipped TrueType fonts once per process; every PDF embeds the glyphs it uses."""
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(EmbeddedFont(name, str(FONTS_DIRECTORY / filename)))


def render_certificate(content: CertificateContent, issuer: Issuer) -> bytes:
    """The certificate as PDF bytes; the same input always gives the same bytes."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=True,
        pageCompression=1,
        initialFontName=REGULAR,  # else an unembedded Helvetica is declared too
    )
    draw_certificate(canvas, content, issuer)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_certificate(canvas: Canvas, content: CertificateContent, issuer: Issuer) -> None:
    """Draw one certificate page on ``canvas``; no string leaves the page's margins."""
    register_fonts()
    labels = labels_for(content.language)
    canvas.setTitle(f"{labels.title}: {content.trainee_name}")
    canvas.setAuthor(issuer.name)
    canvas.setSubject(content.course_title)
    canvas.setCreator("elearn")
    canvas.addLiteral(_frame_operators())
    for placed in _text_layout(content, issuer, labels):
        _draw(canvas, placed)
    _draw_qr(canvas, issuer.verification_url(content.verification_code), x=QR_LEFT, y=QR_BOTTOM)


def _text_layout(content: CertificateContent, issuer: Issuer, labels: Labels) -> list[_Placed]:
    heading = fit(issuer.name, Box(CONTENT_WIDTH, 16, REGULAR, 11, 7))
    title = fit(labels.title.upper(), Box(CONTENT_WIDTH, 46, DISPLAY, 34, 16))
    return [
        _Placed(heading, CENTRE, 534, "centre", MUTED),
        _Placed(title, CENTRE, 512, "centre", INK),
        *_flow(content, labels),
        *_dates(content, labels),
        *_signature(issuer),
        *_verification(content.verification_code, issuer, labels),
    ]


def _flow(content: CertificateContent, labels: Labels) -> list[_Placed]:
    """Name, administration and course, stacked and centred vertically in the middle band."""
    stack: list[tuple[Block, Color, float]] = [
        (fit(labels.awarded_to, Box(CONTENT_WIDTH, 17, REGULAR, 13, 9)), MUTED, 8),
        (fit(content.trainee_name, Box(CONTENT_WIDTH, 84, DISPLAY, 30, 12)), INK, 6),
    ]
    if content.administration_name:
        stack.append(
            (fit(content.administration_name, Box(CONTENT_WIDTH, 34, REGULAR, 13, 9)), INK, 14)
        )
    stack += [
        (fit(labels.for_completing, Box(CONTENT_WIDTH, 17, REGULAR, 13, 9)), MUTED, 8),
        (fit(content.course_title, Box(CONTENT_WIDTH, 78, DISPLAY, 21, 11)), INK, 0),
    ]
    total = sum(block.height + gap for block, _, gap in stack)
    top = FLOW_TOP - (FLOW_TOP - FLOW_BOTTOM - total) / 2
    placed = []
    for block, color, gap in stack:
        placed.append(_Placed(block, CENTRE, top, "centre", color))
        top -= block.height + gap
    return placed


def _dates(content: CertificateContent, labels: Labels) -> list[_Placed]:
    rows = (
        (labels.completed_on, format_date(content.completed_on, content.language)),
        (labels.duration, format_duration(content.duration_minutes, content.language)),
    )
    placed = []
    top = 150.0
    for label, value in rows:
        caption = fit(label, Box(DATES_WIDTH, 12, REGULAR, 9, 7))
        placed.append(_Placed(caption, MARGIN, top, "left", MUTED))
        placed.append(
            _Placed(fit(value, Box(DATES_WIDTH, 17, BOLD, 13, 8)), MARGIN, top - 13, "left", INK)
        )
        top -= 44
    return placed


def _signature(issuer: Issuer) -> list[_Placed]:
    """Under the signature line: the signatory and their title, or the issuer if none is set."""
    name = issuer.signatory_name or (issuer.name if not issuer.signatory_title else "")
    placed = []
    if name:
        placed.append(
            _Placed(
                fit(name, Box(SIGNATURE_WIDTH, 16, BOLD, 12, 8)),
                CENTRE,
                SIGNATURE_Y - 6,
                "centre",
                INK,
            )
        )
    if issuer.signatory_title:
        top = SIGNATURE_Y - (23 if name else 6)
        placed.append(
            _Placed(
                fit(issuer.signatory_title, Box(SIGNATURE_WIDTH, 24, REGULAR, 9.5, 7)),
                CENTRE,
                top,
                "centre",
                MUTED,
            )
        )
    return placed


def _verification(code: str, issuer: Issuer, labels: Labels) -> list[_Placed]:
    """The code and where to check it, right-aligned against the QR code."""
    rows = (
        (labels.verification_code, 150, Box(VERIFICATION_WIDTH, 12, REGULAR, 9, 7), MUTED),
        (code, 137, Box(VERIFICATION_WIDTH, 20, BOLD, 15, 9), INK),
        (labels.verify_at, 108, Box(VERIFICATION_WIDTH, 11, REGULAR, 8, 6), MUTED),
        (issuer.verification_page, 97, Box(VERIFICATION_WIDTH, 10, REGULAR, 8, 5.5), INK),
    )
    return [
        _Placed(fit(text, box), VERIFICATION_RIGHT, top, "right", color)
        for text, top, box, color in rows
    ]


def _draw(canvas: Canvas, placed: _Placed) -> None:
    block = placed.block
    canvas.setFont(block.font, block.size)
    canvas.setFillColor(placed.color)
    baseline = placed.top - block.size
    for line in block.lines:
        if placed.align == "centre":
            canvas.drawCentredString(placed.x, baseline, line)
        elif placed.align == "right":
            canvas.drawRightString(placed.x, baseline, line)
        else:
            canvas.drawString(placed.x, baseline, line)
        baseline -= block.leading


def _rgb(color: Color) -> str:
    return fp_str(color.red, color.green, color.blue)


@cache
def _frame_operators() -> str:
    """The static frame as PDF operators, computed once and pasted into every page."""
    operators = [f"q {_rgb(PAPER)} rg 0 0 {fp_str(PAGE_WIDTH, PAGE_HEIGHT)} re f"]

    def stroke(path: PDFPathObject, color: Color, width: float) -> None:
        operators.append(f"{_rgb(color)} RG {fp_str(width)} w {path.getCode()} S")

    outer = PDFPathObject()
    outer.rect(20, 20, PAGE_WIDTH - 40, PAGE_HEIGHT - 40)
    stroke(outer, INK, 2.5)
    inner = PDFPathObject()
    inner.rect(28, 28, PAGE_WIDTH - 56, PAGE_HEIGHT - 56)
    stroke(inner, GOLD, 0.75)
    corners = PDFPathObject()
    for x, y, dx, dy in (
        (34, 34, 1, 1),
        (PAGE_WIDTH - 34, 34, -1, 1),
        (34, PAGE_HEIGHT - 34, 1, -1),
        (PAGE_WIDTH - 34, PAGE_HEIGHT - 34, -1, -1),
    ):
        corners.moveTo(x, y + 36 * dy)
        corners.lineTo(x, y)
        corners.lineTo(x + 36 * dx, y)
    stroke(corners, GOLD, 1.8)
    rule = PDFPathObject()
    rule.moveTo(CENTRE - 90, 458)
    rule.lineTo(CENTRE + 90, 458)
    stroke(rule, GOLD, 1)
    signature = PDFPathObject()
    signature.moveTo(CENTRE - SIGNATURE_WIDTH / 2, SIGNATURE_Y)
    signature.lineTo(CENTRE + SIGNATURE_WIDTH / 2, SIGNATURE_Y)
    stroke(signature, MUTED, 0.6)
    operators.append("Q")
    return "\n".join(operators)


def _draw_qr(canvas: Canvas, url: str, *, x: float, y: float) -> None:
    matrix = segno.make(url, error=QR_ERROR_LEVEL, mask=QR_MASK, micro=False).matrix
    count = len(matrix)
    module = QR_SIZE / (count + 2 * QR_QUIET_MODULES)
    quiet = QR_QUIET_MODULES * module
    # In module units every rectangle has integer corners, written as they are: formatting
    # them as PDF numbers one by one was a tenth of the rendering.
    operators = [
        f"q 1 g {fp_str(x, y, QR_SIZE, QR_SIZE)} re f",
        f"{fp_str(module, 0, 0, module, x + quiet, y + quiet)} cm {_rgb(INK)} rg",
    ]
    for row_number, row in enumerate(matrix):
        column = 0
        for dark, run in groupby(row):
            length = len(list(run))
            if dark:
                operators.append(f"{column} {count - 1 - row_number} {length} 1 re")
            column += length
    operators.append("f Q")
    canvas.addLiteral("\n".join(operators))
