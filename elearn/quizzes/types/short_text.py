"""Short text: a few words compared with the accepted answers of the attempt's language (and the
fallback language), ignoring case, width and spacing; all or nothing."""

from __future__ import annotations

import unicodedata
from typing import Any

from elearn.formats.fields import at
from elearn.quizzes.types import base

MAX_TEXT_ANSWER = 500


def normalize_text(text: str) -> str:
    """Case-, width- and whitespace-insensitive form used to compare short text answers."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class ShortText(base.QuestionType):
    name = "short_text"
    position = 5
    required = ("accepted",)

    def read(self, question: base.Written) -> dict[str, Any]:
        fields, languages = question.fields, question.languages
        place = question.at("accepted")
        accepted = fields.mapping(question.given["accepted"], place, required=languages) or {}
        answers: dict[str, list[str]] = {}
        for language in languages:
            if language in accepted:
                items = fields.items(accepted[language], at(place, language), min_items=1)
                texts = [
                    fields.text(item, f"{at(place, language)}[{n}]", max_length=base.OPTION_MAX)
                    for n, item in enumerate(items)
                ]
                answers[language] = [text for text in texts if text is not None]
        return {"accepted": answers}

    def document(self, question: base.Definition) -> dict[str, Any]:
        return {"accepted": question["accepted"]}

    def freeze(self, question: base.Definition, freezing: base.Freezing) -> base.FrozenParts:
        accepted = question["accepted"]
        either = {*accepted.get(freezing.language, []), *accepted.get(freezing.fallback, [])}
        return base.FrozenParts({}, {"accepted": sorted(either)})

    def response_problem(self, frozen: base.Frozen, response: base.Response) -> str | None:
        text = base.alone(response, "text")
        if not isinstance(text, str) or len(text) > MAX_TEXT_ANSWER:
            return f"Expected {{'text': <at most {MAX_TEXT_ANSWER} chars>}}."
        return None

    def grade(self, frozen: base.Frozen, response: base.Response) -> float:
        accepted = {normalize_text(text) for text in frozen["key_data"]["accepted"]}
        return 1.0 if normalize_text(response["text"]) in accepted else 0.0


TYPE = ShortText()
