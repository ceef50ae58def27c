"""Fixtures of the certificate tests: trainees who complete courses, and what was stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from elearn.accounts.models import Role, User
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service import issuing
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.outbox import OutboxMessage
from elearn.infra.storage import LocalStorage
from tests.enrolments.conftest import Learning, Outline, committed_data, frozen
from tests.factories import Factory, Person

# Fixtures shared with the learning tests.
__all__ = ["committed_data", "frozen"]


@dataclass
class Graduate:
    """A trainee who completed a course, and the certificate that completion issued."""

    person: Person
    course: Outline
    enrolment_id: int
    public_id: str
    code: str


@dataclass
class HeldBack:
    """A pending certificate whose render message was never sent, and its outbox row."""

    certificate: Certificate
    message_id: int


class Graduation:
    """Arranges completed enrolments through the API, and reads certificates back."""

    def __init__(self, app: Flask, client: FlaskClient, make: Factory) -> None:
        self.app = app
        self.client = client
        self.make = make
        self.learning = Learning(app, client)

    def trainee(
        self, administration: str | None = "AZ", *, language: str = "en", **fields: Any
    ) -> Person:
        person = self.make.user(Role.TRAINEE, administration=administration, **fields)
        with self.app.app_context():
            db.session.execute(update(User).where(User.id == person.id).values(language=language))
            db.session.commit()
        return person

    def course(self, **settings: Any) -> Outline:
        settings.setdefault("estimated_minutes", 90)
        return self.learning.course("text", "text", **settings)

    def complete(self, person: Person, course: Outline) -> int:
        """Enrol ``person`` and complete every lesson; the enrolment id."""
        enrolment = self.learning.enrol(person, course)
        for lesson in course.lessons:
            response = self.learning.complete(person, enrolment["id"], lesson)
            assert response.status_code == 200, response.get_json()
        return int(enrolment["id"])

    def graduate(self, person: Person | None = None, course: Outline | None = None) -> Graduate:
        person = person or self.trainee()
        course = course or self.course()
        enrolment_id = self.complete(person, course)
        certificate = self.certificate_of(enrolment_id)
        return Graduate(
            person, course, enrolment_id, certificate.public_id, certificate.verification_code
        )

    def held_back(self, monkeypatch: pytest.MonkeyPatch, count: int = 1) -> list[HeldBack]:
        """``count`` trainees complete a course with the render messages held back (as when the
        broker is down at commit time): their pending certificates and outbox row ids."""
        with monkeypatch.context() as held_back:
            held_back.setattr(outbox, "dispatch", lambda *_args, **_kwargs: None)
            course = self.course()
            enrolment_ids = [self.complete(self.trainee(), course) for _ in range(count)]
        with self.app.app_context():
            messages = db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.task == issuing.RENDER_TASK)
            ).all()
            message_of = {message.kwargs["certificate_id"]: message.id for message in messages}
        pending = [self.certificate_of(enrolment_id) for enrolment_id in enrolment_ids]
        assert {certificate.status for certificate in pending} == {CertificateStatus.PENDING}
        return [HeldBack(certificate, message_of[certificate.id]) for certificate in pending]

    def certificate_of(self, enrolment_id: int) -> Certificate:
        """The enrolment's newest certificate, detached."""
        return self.certificates(enrolment_id)[-1]

    def certificates(self, enrolment_id: int | None = None) -> list[Certificate]:
        with self.app.app_context():
            query = select(Certificate).order_by(Certificate.id)
            if enrolment_id is not None:
                query = query.where(Certificate.enrolment_id == enrolment_id)
            rows = list(db.session.scalars(query))
            db.session.expunge_all()
            return rows

    def by_public_id(self, public_id: str) -> Certificate:
        with self.app.app_context():
            row = db.session.scalar(select(Certificate).where(Certificate.public_id == public_id))
            assert row is not None
            db.session.expunge(row)
            return row

    def failed(self, **values: Any) -> str:
        """A graduate whose certificate then failed for a real reason (and ``values``); its
        public id."""
        public_id = self.graduate().public_id
        failure = {"status": CertificateStatus.FAILED, "failure_reason": "The file store failed."}
        self.change(public_id, **failure, **values)
        return public_id

    def change(self, public_id: str, **values: Any) -> None:
        """Set columns of a certificate directly (to arrange a state the API never leaves)."""
        with self.app.app_context():
            db.session.execute(
                update(Certificate).where(Certificate.public_id == public_id).values(**values)
            )
            db.session.commit()


@pytest.fixture
def graduation(app: Flask, client: FlaskClient, make: Factory) -> Graduation:
    return Graduation(app, client, make)


@pytest.fixture
def media(app: Flask) -> Path:
    """The folder of the test app's store (LocalStorage, shared by the whole session)."""
    local: LocalStorage = app.extensions["elearn.storage"]
    return local.root


def stored_keys(root: Path, prefix: str = "certificates") -> set[str]:
    """The keys of the objects under ``prefix`` in a LocalStorage folder."""
    folder = root / prefix
    if not folder.is_dir():
        return set()
    return {f"{prefix}/{path.name}" for path in folder.iterdir()}
