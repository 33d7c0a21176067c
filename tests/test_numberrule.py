"""The number rule's pieces: the digits a tolerance asks for, and correct rounding."""

from __future__ import annotations

import pytest
import sympy

from hwgrade.grader.verify.numberrule import digits_hint, rounds_to, significant_digits


@pytest.mark.parametrize(
    ("tolerance", "digits"),
    [(1e-3, 3), (1e-2, 2), (5e-3, 3), (1e-6, 6), (0.0, 0), (0.5, 1)],
    ids=["default", "two", "between", "six", "exact", "coarse"],
)
def test_significant_digits(tolerance: float, digits: int) -> None:
    assert significant_digits(tolerance) == digits


R = sympy.Rational
ROUNDING = [
    (R(1, 3), "0.333", 3, True),
    (R(1, 3), "0.3333", 3, True),
    (R(1, 3), "0.33", 3, False),
    (R(1, 3), "0.334", 3, False),
    (R(13, 12), "1.08", 3, True),
    (R(13, 12), "1.1", 3, False),
    (R(2, 3), "0.667", 3, True),
    (R(2, 3), "0.666", 3, False),
    (R(1, 8), "0.13", 2, True),  # a tie: half-up
    (R(1, 8), "0.12", 2, True),  # a tie: half-even
    (R(-1, 3), "-0.333", 3, True),
    (R(0), "0.000", 3, False),  # zero has no significant digits to round to
    (sympy.sqrt(2).evalf(40), "1.41", 3, True),  # the engine passes evaluated values
    (R(1, 3), "0.333", 0, False),  # exact asked: no rounding rule
]


@pytest.mark.parametrize(
    ("reference", "typed", "digits", "expected"),
    ROUNDING,
    ids=[f"{r}~{t}@{d}" for r, t, d, _ in ROUNDING],
)
def test_rounds_to(reference: object, typed: str, digits: int, expected: bool) -> None:
    assert rounds_to(reference, sympy.Float(typed, 30), digits) is expected


def test_digits_hint_says_how_many_or_exact() -> None:
    assert "3 significant digits" in digits_hint(1e-3)
    assert "exact value" in digits_hint(0.0)
