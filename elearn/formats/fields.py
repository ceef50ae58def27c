"""Reading typed values out of parsed YAML, recording a problem for each bad one.

``where`` is the field's path inside its file (``modules[0].lessons[2].kind``); every reader
returns None (or an empty value) after recording the problem, so checking goes on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from elearn.formats.problems import Problems

REQUIRED = "Required."
# Keys name things in files and URLs alike: slugs, modules, lessons, questions, options, pools.
KEY_PATTERN = re.compile(r"^[a-z0-9-]{1,80}$")
KEY_RULE = "lower-case a-z, 0-9 and -, at most 80 characters"


def is_key(value: object) -> bool:
    return isinstance(value, str) and KEY_PATTERN.match(value) is not None


def at(where: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{where}[{name}]"
    return f"{where}.{name}" if where else name


@dataclass
class Fields:
    problems: Problems
    file: str

    def report(self, where: str, message: str) -> None:
        self.problems.add(self.file, where, message)

    def mapping(
        self,
        value: Any,
        where: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> dict[str, Any] | None:
        """A mapping with ``required`` keys and no keys outside ``required`` and ``optional``."""
        if not isinstance(value, dict):
            self.report(where, "Expected a mapping (key: value lines).")
            return None
        for key in required:
            if key not in value:
                self.report(at(where, key), REQUIRED)
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.report(at(where, str(key)), "Unknown field.")
        return value

    def items(self, value: Any, where: str, *, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.report(where, "Expected a list.")
            return []
        if len(value) < min_items:
            self.report(where, f"Expected at least {min_items} item{'s' * (min_items > 1)}.")
        return value

    def entries(
        self,
        value: Any,
        where: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        min_items: int = 0,
    ) -> list[tuple[str, dict[str, Any]]]:
        """A list's mapping items with their paths; bad items are reported and left out."""
        found = []
        for number, raw in enumerate(self.items(value, where, min_items=min_items)):
            item_where = f"{where}[{number}]"
            item = self.mapping(raw, item_where, required=required, optional=optional)
            if item is not None:
                found.append((item_where, item))
        return found

    def text(self, value: Any, where: str, *, max_length: int, blank: bool = False) -> str | None:
        if not isinstance(value, str):
            self.report(where, "Expected text (quote it if it looks like a number or yes/no).")
            return None
        if not blank and not value.strip():
            self.report(where, "May not be empty.")
            return None
        if len(value) > max_length:
            self.report(where, f"At most {max_length} characters.")
            return None
        return value

    def integer(
        self, value: Any, where: str, *, minimum: int, maximum: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(where, "Expected a whole number.")
            return None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            self.report(where, f"Expected at least {minimum}{upper}.")
            return None
        return value

    def number(self, value: Any, where: str, *, minimum: float | None = None) -> float | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.report(where, "Expected a finite number.")
            return None
        if minimum is not None and value < minimum:
            self.report(where, f"Expected at least {minimum}.")
            return None
        return float(value)

    def boolean(self, value: Any, where: str) -> bool | None:
        if not isinstance(value, bool):
            self.report(where, "Expected true or false.")
            return None
        return value

    def choice(self, value: Any, where: str, options: Sequence[str]) -> str | None:
        if value not in options:
            self.report(where, f"Expected one of: {', '.join(options)}.")
            return None
        return str(value)

    def key(self, value: Any, where: str) -> str | None:
        if not is_key(value):
            self.report(where, f"Keys are {KEY_RULE}.")
            return None
        return str(value)

    def unique_keys(self, keys: Iterable[tuple[str, str | None]], what: str) -> None:
        """Report each key seen before (``keys`` are (where, key) pairs)."""
        seen: set[str] = set()
        for where, key in keys:
            if key is None:
                continue
            if key in seen:
                self.report(where, f"Duplicate {what} key {key!r}.")
            seen.add(key)

    def per_language(
        self, value: Any, where: str, languages: Sequence[str], *, max_length: int
    ) -> dict[str, str] | None:
        """Text in exactly the course's languages, none empty."""
        if not isinstance(value, dict):
            self.report(
                where, f"Expected a mapping from language to text ({', '.join(languages)})."
            )
            return None
        texts = {}
        for language in languages:
            if language not in value:
                self.report(at(where, language), f"Missing the {language} text.")
                continue
            text = self.text(value[language], at(where, language), max_length=max_length)
            if text is not None:
                texts[language] = text
        for language in value:
            if language not in languages:
                self.report(
                    at(where, str(language)),
                    f"Not a language of the course ({', '.join(languages)}).",
                )
        return texts if len(texts) == len(value) == len(languages) else None
