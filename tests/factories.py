"""Arrange helpers: create rows inside their own app context and hand back plain records."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from elearn.accounts import headcounts, tokens
from elearn.accounts.models import Administration, Role, User
from elearn.accounts.passwords import hash_password
from elearn.extensions import db

DEFAULT_PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@dataclass
class Person:
    id: int
    email: str
    administration: str | None
    roles: frozenset[Role]
    token: str
    password: str = DEFAULT_PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def administration(self, code: str = "AZ", **overrides: Any) -> str:
        with self.app.app_context():
            if db.session.scalar(select(Administration.id).where(Administration.code == code)):
                return code
            values = {
                "code": code,
                "names": {
                    "en": f"Customs of {code}",
                    "ru": f"Таможня {code}",
                    "fr": f"Douane {code}",
                },
                "region": "Europe",
            }
            db.session.add(Administration(**{**values, **overrides}))
            db.session.commit()
        return code

    def user(
        self,
        *roles: Role,
        administration: str | None = "AZ",
        email: str | None = None,
        full_name: str | None = None,
        active: bool = True,
        password: str = DEFAULT_PASSWORD,
        personnel_number: str | None = None,
        unit: str | None = None,
    ) -> Person:
        if administration is not None:
            self.administration(administration)
        number = next(_sequence)
        with self.app.app_context():
            admin_id = (
                db.session.scalar(
                    select(Administration.id).where(Administration.code == administration)
                )
                if administration
                else None
            )
            user = User(
                email=email or f"person{number}@customs.test",
                full_name=full_name or f"Person {number}",
                administration_id=admin_id,
                password_hash=hash_password(password),
                active=True,
                personnel_number=personnel_number,
                unit=unit,
            )
            user.roles = frozenset(roles or {Role.TRAINEE})
            db.session.add(user)
            db.session.flush()
            _, secret = tokens.create_token(user, "tests", None)
            user.active = active
            headcounts.count(None, headcounts.standing(user))
            db.session.commit()
            return Person(user.id, user.email, administration, user.roles, secret, password)

    def count(self, model: type[Any], **where: Any) -> int:
        with self.app.app_context():
            statement = select(func.count()).select_from(model)
            for name, value in where.items():
                statement = statement.where(getattr(model, name) == value)
            return int(db.session.scalar(statement) or 0)

    def all(self, model: type[Any], **where: Any) -> list[Any]:
        """Detached rows of ``model`` matching ``where``, in primary-key order."""
        with self.app.app_context():
            statement = select(model).filter_by(**where).order_by(*model.__mapper__.primary_key)
            rows = list(db.session.scalars(statement))
            for row in rows:
                db.session.expunge(row)
            return rows

    def get(self, model: type[Any], ident: Any) -> Any:
        with self.app.app_context():
            row = db.session.get(model, ident)
            if row is not None:
                db.session.expunge(row)
            return row
