from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, replace
from datetime import date

import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from elearn.certificates.rendering import pdf
from elearn.certificates.rendering.labels import format_date, format_duration
from elearn.certificates.rendering.pdf import draw_certificate, render_certificate
from tests.certificates.samples import (
    ENGLISH,
    EXTREME,
    EXTREME_ISSUER,
    FRENCH,
    ISSUER,
    LONG_NAME,
    RUSSIAN,
)

# Glyph extent around the baseline, in em: DejaVu's tallest accented capitals and descenders.
ASCENT, DESCENT = 0.93, 0.24


@dataclass(frozen=True)
class Drawn:
    text: str
    font: str
    size: float
    left: float
    right: float
    bottom: float
    top: float


class RecordingCanvas(Canvas):
    """A canvas that remembers where every string went."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), pagesize=(pdf.PAGE_WIDTH, pdf.PAGE_HEIGHT))
        self.drawn: list[Drawn] = []

    def _record(self, left: float, y: float, text: str) -> None:
        width = stringWidth(text, self._fontname, self._fontsize)
        size = self._fontsize
        self.drawn.append(
            Drawn(
                text,
                self._fontname,
                size,
                left,
                left + width,
                y - DESCENT * size,
                y + ASCENT * size,
            )
        )

    def drawString(self, x, y, text, *args, **kwargs):
        self._record(x, y, text)
        return super().drawString(x, y, text, *args, **kwargs)

    def drawCentredString(self, x, y, text, *args, **kwargs):
        self._record(x - stringWidth(text, self._fontname, self._fontsize) / 2, y, text)
        return super().drawCentredString(x, y, text, *args, **kwargs)

    def drawRightString(self, x, y, text, *args, **kwargs):
        self._record(x - stringWidth(text, self._fontname, self._fontsize), y, text)
        return super().drawRightString(x, y, text, *args, **kwargs)


def drawn_strings(content, issuer=ISSUER) -> list[Drawn]:
    canvas = RecordingCanvas()
    draw_certificate(canvas, content, issuer)
    return canvas.drawn


def page_of(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0]


def test_a_certificate_is_one_a4_landscape_page():
    page = page_of(render_certificate(RUSSIAN, ISSUER))

    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # 297 x 210 mm


def test_every_font_is_an_embedded_dejavu_subset():
    data = render_certificate(RUSSIAN, ISSUER)
    fonts = [font.get_object() for font in page_of(data)["/Resources"]["/Font"].values()]

    assert {str(font["/BaseFont"]).split("+")[1] for font in fonts} == set(pdf.FONT_FILES)
    for font in fonts:
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"]
    assert b"Helvetica" not in data


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            RUSSIAN,
            [
                "СЕРТИФИКАТ ОБ ОКОНЧАНИИ КУРСА",
                "Настоящий сертификат выдан",
                "в подтверждение успешного окончания курса",
                "14 марта 2026 г.",
                "12 часов 30 минут",
                "Код проверки",
            ],
        ),
        (
            ENGLISH,
            [
                "CERTIFICATE OF COMPLETION",
                "This certificate is awarded to",
                "for successfully completing the course",
                "2 May 2026",
                "1 hour",
                "Verification code",
            ],
        ),
        (
            FRENCH,
            [
                "CERTIFICAT DE RÉUSSITE",
                "Ce certificat est décerné à",
                "pour avoir suivi avec succès la formation",
                "1er juin 2026",
                "1 heure 35 minutes",
                "Code de vérification",
            ],
        ),
    ],
    ids=["ru", "en", "fr"],
)
def test_the_certificate_speaks_the_trainees_language(content, expected):
    cyrillic_trainee = replace(content, trainee_name="Мамедова Айгюнь Эльдаровна")

    text = " ".join(page_of(render_certificate(cyrillic_trainee, ISSUER)).extract_text().split())

    for phrase in [
        *expected,
        "Мамедова Айгюнь Эльдаровна",
        content.administration_name,
        "K7QM-9XDP-2HTA",
        "Anna Kowalska",
        "Head of the Regional Training Centre",
        "WCO Europe Regional Training Centre",
    ]:
        assert " ".join(phrase.replace("\u00a0", " ").split()) in text.replace("\u00a0", " ")


def test_the_qr_code_leads_to_the_verification_page():
    page = page_of(render_certificate(RUSSIAN, ISSUER))
    expected = segno.make(
        "http://elearn.test/verify/K7QM-9XDP-2HTA", error="m", mask=pdf.QR_MASK, micro=False
    )

    assert qr_matrix_in(page) == [list(map(bool, row)) for row in expected.matrix]


def qr_matrix_in(page) -> list[list[bool]]:
    """Rebuild the QR modules from the page's unit-height rectangles (one per dark run)."""
    operations = ContentStream(page.get_contents(), page.pdf).operations
    runs = [
        [int(value) for value in operands]
        for operands, operator in operations
        if operator == b"re" and float(operands[3]) == 1
    ]
    count = max(y for _, y, _, _ in runs) + 1
    matrix = [[False] * count for _ in range(count)]
    for x, y, width, _ in runs:
        for column in range(x, x + width):
            matrix[count - 1 - y][column] = True
    return matrix


