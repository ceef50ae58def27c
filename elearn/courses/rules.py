"""Shape rules that the API and content packages both enforce."""

from __future__ import annotations

import re

TOPIC_PATTERN = re.compile(r"^[a-z0-9-]{1,60}$")
TOPIC_RULE = "lower-case a-z, 0-9 and -, at most 60 characters"
URL_SCHEMES = ("https://", "http://")

TITLE_MAX = 200
CODE_MAX = 40
SUMMARY_MAX = 5_000
OBJECTIVE_MAX = 500
OBJECTIVES_MAX = 30
TOPICS_MAX = 20
BODY_MAX = 200_000
URL_MAX = 2_000


def is_topic(value: object) -> bool:
    return isinstance(value, str) and TOPIC_PATTERN.match(value) is not None


def is_web_url(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= URL_MAX
        and value.lower().startswith(URL_SCHEMES)
        and len(value) > len("https://")
        and not any(char.isspace() for char in value)
    )
