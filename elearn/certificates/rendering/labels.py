"""The certificate's wording, dates and durations in English, Russian and French."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Labels:
    title: str
    awarded_to: str
    for_completing: str
    completed_on: str
    duration: str
    verification_code: str
    verify_at: str


LABELS: dict[str, Labels] = {
    "en": Labels(
        title="Certificate of Completion",
        awarded_to="This certificate is awarded to",
        for_completing="for successfully completing the course",
        completed_on="Date of completion",
        duration="Duration",
        verification_code="Verification code",
        verify_at="Check its authenticity at",
    ),
    "ru": Labels(
        title="Сертификат об окончании курса",
        awarded_to="Настоящий сертификат выдан",
        for_completing="в подтверждение успешного окончания курса",
        completed_on="Дата окончания",
        duration="Продолжительность",
        verification_code="Код проверки",
        verify_at="Проверить подлинность:",
    ),
    "fr": Labels(
        title="Certificat de réussite",
        awarded_to="Ce certificat est décerné à",
        for_completing="pour avoir suivi avec succès la formation",
        completed_on="Date d’achèvement",
        duration="Durée",
        verification_code="Code de vérification",
        verify_at="Vérifier son authenticité\u00a0:",
    ),
}

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    # Russian dates put the month in the genitive: «14 марта».
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


def labels_for(language: str) -> Labels:
    return LABELS.get(language, LABELS[FALLBACK_LANGUAGE])


def format_date(day: date, language: str) -> str:
    """A date written out as people of that language write it on a document."""
    language = language if language in LABELS else FALLBACK_LANGUAGE
    month = _MONTHS[language][day.month - 1]
    if language == "ru":
        return f"{day.day}\u00a0{month} {day.year}\u00a0г."
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day}\u00a0{month} {day.year}"
    return f"{day.day}\u00a0{month} {day.year}"


def _english(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _french(count: int, one: str, many: str) -> str:
    return one if count in (0, 1) else many


def _russian(count: int, one: str, few: str, many: str) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


_UNITS: dict[str, tuple[Callable[[int], str], Callable[[int], str]]] = {
    "en": (
        lambda n: _english(n, "hour", "hours"),
        lambda n: _english(n, "minute", "minutes"),
    ),
    "ru": (
        lambda n: _russian(n, "час", "часа", "часов"),
        lambda n: _russian(n, "минута", "минуты", "минут"),
    ),
    "fr": (
        lambda n: _french(n, "heure", "heures"),
        lambda n: _french(n, "minute", "minutes"),
    ),
}


def format_duration(minutes: int, language: str) -> str:
    """Hours and minutes in words, with the plural forms the language requires."""
    hour_word, minute_word = _UNITS.get(language, _UNITS[FALLBACK_LANGUAGE])
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours}\u00a0{hour_word(hours)}")
    if rest or not hours:
        parts.append(f"{rest}\u00a0{minute_word(rest)}")
    return " ".join(parts)
