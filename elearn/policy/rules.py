"""Rules built from generators: one object answers both "may this actor see this record?" and
"which records may this actor see?", so a list can never show what a check would refuse.

A generator is one reason to allow (the actor is an admin, owns the course, is the person
themself ...). It gives ``allows(actor, record)`` for one loaded record and ``where(actor)``, the
same reason as a SQL condition on the record's table. Generators compose with ``|`` and ``&``
and follow relationships with ``Via``; a ``Rule`` wraps one generator with the model it judges
and registers itself, so the agreement test (tests/policy) reaches every rule.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Integer, and_, bindparam, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import False_, True_

from elearn.accounts.models import AdministrationRestricted, Role, User

R = TypeVar("R", contravariant=True)
S = TypeVar("S")
T = TypeVar("T")


class Generator(ABC, Generic[R]):
    """One reason to allow, as a check for one record and as a filter for a list."""

    @abstractmethod
    def allows(self, actor: User, record: R) -> bool: ...

    @abstractmethod
    def where(self, actor: User) -> ColumnElement[bool]: ...

    def __or__(self: Generator[S], other: Generator[S]) -> Generator[S]:
        return Combined(self, other, every=False)

    def __and__(self: Generator[S], other: Generator[S]) -> Generator[S]:
        return Combined(self, other, every=True)


class Combined(Generator[R]):
    """Parts joined the same way in Python and in SQL: any of them, or all of them."""

    def __init__(self, *parts: Generator[R], every: bool) -> None:
        self.parts = parts
        self.every = every

    def allows(self, actor: User, record: R) -> bool:
        answers = (part.allows(actor, record) for part in self.parts)
        return all(answers) if self.every else any(answers)

    def where(self, actor: User) -> ColumnElement[bool]:
        # Constants are folded here (SQLAlchemy keeps "true OR false"), so that an admin's
        # filter is plain TRUE and a part that cannot hold adds no subquery per row.
        decisive, neutral = (False_, True_) if self.every else (True_, False_)
        clauses = []
        for part in self.parts:
            clause = part.where(actor)
            if isinstance(clause, decisive):
                return clause
            if not isinstance(clause, neutral):
                clauses.append(clause)
        if not clauses:
            return false() if decisive is True_ else true()
        return (and_ if self.every else or_)(*clauses)


class ActorIs(Generator[Any]):
    """A reason about the actor alone (a role): every record or none."""

    def __init__(self, test: Callable[[User], bool]) -> None:
        self.test = test

    def allows(self, actor: User, record: Any) -> bool:
        return self.test(actor)

    def where(self, actor: User) -> ColumnElement[bool]:
        return true() if self.test(actor) else false()


def has_role(role: Role) -> ActorIs:
    return ActorIs(lambda actor: actor.has_role(role))


ADMIN = has_role(Role.ADMIN)
TRAINER = has_role(Role.TRAINER)
CONTACT_POINT = has_role(Role.CONTACT_POINT)
IN_AN_ADMINISTRATION = ActorIs(lambda actor: actor.administration_id is not None)
SIGNED_IN = ActorIs(lambda actor: actor.is_authenticated)


class Matches(Generator[Any]):
    """The record's column equals a value of the actor (their id, their administration)."""

    def __init__(self, column: InstrumentedAttribute[Any], of_actor: Callable[[User], Any]) -> None:
        self.column = column
        self.of_actor = of_actor

    def allows(self, actor: User, record: Any) -> bool:
        wanted = self.of_actor(actor)
        return wanted is not None and getattr(record, self.column.key) == wanted

    def where(self, actor: User) -> ColumnElement[bool]:
        wanted = self.of_actor(actor)
        return false() if wanted is None else self.column == wanted


