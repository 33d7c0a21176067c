"""as_sympy: numbers in, SymPy out, text refused (it must never be parsed)."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

from hwgrade.grader.numbers import as_sympy, as_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, sympy.Integer(3)),
        (True, sympy.Integer(1)),
        (0.5, sympy.Float(0.5)),
        (sympy.Rational(1, 3), sympy.Rational(1, 3)),
        (sympy.Symbol("n"), sympy.Symbol("n")),
    ],
    ids=["int", "bool", "float", "rational", "symbol"],
)
def test_numbers_convert(value: Any, expected: Any) -> None:
    assert as_sympy(value) == expected


@pytest.mark.parametrize(
    "value",
    ["1+1", "__import__('os')", b"2", [1], None],
    ids=["str", "payload", "bytes", "list", "none"],
)
def test_text_and_other_values_are_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        as_sympy(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, sympy.Integer(2)),
        ([1, 2], sympy.ImmutableDenseNDimArray([1, 2])),
        ((1, 2), sympy.ImmutableDenseNDimArray([1, 2])),
        (sympy.Symbol("x"), sympy.Symbol("x")),
    ],
    ids=["int", "list", "tuple", "symbol"],
)
def test_as_value_makes_containers_sympy(value: Any, expected: Any) -> None:
    assert as_value(value) == expected


def test_as_value_refuses_truth_values() -> None:
    with pytest.raises(TypeError, match="truth value"):
        as_value(True)
