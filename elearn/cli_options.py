"""Options that several ``elearn`` commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

Command = TypeVar("Command", bound=Callable[..., Any])

SINCE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def since_option(what: str) -> Callable[[Command], Command]:
    """``--since``: a UTC date or time, read as a naive datetime (the command adds UTC)."""
    return click.option(
        "--since",
        required=True,
        type=click.DateTime(formats=SINCE_FORMATS),
        help=f"Only {what} written since this UTC date or time (2026-12-01 or 2026-12-01T08:00).",
    )
