"""The question types are one registry: every type found, in order, and documented."""

from __future__ import annotations

from pathlib import Path

from elearn.quizzes import types

CONTENT_FORMAT = Path(__file__).resolve().parents[2] / "docs" / "content-format.md"


def test_the_registry_holds_every_type_in_the_order_messages_list_them():
    assert types.names() == (
        "single",
        "multiple",
        "true_false",
        "numeric",
        "short_text",
        "matching",
        "ordering",
    )


def test_every_type_is_documented_in_the_content_format():
    documented = CONTENT_FORMAT.read_text()

    assert [name for name in types.names() if f"`{name}`" not in documented] == []
