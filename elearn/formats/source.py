"""Decoding a package's files: UTF-8 text, YAML (no aliases) and lesson front matter.

Each function records what is wrong in ``problems`` (with the line for YAML syntax errors) and
returns None, so that one pass over a package reports everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import Node

from elearn.formats.problems import Problems

FRONT_MATTER_FENCE = "---\n"


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases, which could expand a small file enormously."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
        return Composer.compose_node(self, parent, index)


def decode_text(data: bytes, file: str, problems: Problems) -> str | None:
    """The file as text with ``\\n`` line ends (a BOM and ``\\r\\n`` are tolerated)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(file, "", f"Not UTF-8 text (byte {error.start}).")
        return None
    return text.replace("\r\n", "\n")


def parse_yaml(text: str, file: str, problems: Problems, *, first_line: int = 1) -> Any:
    """The YAML document in ``text``; None (with a problem naming the line) when it is broken."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + first_line}, column {mark.column + 1}" if mark else ""
        problems.add(file, where, f"YAML syntax error: {error.problem or error.context}.")
    except yaml.YAMLError as error:
        problems.add(file, "", f"YAML syntax error: {error}.")
    return None


@dataclass(frozen=True)
class FrontMatter:
    fields: Any
    body: str


def split_front_matter(text: str, file: str, problems: Problems) -> FrontMatter | None:
    """``---`` YAML ``---`` then the Markdown body, kept exactly as written."""
    if not text.startswith(FRONT_MATTER_FENCE):
        problems.add(file, "", "A lesson file starts with front matter: a line '---'.")
        return None
    rest = text[len(FRONT_MATTER_FENCE) :]
    if rest.startswith(FRONT_MATTER_FENCE):
        header, body = "", rest[len(FRONT_MATTER_FENCE) :]
    elif "\n" + FRONT_MATTER_FENCE in rest:
        header, body = rest.split("\n" + FRONT_MATTER_FENCE, 1)
    elif rest.endswith("\n---"):
        header, body = rest[: -len("\n---")], ""
    else:
        problems.add(file, "", "The front matter has no closing line '---'.")
        return None
    fields = parse_yaml(header, file, problems, first_line=2)
    if fields is None and problems:
        return None
    return FrontMatter(fields=fields, body=body)


def dump_yaml(data: Any) -> str:
    """YAML as the writer lays it out: block style, keys in the given order, no line folding."""
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
