"""Every rule of the policy answers the same for one record as for a list.

For each registered rule and each actor of the authorization table, over a data set that
varies everything the rules look at (course status, owners, restrictions of courses and runs,
administrations and roles of people), a record passes ``check`` exactly when the rule's
``filter`` selects it. Rules are taken from the policy's registry, so a new one is tested as
soon as it exists. Anonymous callers never reach the policy (401 first), so they have no row.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from elearn import clock, policy
from elearn.accounts.models import Administration, Role, User
from elearn.certificates.models import Certificate, CertificateJob, JobKind
from elearn.courses.models import Course, CourseOwner, CourseStatus, Lesson, Module
from elearn.enrolments.models import Assignment, CourseRun, Enrolment, SeatRequest
from elearn.extensions import db
from elearn.policy import RULES, Rule
from elearn.quizzes.models import Attempt

ADMINISTRATIONS = ("AZ", "GE", "KZ")
ACTORS = {
    "trainee": ({Role.TRAINEE}, "AZ"),
    "trainee_of_another_administration": ({Role.TRAINEE}, "GE"),
    "trainer": ({Role.TRAINER}, None),
    "contact_point": ({Role.CONTACT_POINT}, "AZ"),
    "other_contact_point": ({Role.CONTACT_POINT}, "GE"),
    "admin": ({Role.ADMIN}, None),
}
# People who are only ever looked at: other roles, no administration, several roles at once.
OTHERS = (
    ({Role.TRAINEE}, "KZ"),
    ({Role.TRAINEE}, None),
    ({Role.TRAINEE}, "AZ"),
    ({Role.TRAINEE, Role.TRAINER}, "AZ"),
    ({Role.TRAINER}, "GE"),
    ({Role.CONTACT_POINT, Role.TRAINEE}, "AZ"),
)
RESTRICTIONS: tuple[tuple[str, ...], ...] = ((), ("AZ",), ("GE",), ("AZ", "GE"), ("KZ",))


def test_every_rule_judges_a_model() -> None:
    assert RULES, "the policy registers no rule"
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)), "two rules share a name"
    assert all(isinstance(rule, Rule) and hasattr(rule.model, "id") for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_check_and_filter_agree(app: Flask, rule: Rule[Any]) -> None:
    with app.app_context():
        actors = _data_set()
        records = list(db.session.scalars(select(rule.model).order_by(rule.model.id)))
        assert records, f"the data set has no {rule.model.__name__}"
        seen: set[bool] = set()
        for name, actor in actors.items():
            checked = {record.id for record in records if rule.check(actor, record)}
            filtered = set(db.session.scalars(select(rule.model.id).where(rule.filter(actor))))
            assert checked == filtered, (
                f"{rule.name} as {name}: only the check allows {sorted(checked - filtered)}, "
                f"only the filter allows {sorted(filtered - checked)}"
            )
            seen.update(record.id in checked for record in records)
        assert seen == {True, False}, f"{rule.name}: the data set never tells allowed from refused"


def test_a_filter_for_any_actor_selects_what_each_actors_filter_selects(app: Flask) -> None:
    with app.app_context():
        actors = _data_set()
        built = [rule for rule in RULES if _built_for_any_actor(rule) is not None]
        assert policy.enrolments.held in built
        for rule in built:
            statement = select(rule.model.id).where(rule.filter_for_any_actor())
            for name, actor in actors.items():
                parameters = policy.actor_parameters(actor)
                anyone = set(db.session.scalars(statement, parameters))
                own = set(db.session.scalars(select(rule.model.id).where(rule.filter(actor))))
                assert anyone == own, f"{rule.name} as {name}"


def test_a_filter_for_any_actor_refuses_a_rule_that_asks_the_actors_roles() -> None:
    with pytest.raises(TypeError, match="has_role"):
        policy.enrolments.visible.filter_for_any_actor()


def _built_for_any_actor(rule: Rule[Any]) -> Any:
    try:
        return rule.filter_for_any_actor()
    except TypeError:
        return None


def _data_set() -> dict[str, User]:
    """The actors, after rows covering every combination the rules look at."""
    clock_now = clock.now()
    administrations = {
        code: Administration(code=code, names={"en": code}, region="Europe")
        for code in ADMINISTRATIONS
    }
    people = iter(itertools.count(1))

    def person(roles: set[Role], code: str | None) -> User:
        number = next(people)
        user = User(
            email=f"agreement{number}@customs.test",
            full_name=f"Person {number}",
            administration=administrations[code] if code else None,
        )
        user.roles = frozenset(roles)
        return user

    actors = {name: person(roles, code) for name, (roles, code) in ACTORS.items()}
    others = [person(roles, code) for roles, code in OTHERS]
    everyone = [*actors.values(), *others]
    trainers = [actors["trainer"], others[3]]
    db.session.add_all(everyone)

    owner_sets = ((), (trainers[0],), (trainers[1],), tuple(trainers))
    combinations = itertools.product(CourseStatus, RESTRICTIONS, owner_sets)
    courses = []
    for number, (status, restriction, owners) in enumerate(combinations):
        course = Course(slug=f"agreement-{number}", code=f"A{number}", default_language="en")
        course.status = status
        course.restrict_to(administrations[code] for code in restriction)
        course.owner_links = [CourseOwner(user=owner) for owner in owners]
        courses.append(course)
    db.session.add_all(courses)
    db.session.flush()

    runs = []
    for course, restriction in itertools.product(courses, RESTRICTIONS[:3]):
        run = CourseRun(course_id=course.id, name=f"run {'/'.join(restriction) or 'open'}")
        run.restrict_to(administrations[code] for code in restriction)
        runs.append(run)
    db.session.add_all(runs)
    db.session.flush()

    for course, code in itertools.product(courses[::9], ADMINISTRATIONS):
        db.session.add(
            Assignment(
                administration=administrations[code],
                course_id=course.id,
                target="all",
                due_at=clock_now,
            )
        )

    for number, (run, user) in enumerate(itertools.product(runs[::5], everyone)):
        if number % 2 == 0:
            db.session.add(SeatRequest(run_id=run.id, user=user, requested_at=clock_now))

    enrolments = []
    for number, (course, user) in enumerate(itertools.product(courses, everyone)):
        if number % 3 == 0:
            enrolments.append(Enrolment(user=user, course=course, enrolled_at=clock_now))
    db.session.add_all(enrolments)
    db.session.flush()

    lessons = {}
    for course in {enrolment.course.id: enrolment.course for enrolment in enrolments}.values():
        module = Module(course=course, key="m")
        lessons[course.id] = Lesson(course_id=course.id, module=module, key="quiz")
        db.session.add(lessons[course.id])
    db.session.flush()

    for number, enrolment in enumerate(enrolments):
        if number % 2 == 0:
            db.session.add(_attempt(enrolment, lessons[enrolment.course_id].id))
        if number % 2 == 1:
            db.session.add(_certificate(enrolment, number))
    for course, code in itertools.product(courses[::7], (*ADMINISTRATIONS, None)):
        db.session.add(
            CertificateJob(
                kind=JobKind.EXPORT if code else JobKind.RERENDER,
                course_id=course.id,
                administration=administrations[code] if code else None,
            )
        )
    db.session.flush()
    # Checks load what they follow, as in a request, rather than reuse the builder's objects.
    db.session.expire_all()
    return actors


def _attempt(enrolment: Enrolment, lesson_id: int) -> Attempt:
    return Attempt(
        lesson_id=lesson_id,
        enrolment=enrolment,
        user_id=enrolment.user_id,
        number=1,
        language="en",
        started_at=clock.now(),
        pass_mark=70,
        questions=[],
    )


def _certificate(enrolment: Enrolment, number: int) -> Certificate:
    return Certificate(
        public_id=f"agreement{number:013d}",
        verification_code=f"AGR-{number:010d}",
        enrolment=enrolment,
        language="en",
        holder_name=enrolment.user.full_name,
        course_title=enrolment.course.code,
        completed_on=date(2026, 1, 1),
        duration_minutes=60,
        pdf_key=f"certificates/agreement-{number}.pdf",
    )
