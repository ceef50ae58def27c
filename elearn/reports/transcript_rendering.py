"""An officer's transcript as an A4 PDF in their language (DejaVu fonts: Cyrillic renders)."""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from elearn.certificates.rendering.labels import format_date
from elearn.certificates.rendering.pdf import BOLD, REGULAR, register_fonts
from elearn.reports.transcript import Transcript, TranscriptEntry

INK = HexColor("#1B2F4E")
MUTED = HexColor("#5B6472")
RULE = HexColor("#D9DEE5")

LABELS = {
    "en": {
        "title": "Training transcript",
        "administration": "Administration",
        "as_of": "As of",
        "course": "Course",
        "status": "Status",
        "dates": "Enrolled / completed",
        "grade": "Best / last grade",
        "certificate": "Certificate",
        "none": "No courses yet.",
        "active": "in progress",
        "completed": "completed",
        "withdrawn": "withdrawn",
        "expired": "expired",
        "verify": "Verify at",
    },
    "ru": {
        "title": "Выписка об обучении",
        "administration": "Администрация",
        "as_of": "По состоянию на",
        "course": "Курс",
        "status": "Статус",
        "dates": "Запись / завершение",
        "grade": "Лучшая / последняя оценка",
        "certificate": "Сертификат",
        "none": "Курсов пока нет.",
        "active": "в процессе",
        "completed": "завершён",
        "withdrawn": "отозван",
        "expired": "просрочен",
        "verify": "Проверка",
    },
    "fr": {
        "title": "Relevé de formation",
        "administration": "Administration",
        "as_of": "Au",
        "course": "Formation",
        "status": "Statut",
        "dates": "Inscription / fin",
        "grade": "Meilleure / dernière note",
        "certificate": "Certificat",
        "none": "Aucune formation pour l'instant.",
        "active": "en cours",
        "completed": "terminée",
        "withdrawn": "retirée",
        "expired": "expirée",
        "verify": "Vérifier sur",
    },
}


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=INK),
        "name": ParagraphStyle("name", fontName=BOLD, fontSize=12, leading=16, textColor=INK),
        "meta": ParagraphStyle("meta", fontName=REGULAR, fontSize=10, leading=14, textColor=MUTED),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=11, textColor=INK),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=11, textColor=MUTED),
        "small": ParagraphStyle("small", fontName=REGULAR, fontSize=7, leading=9, textColor=MUTED),
    }


def _day(moment: datetime | None, language: str) -> str:
    return format_date(moment.date(), language) if moment is not None else "—"


def _grade(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _row(
    entry: TranscriptEntry, words: dict[str, str], language: str, styles: dict[str, ParagraphStyle]
) -> list[Paragraph]:
    cell, small = styles["cell"], styles["small"]
    certificates = "<br/>".join(
        f"{escape(c.code)}<br/><font size=6.5 color='#5B6472'>{words['verify']}"
        f" {escape(c.verification_url)}</font>"
        for c in entry.certificates
    )
    return [
        Paragraph(
            f"{escape(entry.course_title)}<br/>"
            f"<font color='#5B6472'>{escape(entry.course_code)}</font>",
            cell,
        ),
        Paragraph(words.get(entry.status, entry.status), cell),
        Paragraph(
            f"{_day(entry.enrolled_at, language)}<br/>{_day(entry.completed_at, language)}", cell
        ),
        Paragraph(f"{_grade(entry.grades.best)} / {_grade(entry.grades.last)}", cell),
        Paragraph(certificates or "—", cell if certificates else small),
    ]


def render_transcript(
    transcript: Transcript, administration_name: str | None, now: datetime
) -> bytes:
    """The transcript as PDF bytes, every course a row."""
    register_fonts()
    language = transcript.language if transcript.language in LABELS else "en"
    words = LABELS[language]
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{words['title']}: {transcript.full_name}",
        invariant=True,
    )
    story: list[Flowable] = [
        Paragraph(words["title"], styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(escape(transcript.full_name), styles["name"]),
        Paragraph(
            f"{words['administration']}: {escape(administration_name or '—')} · "
            f"{words['as_of']} {_day(now, language)}",
            styles["meta"],
        ),
        Spacer(1, 6 * mm),
    ]
    if transcript.entries:
        header = [
            Paragraph(words[key], styles["head"])
            for key in ("course", "status", "dates", "grade", "certificate")
        ]
        rows = [header, *(_row(entry, words, language, styles) for entry in transcript.entries)]
        table = Table(rows, colWidths=[58 * mm, 22 * mm, 30 * mm, 24 * mm, 40 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph(words["none"], styles["meta"]))
    document.build(story)
    return buffer.getvalue()
