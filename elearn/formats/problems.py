"""Collecting every problem of a package, each naming its file and field, before refusing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from elearn.errors import Invalid


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    message: str

    @property
    def location(self) -> str:
        return f"{self.file}: {self.where}" if self.where else self.file

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class Problems:
    found: list[Problem] = field(default_factory=list)

    def add(self, file: str, where: str, message: str) -> None:
        """Record a problem; only the first one at a location counts (the rest follow from it)."""
        if not any(p.file == file and p.where == where for p in self.found):
            self.found.append(Problem(file, where, message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        """Refuse the package with every problem, keyed ``file: field`` (422)."""
        if not self.found:
            return
        errors: dict[str, list[str]] = {}
        for problem in self.found:
            errors.setdefault(problem.location, []).append(problem.message)
        count = len(self.found)
        raise Invalid(
            f"The package has {count} problem{'s' if count > 1 else ''}; nothing was changed.",
            errors=errors,
        )
