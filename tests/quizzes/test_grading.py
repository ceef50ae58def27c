from __future__ import annotations

import random

import pytest

from elearn.errors import Invalid
from elearn.quizzes.service.grading import GradingMethod, final_grade, grade, validate_response
from elearn.quizzes.service.snapshot import freeze, freeze_attempt, present
from elearn.quizzes.types.short_text import normalize_text


def lang(en, ru=None):
    return {"en": en, "ru": ru or f"ru:{en}"}


SINGLE = {
    "key": "titles",
    "type": "single",
    "stem": lang("Do titles have legal force?"),
    "options": [
        {"key": "a", "text": lang("Yes")},
        {"key": "b", "text": lang("No"), "correct": True},
    ],
    "feedback": lang("GIR 1."),
}
MULTIPLE = {
    "key": "adds",
    "type": "multiple",
    "scoring": "partial",
    "stem": lang("Which are Article 8 additions?"),
    "options": [
        {"key": "a", "text": lang("Packing"), "correct": True},
        {"key": "b", "text": lang("Assists"), "correct": True},
        {"key": "c", "text": lang("Duties in the importing country")},
    ],
}
MATCHING = {
    "key": "methods",
    "type": "matching",
    "stem": lang("Match"),
    "pairs": [
        {"left": lang("Article 1"), "right": lang("Transaction value")},
        {"left": lang("Article 2"), "right": lang("Identical goods")},
    ],
}
ORDERING = {
    "key": "order",
    "type": "ordering",
    "stem": lang("Order"),
    "items": [lang("First"), lang("Second"), lang("Third")],
}


def frozen(question, language="en", shuffle=False):
    return freeze(question, language, "en", random.Random(7), shuffle_options=shuffle)


def test_single_choice_is_all_or_nothing():
    question = frozen(SINGLE)
    assert grade(question, {"option": "b"}) == 1.0
    assert grade(question, {"option": "a"}) == 0.0
    assert grade(question, None) == 0.0


def test_multiple_choice_partial_credit_never_negative():
    question = frozen(MULTIPLE)
    assert grade(question, {"options": ["a", "b"]}) == 1.0
    assert grade(question, {"options": ["a"]}) == 0.5
    assert grade(question, {"options": ["a", "c"]}) == 0.0
    assert grade(question, {"options": ["c"]}) == 0.0
    strict = frozen({**MULTIPLE, "scoring": "all_or_nothing"})
    assert grade(strict, {"options": ["a"]}) == 0.0


def test_numeric_tolerance_and_short_text_normalisation():
    numeric = frozen(
        {"key": "n", "type": "numeric", "stem": lang("?"), "answer": 1250, "tolerance": 0.5}
    )
    assert grade(numeric, {"value": 1250.4}) == 1.0
    assert grade(numeric, {"value": 1251}) == 0.0
    text = frozen(
        {
            "key": "t",
            "type": "short_text",
            "stem": lang("?"),
            "accepted": {"en": ["Transaction value"], "ru": ["Стоимость сделки"]},
        },
        language="ru",
    )
    assert grade(text, {"text": "  стоимость   СДЕЛКИ "}) == 1.0
    assert grade(text, {"text": "transaction VALUE"}) == 1.0
    assert normalize_text("\uff34\uff45\uff58\uff54\u00a0 Value") == "text value"


def test_matching_scores_share_of_pairs_and_ids_do_not_leak_the_answer():
    question = frozen(MATCHING)
    pairs = question["key_data"]["pairs"]
    assert grade(question, {"pairs": dict(pairs)}) == 1.0
    first = next(iter(pairs))
    assert grade(question, {"pairs": {first: pairs[first]}}) == 0.5
    left_ids = [entry["id"] for entry in question["left"]]
    right_ids = [entry["id"] for entry in question["right"]]
    assert not set(left_ids) & set(right_ids)


def test_ordering_is_presented_shuffled_and_graded_all_or_nothing():
    question = frozen(ORDERING)
    shown = [item["id"] for item in question["items"]]
    correct = question["key_data"]["order"]
    assert shown != correct
    assert grade(question, {"order": correct}) == 1.0
    assert grade(question, {"order": shown}) == 0.0


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (SINGLE, {"option": "z"}),
        (SINGLE, {"options": ["a"]}),
        (MULTIPLE, {"options": ["a", "a"]}),
        (MULTIPLE, {"options": "a"}),
        ({"key": "tf", "type": "true_false", "stem": lang("?"), "answer": True}, {"value": "yes"}),
        ({"key": "n", "type": "numeric", "stem": lang("?"), "answer": 1}, {"value": True}),
        ({"key": "n", "type": "numeric", "stem": lang("?"), "answer": 1}, {"value": float("nan")}),
        (ORDERING, {"order": []}),
        (MATCHING, {"pairs": {"nope": "nope"}}),
        (SINGLE, ["b"]),
    ],
)
def test_malformed_answers_are_refused(question, response):
    with pytest.raises(Invalid):
        validate_response(frozen(question), response)


def test_presented_question_hides_key_and_feedback_until_revealed():
    question = frozen(SINGLE, language="ru")
    hidden = present(question, reveal=False)
    assert "key_data" not in hidden
    assert "correct_answer" not in hidden
    assert "feedback" not in hidden
    assert hidden["stem"] == "ru:Do titles have legal force?"
    revealed = present(question, reveal=True)
    assert revealed["correct_answer"] == {"correct": ["b"]}
    assert revealed["feedback"] == "ru:GIR 1."


def test_attempt_draws_per_pool():
    definition = {
        "settings": {"draw": [{"pool": "a", "count": 2}, {"pool": "b", "count": 1}]},
        "questions": [{**SINGLE, "key": f"a{n}", "pool": "a"} for n in range(5)]
        + [{**SINGLE, "key": f"b{n}", "pool": "b"} for n in range(3)],
    }
    keys = [question["key"] for question in freeze_attempt(definition, "en", "en")]
    assert len(keys) == 3
    assert sum(key.startswith("a") for key in keys) == 2


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (GradingMethod.HIGHEST, 0.9),
        (GradingMethod.LAST, 0.6),
        (GradingMethod.FIRST, 0.3),
        (GradingMethod.AVERAGE, 0.6),
    ],
)
def test_final_grade_methods(method, expected):
    assert final_grade(method, [0.3, 0.9, 0.6]) == pytest.approx(expected)
    assert final_grade(method, []) is None


def test_two_items_are_shown_in_either_order_so_the_order_shown_tells_nothing():
    two = {**ORDERING, "items": ORDERING["items"][:2]}
    rng = random.Random(3)
    shown_right = set()
    for _ in range(200):
        question = freeze(two, "en", "en", rng, shuffle_options=False)
        shown = [item["id"] for item in question["items"]]
        shown_right.add(shown == question["key_data"]["order"])
    assert shown_right == {True, False}


def test_questions_outside_the_drawn_pools_are_always_asked_in_quiz_order():
    definition = {
        "settings": {"draw": [{"pool": "a", "count": 1}]},
        "questions": [
            {**SINGLE, "key": "first"},
            *({**SINGLE, "key": f"a{n}", "pool": "a"} for n in range(3)),
            {**SINGLE, "key": "other-pool", "pool": "b"},
        ],
    }
    keys = [question["key"] for question in freeze_attempt(definition, "en", "en")]
    assert len(keys) == 3
    assert keys[0] == "first"
    assert keys[1].startswith("a")
    assert keys[2] == "other-pool"
