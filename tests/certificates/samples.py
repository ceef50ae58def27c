"""Certificates used by the tests, the sample image in docs/ and the benchmark."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from elearn.certificates.service.content import Achievement, CertificateContent, Issuer

ISSUER = Issuer(
    name="WCO Europe Regional Training Centre",
    signatory_name="Anna Kowalska",
    signatory_title="Head of the Regional Training Centre",
    public_base_url="http://elearn.test",
)

RUSSIAN = CertificateContent(
    verification_code="K7QM-9XDP-2HTA",
    trainee_name="Константинопольская-Ивановская Александра Вячеславовна",
    administration_name="Государственный таможенный комитет Азербайджанской Республики",
    course_title=(
        "Классификация товаров по Гармонизированной системе описания и кодирования товаров: "
        "углублённый курс для инспекторов пунктов пропуска"
    ),
    completed_on=date(2026, 3, 14),
    duration_minutes=750,
    language="ru",
)

ENGLISH = replace(
    RUSSIAN,
    trainee_name="Giorgi Beridze",
    administration_name="Georgia Revenue Service",
    course_title="Customs Valuation: the Transaction Value Method",
    completed_on=date(2026, 5, 2),
    duration_minutes=60,
    language="en",
)

FRENCH = replace(
    RUSSIAN,
    trainee_name="Éloïse Lefèvre-Dubœuf",
    administration_name="Direction générale des douanes et droits indirects",
    course_title="Règles d’origine préférentielle et cumul diagonal",
    completed_on=date(2026, 6, 1),
    duration_minutes=95,
    language="fr",
)

ACHIEVEMENT = Achievement(
    id="http://elearn.test/credentials/achievements/42",
    description="Tariff classification of goods under the Harmonized System.",
    criteria="Completed every lesson and passed the final quiz with at least 70%.",
)

LONG_NAME = " ".join(["Абдурахмангаджиев-Оглы Мухаммедали"] * 6)[:200]
LONG_WORD = "Щ" * 200
LONG_TITLE = " ".join(["Таможенное администрирование и контроль перемещения товаров"] * 6)

EXTREME = [
    replace(RUSSIAN, trainee_name=LONG_NAME, course_title=LONG_TITLE),
    replace(RUSSIAN, trainee_name=LONG_WORD, course_title=LONG_WORD, administration_name=LONG_WORD),
    replace(ENGLISH, trainee_name="W" * 200, course_title=" ".join(["Wide"] * 120)),
    replace(FRENCH, administration_name=LONG_TITLE, duration_minutes=99_999),
    replace(ENGLISH, trainee_name="X", course_title="Y", administration_name=None),
]

EXTREME_ISSUER = Issuer(
    name=LONG_TITLE,
    signatory_name=LONG_NAME,
    signatory_title=LONG_TITLE,
    public_base_url="https://" + "very-long-subdomain." * 8 + "example.org",
)
