"""Choice and free-text parts: labels compared as sets, free text left to a TA."""

from __future__ import annotations

from typing import Any

import pytest

from hwgrade.grader.choices import grade_choice, grade_manual
from hwgrade.grader.results import Verdict
from hwgrade.grader.specs import PartSpec
from hwgrade.solver import Mistake, Solution

OPTIONS = (("a", "ReLU"), ("b", "sigmoid"), ("c", "tanh"), ("d", "identity"))
SINGLE = PartSpec("act", "Which activation?", points=2.0, kind="choice", choices=OPTIONS)
MULTI = PartSpec(
    "all", "Select all that apply.", points=2.0, kind="choice", choices=OPTIONS, multiple=True
)
HALF = Mistake("saturates", ("b",), "sigmoid saturates too, but it is not zero-centred", 0.5)
SOLVED = Solution({"act": "c", "all": ("a", "c")}, mistakes={"act": (HALF,)})


@pytest.mark.parametrize(
    ("part", "raw", "verdict", "score", "says"),
    [
        (SINGLE, "c", Verdict.CORRECT, 2.0, ""),
        (SINGLE, " (C) ", Verdict.CORRECT, 2.0, ""),  # case, spaces and brackets are forgiven
        (SINGLE, "b", Verdict.INCORRECT, 1.0, "not zero-centred"),  # the solver's known pick
        (SINGLE, "a", Verdict.INCORRECT, 0.0, "not the right choice"),
        (SINGLE, "a, c", Verdict.INVALID, 0.0, "pick one option only"),
        (SINGLE, "e", Verdict.INVALID, 0.0, "unknown option `e` (options: a, b, c, d)"),
        (SINGLE, "", Verdict.INVALID, 0.0, "no option picked"),
        (SINGLE, "a,,c", Verdict.INVALID, 0.0, "no option picked"),
        (MULTI, ["c", "a"], Verdict.CORRECT, 2.0, ""),  # a set: order does not matter
        (MULTI, "a; c", Verdict.CORRECT, 2.0, ""),
        (MULTI, "a, b", Verdict.INCORRECT, 0.0, "1 of 2 right options picked, 1 wrong"),
        (MULTI, "a", Verdict.INCORRECT, 0.0, "1 of 2 right options picked, 0 wrong"),
    ],
    ids=[
        "right",
        "forgiving",
        "known-pick",
        "wrong",
        "two-for-one",
        "unknown",
        "empty",
        "blank-item",
        "set-list",
        "set-text",
        "one-wrong",
        "one-missing",
    ],
)
def test_choice_parts(part: PartSpec, raw: Any, verdict: Verdict, score: float, says: str) -> None:
    result = grade_choice(part, SOLVED.answers[part.id], raw, SOLVED)
    assert (result.verdict, result.score, result.max_score) == (verdict, score, 2.0)
    assert says in result.message
    if verdict is not Verdict.INVALID:  # a graded pick shows the right one(s)
        assert result.reference == ("c" if part is SINGLE else "a, c")


@pytest.mark.parametrize(
    ("raw", "verdict", "shown"),
    [
        ("  Symmetric weights get identical gradients. ", Verdict.UNDECIDED, "Symmetric"),
        ("", Verdict.MISSING, ""),
        (None, Verdict.MISSING, ""),
        (42, Verdict.UNDECIDED, "42"),
    ],
    ids=["text", "blank", "none", "number"],
)
def test_manual_parts_score_nothing(raw: Any, verdict: Verdict, shown: str) -> None:
    result = grade_manual(raw)
    assert result.verdict is verdict
    assert (result.score, result.max_score, result.method) == (0.0, 0.0, "manual")
    assert result.interpreted_as.startswith(shown)


def test_manual_answers_are_capped_for_reports() -> None:
    assert len(grade_manual("x" * 10_000).interpreted_as) == 2000
