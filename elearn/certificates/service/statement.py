"""What a certificate states: taken from the enrolment once, then read from the certificate only.

The snapshot is made when the enrolment completes, in the trainee's language: the holder's
name, their administration's name, the course title (the course's default language when it has
no text in the trainee's), the completion date and the course's duration. Rendering, signing,
verification and exports read the snapshot, so renaming a course or moving a trainee to another
administration later changes no certificate; a reissue takes a corrected name.
"""

from __future__ import annotations

import re
from typing import Any

from elearn.certificates.models import Certificate
from elearn.certificates.rendering.labels import FALLBACK_LANGUAGE
from elearn.certificates.service.content import Achievement, CertificateContent, Issuer
from elearn.config import current_settings
from elearn.courses.models import Course, CourseStatus, QuizRule
from elearn.enrolments.models import Enrolment
from elearn.errors import NotFound

PDF_CONTENT_TYPE = "application/pdf"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CERTIFYING_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED)
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')

# How the course is earned, for the credential's criteria: lessons, then quizzes if they count.
_CRITERIA = {
    "en": (
        "Completed every {lessons} lesson of the course.",
        "Completed every {lessons} lesson of the course and passed its quizzes "
        "(pass mark {pass_mark}%).",
        {"required": "required", "all": ""},
    ),
    "ru": (
        "Пройдены все {lessons} уроки курса.",
        "Пройдены все {lessons} уроки курса и сданы его тесты (проходной балл {pass_mark}%).",
        {"required": "обязательные", "all": ""},
    ),
    "fr": (
        "A suivi toutes les leçons {lessons} de la formation.",
        "A suivi toutes les leçons {lessons} de la formation et réussi ses quiz "
        "(note de passage\u00a0: {pass_mark}\u00a0%).",
        {"required": "obligatoires", "all": ""},
    ),
}


def snapshot(enrolment: Enrolment) -> dict[str, Any]:
    """The values a certificate of ``enrolment`` states, in the trainee's language."""
    trainee, course = enrolment.user, enrolment.course
    language = trainee.language
    if enrolment.completed_at is None:
        raise ValueError(f"enrolment {enrolment.id} is not completed")
    return {
        "language": language,
        "holder_name": trainee.full_name,
        "administration_name": (
            trainee.administration.name(language) if trainee.administration else None
        ),
        "course_title": course_title(course, language),
        "completed_on": enrolment.completed_at.date(),
        "duration_minutes": course.estimated_minutes,
    }


def course_title(course: Course, language: str) -> str:
    """The course's title in ``language``, else in its default language."""
    return course.title_in(language)


def content_of(certificate: Certificate) -> CertificateContent:
    """What the PDF and the credential print, from the certificate's snapshot."""
    return CertificateContent(
        verification_code=certificate.verification_code,
        trainee_name=certificate.holder_name,
        administration_name=certificate.administration_name,
        course_title=certificate.course_title,
        completed_on=certificate.completed_on,
        duration_minutes=certificate.duration_minutes,
        language=certificate.language,
    )


def issuer() -> Issuer:
    return Issuer.from_settings(current_settings())


def achievement_of(course: Course, language: str, by: Issuer) -> Achievement:
    """The course as an Open Badges achievement: its address, summary and completion rule."""
    translation = course.translation(language) or course.translation(course.default_language)
    summary = translation.summary if translation is not None else ""
    lessons_only, with_quizzes, rules = _CRITERIA.get(language, _CRITERIA[FALLBACK_LANGUAGE])
    sentence = with_quizzes if course.completion_quizzes == QuizRule.REQUIRED else lessons_only
    criteria = sentence.format(
        lessons=rules.get(course.completion_lessons, ""), pass_mark=course.pass_mark
    )
    return Achievement(
        id=f"{by.public_base_url}/credentials/achievements/{course.id}",
        description=summary or course_title(course, language),
        criteria=" ".join(criteria.split()),
    )


def achievement_document(course: Course, language: str) -> dict[str, Any]:
    """The public description behind a credential's ``achievement.id`` (Open Badges 3.0
    Achievement); only courses that certify (published or archived) have one."""
    if course.status not in CERTIFYING_STATUSES:
        raise NotFound("No such achievement.")
    if language not in course.languages:
        language = course.default_language
    achievement = achievement_of(course, language, issuer())
    return {
        "@context": [VC_CONTEXT, OPEN_BADGES_CONTEXT],
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": course_title(course, language),
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria},
        "inLanguage": language,
    }


def pdf_filename(certificate: Certificate) -> str:
    """The file name a downloaded PDF (or a zip member) gets: holder's name and code."""
    name = _UNSAFE_IN_FILENAME.sub(" ", certificate.holder_name)
    return f"{' '.join(name.split())[:120]} - {certificate.verification_code}.pdf"
