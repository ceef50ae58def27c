"""The verification page for people: HTML in English, Russian or French, for browsers.

Clients get JSON unless they prefer ``text/html`` (a browser following a certificate's QR code
does). The page is one autoescaped Jinja2 template with its style inline and nothing loaded
from elsewhere; its Content-Security-Policy allows exactly that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from flask import Response, render_template, request

from elearn.certificates.credentials.verification import PublicRecord
from elearn.certificates.rendering.labels import FALLBACK_LANGUAGE, format_date
from elearn.certificates.service.statement import issuer

TEMPLATE = "certificates/verification.html"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class PageText:
    title: str
    valid: str
    revoked: str
    superseded: str
    revoked_on: str
    superseded_note: str
    reason: str
    holder: str
    administration: str
    course: str
    completed_on: str
    code: str
    sha256: str
    not_found: str
    malformed: str
    code_format: str


TEXTS = {
    "en": PageText(
        title="Certificate verification",
        valid="Valid certificate",
        revoked="Revoked certificate",
        superseded="Superseded certificate",
        revoked_on="Revoked on {date}.",
        superseded_note=(
            "On {date} this certificate was replaced by a corrected one. "
            "Ask its holder for the current certificate."
        ),
        reason="Reason",
        holder="Awarded to",
        administration="Administration",
        course="Course",
        completed_on="Completed on",
        code="Verification code",
        sha256="SHA-256 of the PDF",
        not_found="No certificate has this verification code.",
        malformed="This is not a verification code.",
        code_format="A verification code has twelve letters and digits, like K7QM-9XDP-2HTA.",
    ),
    "ru": PageText(
        title="Проверка сертификата",
        valid="Сертификат действителен",
        revoked="Сертификат отозван",
        superseded="Сертификат заменён",
        revoked_on="Отозван {date}",
        superseded_note=(
            "{date} этот сертификат заменён исправленным. "
            "Запросите у его владельца действующий сертификат."
        ),
        reason="Причина",
        holder="Владелец",
        administration="Администрация",
        course="Курс",
        completed_on="Дата окончания",
        code="Код проверки",
        sha256="SHA-256 файла PDF",
        not_found="Сертификата с таким кодом проверки нет.",
        malformed="Это не код проверки.",
        code_format=(
            "Код проверки состоит из двенадцати латинских букв и цифр, например K7QM-9XDP-2HTA."
        ),
    ),
    "fr": PageText(
        title="Vérification d’un certificat",
        valid="Certificat valide",
        revoked="Certificat révoqué",
        superseded="Certificat remplacé",
        revoked_on="Révoqué le {date}.",
        superseded_note=(
            "Le {date}, ce certificat a été remplacé par un certificat corrigé. "
            "Demandez à son titulaire le certificat en vigueur."
        ),
        reason="Motif",
        holder="Décerné à",
        administration="Administration",
        course="Formation",
        completed_on="Terminé le",
        code="Code de vérification",
        sha256="SHA-256 du PDF",
        not_found="Aucun certificat ne porte ce code de vérification.",
        malformed="Ce n’est pas un code de vérification.",
        code_format=(
            "Un code de vérification compte douze lettres et chiffres, par exemple K7QM-9XDP-2HTA."
        ),
    ),
}


def wants_html() -> bool:
    """Whether the client prefers HTML to JSON (ties, and ``*/*``, go to JSON)."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def page_language() -> str:
    """``?lang=`` when it is en, ru or fr; else the best ``Accept-Language`` match; else en."""
    explicit = request.args.get("lang")
    if explicit in TEXTS:
        return explicit
    best: str | None = request.accept_languages.best_match(tuple(TEXTS))
    return best or FALLBACK_LANGUAGE


def _written(value: date | datetime | None, language: str) -> str:
    if value is None:
        return ""
    return format_date(value.date() if isinstance(value, datetime) else value, language)


def record_page(record: PublicRecord) -> Response:
    """The page stating ``record``, dates written out in the page's language."""
    language = page_language()
    dates = {
        name: _written(getattr(record, name), language)
        for name in ("completed_on", "revoked_at", "superseded_at")
    }
    return _page(200, language, record={**asdict(record), **dates})


def refusal_page(status: int, *, malformed: bool) -> Response:
    """The page saying a code is malformed (400) or unknown (404)."""
    return _page(status, page_language(), malformed=malformed)


def _page(status: int, language: str, **values: object) -> Response:
    html = render_template(
        TEMPLATE, text=TEXTS[language], language=language, issuer=issuer().name, **values
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Content-Language"] = language
    return response
