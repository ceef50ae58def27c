"""Importing officers from a CSV file: create new ones, update personnel numbers and units.

An import is all or nothing: every line is checked first, and when any line is refused (a bad
cell, an email or personnel number twice in the file, a personnel number another officer
already has, an email of someone who is not an officer of the administration) nothing changes
and the problem names each refused line. A file that passes is applied in one transaction and
every line reports ``created``, ``updated`` or ``unchanged``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import marshmallow as ma
from sqlalchemy import select

from elearn.accounts import service
from elearn.accounts.models import Administration, Role, User
from elearn.accounts.schemas import OfficerRowSchema
from elearn.audit import service as audit_log
from elearn.csv_upload import read_table
from elearn.errors import Invalid
from elearn.extensions import db

OFFICER_FIELDS = ("full_name", "language", "personnel_number", "unit")


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RowResult:
    row: int
    email: str
    outcome: Outcome
    user_id: int | None


@dataclass(frozen=True)
class ImportResult:
    administration: str
    rows: list[RowResult]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Line:
    row: int
    values: dict[str, Any]
    person: User | None

    @property
    def email(self) -> str:
        return str(self.values["email"])

    def changes(self) -> dict[str, Any]:
        """The fields this line changes on its existing officer."""
        assert self.person is not None
        return {
            name: value
            for name, value in self.values.items()
            if name in OFFICER_FIELDS and getattr(self.person, name) != value
        }


def import_officers(
    actor: User, administration: Administration, data: bytes, max_rows: int
) -> ImportResult:
    """Create or update the officers the CSV lists (header ``email``, optionally ``full_name``,
    ``personnel_number``, ``unit``, ``language``); all lines or none."""
    table = read_table(data, required=("email",), max_rows=max_rows)
    lines, refusals = _parsed(table)
    lines = _with_people(lines, administration, refusals)
    _check_personnel_numbers(lines, administration, refusals)
    if refusals:
        raise Invalid(
            f"{len(refusals)} line(s) of the file are refused; nothing was imported.",
            errors={f"row {row}": [reason] for row, reason in sorted(refusals.items())},
        )
    results = _apply(actor, administration, lines)
    counts = Counter(result.outcome.value for result in results)
    audit_log.record(
        actor,
        "user.imported",
        "administration",
        administration.code,
        administration_id=administration.id,
        **{outcome.value: counts[outcome.value] for outcome in Outcome},
    )
    db.session.flush()
    return ImportResult(
        administration.code,
        results,
        {outcome.value: counts[outcome.value] for outcome in Outcome},
    )


def _parsed(table: list[tuple[int, dict[str, str]]]) -> tuple[list[_Line], dict[int, str]]:
    """Each line validated, numbered as in the file (the header is line 1)."""
    schema = OfficerRowSchema()
    lines: list[_Line] = []
    refusals: dict[int, str] = {}
    for row, cells in table:
        try:
            values = schema.load({name: value for name, value in cells.items() if value})
        except ma.ValidationError as error:
            refusals[row] = _describe(error.messages)
            continue
        lines.append(_Line(row, values, None))
    _refuse_repeats(lines, "email", refusals)
    _refuse_repeats(lines, "personnel_number", refusals)
    return lines, refusals


def _describe(messages: Any) -> str:
    if isinstance(messages, Mapping):
        return "; ".join(f"{name}: {' '.join(map(str, text))}" for name, text in messages.items())
    return str(messages)


def _refuse_repeats(lines: list[_Line], name: str, refusals: dict[int, str]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        value = line.values.get(name)
        if value is None:
            continue
        if value in seen:
            label = name.replace("_", " ")
            refusals[line.row] = f"{label} {value} is also on line {seen[value]}."
        seen.setdefault(value, line.row)


def _with_people(
    lines: list[_Line], administration: Administration, refusals: dict[int, str]
) -> list[_Line]:
    """Lines with the existing account of their email; a new one needs a name."""
    emails = {line.email for line in lines}
    found = db.session.scalars(select(User).where(User.email.in_(emails))).all() if emails else []
    by_email = {person.email: person for person in found}
    kept = []
    for line in lines:
        person = by_email.get(line.email)
        if person is None and "full_name" not in line.values:
            refusals[line.row] = "full_name: a new officer needs a name."
        elif person is not None and not _is_officer_of(person, administration):
            refusals[line.row] = (
                f"email: {line.email} belongs to someone who is not a trainee of"
                f" {administration.code}."
            )
        else:
            kept.append(_Line(line.row, line.values, person))
    return kept


def _is_officer_of(person: User, administration: Administration) -> bool:
    return person.administration_id == administration.id and person.roles == {Role.TRAINEE}


def _check_personnel_numbers(
    lines: list[_Line], administration: Administration, refusals: dict[int, str]
) -> None:
    """A number is refused when, after the import, someone else would hold it too."""
    wanted = {
        line.values["personnel_number"]: line for line in lines if "personnel_number" in line.values
    }
    if not wanted:
        return
    holders = db.session.scalars(
        select(User).where(
            User.administration_id == administration.id,
            User.personnel_number.in_(wanted),
        )
    )
    moving = {
        line.person.id
        for line in lines
        if line.person is not None and "personnel_number" in line.values
    }
    for holder in holders:
        line = wanted[holder.personnel_number]
        if holder != line.person and holder.id not in moving:
            refusals[line.row] = (
                f"personnel number {holder.personnel_number} is already used by another officer"
                f" of {administration.code}."
            )


def _apply(actor: User, administration: Administration, lines: list[_Line]) -> list[RowResult]:
    # Numbers may move between officers of the file (a swap): free them all first, so the
    # unique constraint never sees two holders in the middle of the import.
    updates = {line.row: line.changes() for line in lines if line.person is not None}
    for line in lines:
        if line.person is not None and "personnel_number" in updates[line.row]:
            line.person.personnel_number = None
    db.session.flush()
    results = []
    for line in lines:
        if line.person is None:
            person = service.create_user(
                actor,
                service.NewUser(
                    email=line.email,
                    administration_code=administration.code,
                    **{name: line.values[name] for name in OFFICER_FIELDS if name in line.values},
                ),
            )
            outcome = Outcome.CREATED
        else:
            person = line.person
            changes = updates[line.row]
            if changes:
                service.update_user(actor, person, changes)
            outcome = Outcome.UPDATED if changes else Outcome.UNCHANGED
        results.append(RowResult(line.row, line.email, outcome, person.id))
    return results