class ColumnIn(Generator[Any]):
    """The record's column holds one of ``values``, whoever asks (a course's status)."""

    def __init__(self, column: InstrumentedAttribute[Any], values: Collection[Any]) -> None:
        self.column = column
        self.values = frozenset(values)

    def allows(self, actor: User, record: Any) -> bool:
        return getattr(record, self.column.key) in self.values

    def where(self, actor: User) -> ColumnElement[bool]:
        if len(self.values) == 1:
            return self.column == next(iter(self.values))
        return self.column.in_(sorted(self.values))


class AdmitsActor(Generator[AdministrationRestricted]):
    """The record's administration restriction admits the actor's administration."""

    def __init__(self, model: type[AdministrationRestricted]) -> None:
        self.model = model

    def allows(self, actor: User, record: AdministrationRestricted) -> bool:
        return record.admits(actor.administration_id)

    def where(self, actor: User) -> ColumnElement[bool]:
        return self.model.admits_clause(actor.administration_id)


class Via(Generator[Any]):
    """A generator of the record a many-to-one relationship leads to."""

    def __init__(self, relationship: InstrumentedAttribute[Any], inner: Generator[Any]) -> None:
        self.relationship = relationship
        self.inner = inner

    def allows(self, actor: User, record: Any) -> bool:
        related = getattr(record, self.relationship.key)
        return related is not None and self.inner.allows(actor, related)

    def where(self, actor: User) -> ColumnElement[bool]:
        inner = self.inner.where(actor)
        if isinstance(inner, False_) or (isinstance(inner, True_) and self._required):
            return inner
        return self.relationship.has(inner)

    @property
    def _required(self) -> bool:
        """Whether every record has the related one (a NOT NULL foreign key)."""
        return not any(column.nullable for column in self.relationship.property.local_columns)


RULES: list[Rule[Any]] = []


def person(column: InstrumentedAttribute[Any]) -> Generator[Any]:
    """The actor is the person ``column`` names (the trainee themself, the user themself)."""
    return Matches(column, lambda actor: actor.id)


def contact_point_of(column: InstrumentedAttribute[Any]) -> Generator[Any]:
    """The actor is the contact point of the administration ``column`` names."""
    return CONTACT_POINT & Matches(column, lambda actor: actor.administration_id)


class Rule(Generic[T]):
    """A permission on records of ``model``: ``check`` one, ``filter`` a list, same answer."""

    def __init__(self, name: str, model: type[T], allow: Generator[T]) -> None:
        self.name = name
        self.model = model
        self.allow = allow
        RULES.append(self)

    def __repr__(self) -> str:
        return f"Rule({self.name})"

    def check(self, actor: User, record: T) -> bool:
        return self.allow.allows(actor, record)

    def filter(self, actor: User) -> ColumnElement[bool]:
        return self.allow.where(actor)

    def filter_for_any_actor(self) -> ColumnElement[bool]:
        """``filter`` with the actor's facts as bound parameters (``actor_parameters`` gives
        them): a statement made with it is built once and serves every actor. Only for rules
        that compare columns with the actor's id or administration."""
        return self.allow.where(cast(User, AnyActor()))


class AnyActor:
    """Stands for the actor in ``Rule.filter_for_any_actor``; asking it anything but its id and
    administration (a role, say) fails when the filter is built."""

    id = bindparam("actor_id", type_=Integer)
    administration_id = bindparam("actor_administration_id", type_=Integer)

    def __getattr__(self, name: str) -> Any:
        raise TypeError(f"a filter for any actor cannot depend on the actor's {name}")


def actor_parameters(actor: User) -> dict[str, int | None]:
    """The values of ``AnyActor``'s parameters for ``actor``."""
    return {
        AnyActor.id.key: actor.id,
        AnyActor.administration_id.key: actor.administration_id,
    }


class Permission:
    """A permission about the actor alone (may create courses, may list audit events)."""

    def __init__(self, allow: Generator[Any]) -> None:
        self.allow = allow

    def check(self, actor: User) -> bool:
        return self.allow.allows(actor, None)
