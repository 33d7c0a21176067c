"""Choice and free-text parts: labels compared as sets, free text left to a TA."""

from __future__ import annotations

from typing import Any

import pytest

from hwgrade.grader.grading.choices import grade_choice, grade_manual
from hwgrade.grader.results import Verdict
from hwgrade.grader.specs.model import PartSpec
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
        (MULTI, "a", Verdict.INCORRECT, 1.0, "1 of 2 right options picked, 0 wrong"),
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


# --- the select-all rule (#27): monotone, over every subset of a 5-option part ---------

FIVE = tuple((label, f"option {label}") for label in "abcde")
SELECT_ALL = PartSpec(
    "five", "Select all that apply.", points=3.0, kind="choice", choices=FIVE, multiple=True
)
ONLY_A = Mistake("only_a", ("a",), "b and d are right too", 0.9)  # feedback, never credit
FIVE_SOLVED = Solution({"five": ("a", "b", "d")}, mistakes={"five": (ONLY_A,)})
SUBSETS = [
    frozenset(label for k, label in enumerate("abcde") if mask >> k & 1) for mask in range(1, 32)
]


def _expected(picked: frozenset[str]) -> float:
    """Right picks minus wrong picks over the 3 right ones, floored at 0 (docs/specs.md)."""
    right = len(picked & {"a", "b", "d"})
    return 3.0 * max(0, right - (len(picked) - right)) / 3


@pytest.mark.parametrize("picked", SUBSETS, ids=lambda s: "".join(sorted(s)))
def test_select_all_credit_over_every_subset(picked: frozenset[str]) -> None:
    result = grade_choice(SELECT_ALL, ("a", "b", "d"), sorted(picked), FIVE_SOLVED)
    assert result.score == pytest.approx(_expected(picked), abs=1e-6)
    assert result.verdict is (Verdict.CORRECT if picked == {"a", "b", "d"} else Verdict.INCORRECT)


def test_select_all_credit_is_monotone() -> None:
    def score(picked: frozenset[str]) -> float:
        return grade_choice(SELECT_ALL, ("a", "b", "d"), sorted(picked), FIVE_SOLVED).score

    for picked in SUBSETS:
        for extra in set("abcde") - picked:
            more = score(picked | {extra})
            if extra in "abd":
                assert more >= score(picked), (picked, extra)  # one more right pick
            else:
                assert more <= score(picked), (picked, extra)  # one more wrong pick


@pytest.mark.parametrize(
    ("raw", "score", "says"),
    [
        ("a, b, d", 3.0, ""),
        ("a", 1.0, "b and d are right too (1 of 3 right options picked, 0 wrong)"),
        ("a, b", 2.0, "2 of 3 right options picked, 0 wrong"),
        ("a, d", 2.0, "2 of 3 right options picked, 0 wrong"),
        ("a, b, d, c", 2.0, "3 of 3 right options picked, 1 wrong"),
        ("a, c", 0.0, "1 of 3 right options picked, 1 wrong"),
        ("a, b, c, d, e", 1.0, "3 of 3 right options picked, 2 wrong"),
        ("c, e", 0.0, "0 of 3 right options picked, 2 wrong"),
    ],
    ids=["all-right", "known-pick", "two-right", "two-right-other", "one-extra", "even",
         "everything", "only-wrong"],
)  # fmt: skip
def test_select_all_rows(raw: str, score: float, says: str) -> None:
    result = grade_choice(SELECT_ALL, ("a", "b", "d"), raw, FIVE_SOLVED)
    assert result.score == pytest.approx(score, abs=1e-6)
    assert says in result.message
