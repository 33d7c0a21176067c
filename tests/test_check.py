"""Reading one answer into a verdict: parse-error messages that say what to do, ``equiv``."""

from __future__ import annotations

import pytest
import sympy

from hwgrade.grader.context import parse_vars
from hwgrade.grader.results import Verdict
from hwgrade.grader.verify.check import check_pair, echo, echo_plain, read, read_written

CTX = parse_vars("w, u_1, u_2, u_3")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("w*u_1 +", ["at column 8", "nothing follows the final `+`"]),
        ("w^", ["nothing follows the final `^`"]),
        ("w(u_2 + w u_1", ["at column 14", "a `(` is never closed: add 1 `)`"]),
        ("[w, [u_1", ["a `[` is never closed: add 2 `]`"]),
        ("w u_2)", ["at column 6 (`)`)", "no matching opening bracket"]),
        ("u1 + w", ["at column 1 (`u1`)", "did you mean `u_1`?"]),
        ("x + w", ["unknown symbol `x`", "this problem's symbols are u_1, u_2, u_3, w"]),
        ("w, u_1", ["a comma separates list entries only"]),
        ("w·u₁", ["type subscripts with `_`"]),
    ],
    ids=[
        "trailing-plus",
        "trailing-power",
        "open-paren",
        "open-brackets",
        "extra-paren",
        "did-you-mean",
        "lists-symbols",
        "comma",
        "subscript-digit",
    ],
)
def test_parse_errors_say_where_and_what_to_do(text: str, says: list[str]) -> None:
    reading = read(text, CTX)
    assert reading.parsed is None and reading.failure is not None
    assert reading.failure.verdict is Verdict.INVALID
    for fragment in says:
        assert fragment in reading.failure.message


def test_did_you_mean_is_not_followed_by_the_symbol_list() -> None:
    reading = read("u1", CTX)
    assert reading.failure is not None
    assert "symbols are" not in reading.failure.message


@pytest.mark.parametrize(
    ("reference", "answer", "verdict"),
    [
        ("w^2 u_1", "u_1 w w", Verdict.CORRECT),
        ("w^2 u_1", "u_1 w", Verdict.INCORRECT),
        ("w^2 u_1", "u_1 w +", Verdict.INVALID),
        ("w^2 u_1 +", "u_1 w", Verdict.INVALID),
    ],
    ids=["equal", "not-equal", "bad-answer", "bad-reference"],
)
def test_check_pair(reference: str, answer: str, verdict: Verdict) -> None:
    result = check_pair(reference, answer, CTX)
    assert result.verdict is verdict
    if verdict is Verdict.CORRECT:
        assert result.interpreted_as == "u_1*w^2"


def test_check_pair_says_which_side_is_unreadable() -> None:
    assert check_pair("w +", "w", CTX).message.startswith("the reference cannot be read")


def test_written_text_is_read_once_per_text_and_context() -> None:
    first = read_written("w u_1 + 1", CTX)
    assert first.parsed is not None
    assert read_written("w u_1 + 1", CTX) is first
    # Another context reads the same text afresh: `u_1` means nothing there.
    other = read_written("w u_1 + 1", parse_vars("w"))
    assert other.parsed is None and other.failure is not None
    assert read_written("w u_1 +", CTX).failure is not None


def test_echo_is_remembered_per_value_and_handles_unhashable_values() -> None:
    w, u_1 = sympy.symbols("w u_1")
    for _ in range(2):  # printed, then remembered: the same text
        assert echo_plain(w**2 * u_1) == "u_1*w^2"
        assert echo(w**2 * u_1) == ("u_1*w^2", "u_{1} w^{2}")
    assert echo_plain([w, u_1])  # a plain list cannot be a cache key
    assert echo([w, u_1])[0] == echo_plain([w, u_1])
    half, precise = sympy.Rational(1, 2), sympy.Float("0.5", 30)
    assert [echo_plain(half), echo_plain(precise)] == ["1/2", "0.5"]  # equal numbers, two values


def test_an_astronomically_large_answer_is_refused_not_timed() -> None:
    result = check_pair("x", "sin(exp(exp(exp(3))) + 3)", parse_vars("x"))
    assert result.verdict is Verdict.INVALID
    assert "exp of a number larger than 10000" in result.message


def test_comparisons_are_remembered_only_for_the_same_value() -> None:
    from hwgrade.grader.results import Equality
    from hwgrade.grader.verify.check import safe_compare

    third = sympy.Rational(1, 3)
    decimal = sympy.Float("0.3333", 30)  # within the relative tolerance 1e-3
    exact = sympy.Rational(3333, 10000)  # typed exactly: must match exactly
    first = safe_compare(third, decimal, CTX, tolerance=1e-3)
    assert first.outcome is Equality.EQUAL
    assert safe_compare(third, decimal, CTX, tolerance=1e-3) is first  # remembered
    assert safe_compare(third, exact, CTX, tolerance=1e-3).outcome is Equality.NOT_EQUAL
    assert safe_compare(third, decimal, CTX, tolerance=1e-6).outcome is Equality.NOT_EQUAL
    # Unhashable values are compared each time, with the same answer.
    listed = safe_compare(sympy.ImmutableMatrix([1, 2]), [1, 2], CTX, tolerance=1e-3)
    assert (
        listed.outcome
        is safe_compare(sympy.ImmutableMatrix([1, 2]), [1, 2], CTX, tolerance=1e-3).outcome
    )