@pytest.mark.parametrize("content", [*EXTREME, RUSSIAN, ENGLISH, FRENCH])
@pytest.mark.parametrize("issuer", [ISSUER, EXTREME_ISSUER], ids=["issuer", "extreme-issuer"])
def test_no_string_leaves_the_margins_or_runs_into_another(content, issuer):
    drawn = drawn_strings(content, issuer)
    qr_top = pdf.QR_BOTTOM + pdf.QR_SIZE

    for string in drawn:
        assert string.left >= pdf.MARGIN, string
        assert string.right <= pdf.PAGE_WIDTH - pdf.MARGIN, string
        assert string.bottom >= pdf.MARGIN, string
        assert string.top <= pdf.PAGE_HEIGHT - pdf.MARGIN, string
        assert string.right < pdf.QR_LEFT or string.bottom > qr_top, string
    for one, other in itertools.combinations(drawn, 2):
        apart = (
            one.right <= other.left
            or other.right <= one.left
            or one.top <= other.bottom
            or other.top <= one.bottom
        )
        assert apart, (one, other)


@pytest.mark.parametrize("name", [LONG_NAME, RUSSIAN.trainee_name], ids=["200", "hyphenated"])
def test_a_long_name_wraps_between_words_and_is_never_cut(name):
    drawn = drawn_strings(replace(RUSSIAN, trainee_name=name))

    after_label = next(i for i, s in enumerate(drawn) if s.text == "Настоящий сертификат выдан") + 1
    lines = [
        s.text for s in itertools.takewhile(lambda s: s.font == pdf.DISPLAY, drawn[after_label:])
    ]

    assert len(lines) > 1
    assert " ".join(lines) == name


def test_text_too_long_for_any_size_is_cut_with_an_ellipsis_not_spilled():
    content = replace(ENGLISH, trainee_name="Name " * 400)

    name_lines = [s for s in drawn_strings(content) if s.text.startswith("Name")]

    assert name_lines[-1].text.endswith("…")
    assert min(s.size for s in name_lines) >= 12


def test_the_same_certificate_renders_to_the_same_bytes():
    assert render_certificate(RUSSIAN, ISSUER) == render_certificate(RUSSIAN, ISSUER)


def test_an_unknown_language_falls_back_to_english():
    text = page_of(render_certificate(replace(ENGLISH, language="de"), ISSUER)).extract_text()

    assert "CERTIFICATE OF COMPLETION" in text


def test_without_a_signatory_the_issuer_signs():
    issuer = replace(ISSUER, signatory_name="", signatory_title="")

    texts = [s.text for s in drawn_strings(ENGLISH, issuer)]

    assert texts.count("WCO Europe Regional Training Centre") == 2
    assert "Anna Kowalska" not in texts


@pytest.mark.parametrize(
    ("minutes", "language", "expected"),
    [
        (60, "ru", "1 час"),
        (120, "ru", "2 часа"),
        (300, "ru", "5 часов"),
        (21 * 60 + 1, "ru", "21 час 1 минута"),
        (11 * 60 + 12, "ru", "11 часов 12 минут"),
        (22 * 60 + 24, "ru", "22 часа 24 минуты"),
        (45, "en", "45 minutes"),
        (61, "en", "1 hour 1 minute"),
        (150, "en", "2 hours 30 minutes"),
        (90, "fr", "1 heure 30 minutes"),
        (121, "fr", "2 heures 1 minute"),
        (0, "fr", "0 minute"),
    ],
)
def test_durations_use_each_languages_plural_forms(minutes, language, expected):
    assert format_duration(minutes, language).replace("\u00a0", " ") == expected


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2026, 3, 14), "en", "14 March 2026"),
        (date(2026, 3, 14), "ru", "14 марта 2026 г."),
        (date(2026, 8, 1), "fr", "1er août 2026"),
        (date(2026, 12, 25), "fr", "25 décembre 2026"),
    ],
)
def test_dates_are_written_out_in_the_language(day, language, expected):
    assert format_date(day, language).replace("\u00a0", " ") == expected
