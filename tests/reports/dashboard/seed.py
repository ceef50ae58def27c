"""An administration with a few months of training behind it, written straight to the database.

Officers of AZ in six courses: completions spread over the last twelve weeks, some overdue,
some idle, and two mandatory assignments. Deterministic (seeded), so figures are repeatable.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from elearn import clock
from elearn.accounts import headcounts
from elearn.accounts.models import Administration, Role, User
from elearn.courses.models import Course, CourseTranslation
from elearn.enrolments.models import AssignedPerson, Assignment, Enrolment
from elearn.enrolments.service import tallies
from elearn.extensions import db

COURSES = (
    ("VAL-101", "Customs valuation", "Таможенная стоимость", "Valeur en douane"),
    (
        "HS-200",
        "Tariff classification (HS)",
        "Классификация по ТН ВЭД",
        "Classement tarifaire (SH)",
    ),
    ("ROO-110", "Rules of origin", "Правила происхождения", "Règles d'origine"),
    ("RM-300", "Risk management", "Управление рисками", "Gestion des risques"),
    ("ETH-100", "Integrity and ethics", "Этика и добросовестность", "Intégrité et éthique"),
    ("AEO-210", "Authorised economic operators", "Уполномоченные операторы", "Opérateurs agréés"),
)
NAMES = (
    "Aliyev Rashad",
    "Mammadova Leyla",
    "Hasanov Elvin",
    "Guliyeva Nigar",
    "Ismayilov Tural",
    "Huseynova Aysel",
    "Abbasov Kamran",
    "Rzayeva Sabina",
    "Karimov Orkhan",
    "Jafarova Gunel",
    "Safarov Emin",
    "Valiyeva Lala",
    "Quliyev Farid",
    "Babayeva Narmin",
    "Mustafayev Ilkin",
    "Ahmadova Sevinj",
    "Nasirov Ruslan",
    "Aliyeva Konul",
    "Hajiyev Vusal",
    "Ibrahimova Aynur",
    "Musayev Anar",
    "Zeynalova Fidan",
    "Orujov Samir",
    "Hasanova Gulnar",
)


def seed(app: Flask, code: str = "AZ") -> None:
    """Courses, officers of ``code``, their enrolments and two assignments (committed)."""
    rng = random.Random(11)
    now = clock.now()
    with app.app_context():
        administration = db.session.scalar(
            select(Administration).where(Administration.code == code)
        )
        assert administration is not None
        courses = []
        for course_code, en, ru, fr in COURSES:
            course = Course(
                slug=f"dashboard-{course_code.lower()}",
                code=course_code,
                default_language="en",
                status="published",
            )
            course.translations = [
                CourseTranslation(lang="en", title=en),
                CourseTranslation(lang="ru", title=ru),
                CourseTranslation(lang="fr", title=fr),
            ]
            courses.append(course)
        officers = []
        for number, name in enumerate(NAMES):
            officer = User(
                email=f"officer{number}@customs.gov.az",
                full_name=name,
                administration_id=administration.id,
            )
            officer.roles = frozenset({Role.TRAINEE})
            officers.append(officer)
        db.session.add_all([*courses, *officers])
        db.session.flush()
        for index, course in enumerate(courses):
            share = (0.9, 0.8, 0.65, 0.5, 0.95, 0.35)[index]
            for officer in officers:
                if rng.random() > share:
                    continue
                db.session.add(_enrolment(rng, officer, course, now))
        db.session.flush()
        for course, weeks in ((courses[4], 3), (courses[0], -2)):
            assignment = Assignment(
                administration_id=administration.id,
                course_id=course.id,
                target="all",
                due_at=now + timedelta(weeks=weeks),
            )
            db.session.add(assignment)
            db.session.flush()
            enrolled = db.session.scalars(
                select(Enrolment.user_id).where(Enrolment.course_id == course.id)
            )
            db.session.add_all(
                AssignedPerson(assignment_id=assignment.id, user_id=user_id, assigned_at=now)
                for user_id in enrolled
            )
        # The rows went in directly, past the services that keep the rollups: rebuild them.
        db.session.flush()
        tallies.recount()
        headcounts.recount()
        db.session.commit()


def _enrolment(rng: random.Random, officer: User, course: Course, now: datetime) -> Enrolment:
    enrolled_at = now - timedelta(days=rng.randint(20, 120))
    roll = rng.random()
    enrolment = Enrolment(
        user_id=officer.id,
        course_id=course.id,
        enrolled_at=enrolled_at,
        source="assignment",
        due_at=enrolled_at + timedelta(days=60),
    )
    if roll < 0.55:
        enrolment.status = "completed"
        enrolment.progress_percent = 100
        enrolment.completed_at = now - timedelta(days=rng.randint(0, 83), hours=2)
        enrolment.last_activity_at = enrolment.completed_at
    else:
        enrolment.status = "active"
        enrolment.progress_percent = rng.choice((0, 20, 40, 60, 80))
        if enrolment.progress_percent:
            enrolment.started_at = enrolled_at + timedelta(days=1)
            enrolment.last_activity_at = now - timedelta(days=rng.randint(1, 40))
    return enrolment
